"""Quality gates on every public page, in every language, as a visitor's browser sees them:
axe-core finds no serious or critical accessibility violation, the Nu HTML checker finds no
error, the keyboard reaches the content through the skip link, and the browser reports no error
(no blocked script or style under the Content-Security-Policy, no 5xx)."""

import pytest

from .conftest import LANGUAGES, assert_accessible, vnu_errors

# Every page a visitor can reach without logging in; {lang} is nl / fr / en.
PUBLIC_PAGES = [
    "/{lang}/privacy/",
    "/{lang}/privacy/request/",
]


@pytest.fixture
def public_site(transactional_db):
    """C-DOT's register loaded and the statement published, as the run command does."""
    from .data import load_cdot_site

    load_cdot_site()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_have_no_serious_accessibility_violations(public_site, page, shot, lang):
    for template in PUBLIC_PAGES:
        url = template.format(lang=lang)
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator("html").get_attribute("lang") == lang
        shot(page, url)
        assert_accessible(page, url)


def test_public_pages_are_valid_html(public_site, page, tmp_path):
    documents = {}
    for lang in LANGUAGES:
        for template in PUBLIC_PAGES:
            url = template.format(lang=lang)
            response = page.request.get(url)
            assert response.status == 200, url
            documents[url] = response.text()
    errors = vnu_errors(documents, tmp_path / "html")
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(
        f"{url}\n  " + "\n  ".join(messages) for url, messages in errors.items()
    )


def test_keyboard_user_skips_to_the_content(public_site, page, shot):
    page.goto("/nl/privacy/")
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
