"""Quality gates on every public page, in every language, as a visitor's browser sees them:
axe-core finds no serious or critical accessibility violation, the Nu HTML checker finds no
error, the keyboard reaches the content through the skip link, and the browser reports no error
(no script or style blocked by the Content-Security-Policy, no 5xx, no missing resource).

The request flow's pages (form with errors, "check your e-mail", confirmation) are checked in
the request scenario, where they are reached the way a visitor reaches them."""

import json

import pytest

from .conftest import LANGUAGES, axe_violations, document_source, vnu_errors

# Every page a visitor can reach without logging in; {lang} is nl / fr / en.
PUBLIC_PAGES = [
    "/{lang}/privacy/",
    "/{lang}/privacy/versions/",
    "/{lang}/privacy/versions/1/",
    "/{lang}/privacy/request/",
]


def public_urls() -> list[str]:
    return [template.format(lang=lang) for lang in LANGUAGES for template in PUBLIC_PAGES]


def axe_urls() -> list[str]:
    """Every page in Dutch; in French and English the archived version page is left out: it is
    the same stored body as /<lang>/privacy/ in the same template (and the Nu checker still
    validates it), and axe-core needs seconds for a page of that length."""
    return [
        url for url in public_urls() if url.startswith("/nl/") or not url.endswith("/versions/1/")
    ]


@pytest.mark.long(12)
def test_public_pages_are_accessible_and_valid_html(cdot_site, page, shot, tmp_path):
    """One visit of every page feeds both gates (the site is loaded once for both)."""
    found, sources = {}, {}
    for url in public_urls():
        if url not in axe_urls():
            response = page.request.get(url)
            assert response.status == 200, url
            sources[url] = response.text()
            continue
        response = page.goto(url)
        assert response.status == 200, url
        sources[url] = document_source(page)
        assert page.locator("html").get_attribute("lang") == url.split("/")[1]
        assert page.locator("main").count() == 1, f"{url}: one <main> landmark"
        shot(page, url)
        violations = axe_violations(page)
        if violations:
            found[url] = violations
    errors = vnu_errors(sources, tmp_path / "html")
    assert not found, "axe-core: serious/critical violations:\n" + json.dumps(
        found, indent=1, ensure_ascii=False
    )
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(
        f"{url}\n  " + "\n  ".join(messages) for url, messages in errors.items()
    )


def test_keyboard_user_skips_to_the_content(page, shot):
    page.goto("/nl/privacy/request/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused == "#main", "the first Tab must land on the skip link"
    shot(page, "skip link visible on focus")
    assert page.evaluate(
        "() => { const r = document.activeElement.getBoundingClientRect();"
        " return r.width > 1 && r.height > 1 && r.top >= 0; }"
    ), "the focused skip link must be visible"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_language_switcher_names_each_language_in_that_language(page):
    """A French reader on the Dutch page looks for "Français"; each link is marked with its
    language (WCAG 3.1.2), so its text must be in that language too, on every page."""
    own_names = {"nl": "Nederlands", "fr": "Français", "en": "English"}
    for lang in LANGUAGES:
        page.goto(f"/{lang}/privacy/request/")
        for code, name in own_names.items():
            link = page.locator(f"nav.languages a[hreflang='{code}']")
            assert link.get_attribute("lang") == code
            assert link.inner_text().strip() == name, f"on /{lang}/: the {code} link"
