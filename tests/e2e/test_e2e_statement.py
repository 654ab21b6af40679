"""Scenario 1: a visitor reads the privacy statement in Dutch, switches to French and English
with the language switcher, and downloads the PDF (issue 5)."""

import re

from tests.pdf_text import pdf_text

from .conftest import assert_accessible

# What a reader must find in each language: the heading, the supervisory authority by its
# current name (never the former Privacy Commission), and the retention table's caption.
EXPECTED = {
    "nl": {
        "title": "Privacyverklaring",
        "authority": "Gegevensbeschermingsautoriteit",
        "retention": "Bewaartermijnen",
    },
    "fr": {
        "title": "Déclaration de confidentialité",
        "authority": "Autorité de protection des données",
        "retention": "Durées de conservation",
    },
    "en": {
        "title": "Privacy statement",
        "authority": "Data Protection Authority",
        "retention": "Retention periods",
    },
}
FORMER_AUTHORITY = re.compile(
    r"Commissie voor de bescherming|Commission de la protection|privacycommission|"
    r"Privacy Commission|commissionprivacy",
    re.IGNORECASE,
)


def assert_statement_in(page, lang: str) -> None:
    expected = EXPECTED[lang]
    assert page.locator("html").get_attribute("lang") == lang
    assert expected["title"].lower() in page.locator("h1").inner_text().lower()
    main = page.locator("main").inner_text()
    assert expected["authority"] in main
    assert "C-DOT" in main
    assert not FORMER_AUTHORITY.search(main)
    assert page.locator("table.retention caption").inner_text().strip() == expected["retention"]
    # The table of contents leads to every section.
    for link in page.locator("nav a[href^='#']").all():
        assert page.locator(link.get_attribute("href")).count() == 1


def test_visitor_reads_the_statement_in_three_languages_and_downloads_the_pdf(
    cdot_site, page, shot
):
    page.set_extra_http_headers({"Accept-Language": "nl-BE,nl;q=0.9"})
    page.goto("/privacy/")
    assert page.url.endswith("/nl/privacy/"), "/privacy/ follows Accept-Language"
    assert_statement_in(page, "nl")
    shot(page, "statement nl")
    assert_accessible(page, "/nl/privacy/")

    for lang in ("fr", "en"):
        page.locator(f"nav.languages a[hreflang='{lang}']").click()
        page.wait_for_url(f"**/{lang}/privacy/")
        assert_statement_in(page, lang)
        current = page.locator("nav.languages a[aria-current='true']")
        assert current.get_attribute("hreflang") == lang
        shot(page, f"statement {lang}")

    pdf_link = page.get_by_role("link", name="Download as PDF")
    href = pdf_link.get_attribute("href")
    assert href.endswith("/en/privacy/statement.pdf")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Privacy statement" in text
    assert EXPECTED["en"]["authority"] in text
    assert not FORMER_AUTHORITY.search(text)
    # The PDF is the same version as the page.
    version = re.search(r"Version (\d+)", page.locator("main").inner_text()).group(1)
    assert f"Version {version}" in text
    (shot.folder / "statement-en.pdf").write_bytes(response.body())
