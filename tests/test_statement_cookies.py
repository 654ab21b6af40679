"""The statement's cookie section and /<lang>/privacy/cookies/ (#15 point 4): generated from the
register's cookie inventory with each cookie's purpose, party and lifetime; a change goes
through the usual draft and approval; the ROPA lists the cookies under purpose F."""

import pytest
from django.utils import translation

from registry.models import Cookie, ProcessingActivity
from registry.ropa import ropa_data
from statement.models import StatementVersion
from statement.services import statement_draft, statement_draft_publish, statement_publish
from tests.statement_support import LANGUAGES, page_text, register_seed_cdot

pytestmark = pytest.mark.django_db

TITLE = {
    "nl": "Cookies op onze website",
    "fr": "Cookies sur notre site web",
    "en": "Cookies on our website",
}


@pytest.fixture
def published():
    register_seed_cdot()
    return statement_publish().version


def cookie_rows(html: str) -> str:
    import re

    table = re.search(r'<table class="cookies">.*?</table>', html, re.S)
    assert table, "cookie table missing"
    return page_text(table.group(0))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_cookie_page_lists_every_cookie_with_purpose_party_and_lifetime(
    client, published, lang
):
    response = client.get(f"/{lang}/privacy/cookies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html and TITLE[lang] in html
    rows = cookie_rows(html)
    cookies = list(Cookie.objects.select_related("recipient"))
    assert cookies, "the seed lists the app's own cookies"
    with translation.override(lang):
        for cookie in cookies:
            assert cookie.name in rows
            assert " ".join(cookie.purpose.split()) in rows
            if cookie.lifetime_display():
                assert str(cookie.lifetime_display()) in rows, cookie.name
            party = cookie.recipient.name if cookie.recipient_id else cookie.get_party_display()
            assert str(party)[1:] in rows  # capitalised in the table
    again = client.get(f"/{lang}/privacy/cookies/", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_statement_has_a_cookie_section_linking_the_page(client, published, lang):
    html = client.get(f"/{lang}/privacy/").content.decode()
    assert 'id="cookies"' in html and f'href="/{lang}/privacy/cookies/"' in html
    assert 'href="#cookies"' in html  # in the table of contents
    with translation.override(lang):
        for cookie in Cookie.objects.all():
            assert cookie.name in cookie_rows(html)


def test_a_cookie_change_is_a_draft_until_published(client, published):
    Cookie.objects.create(
        name="cdot_test_pref",
        party=Cookie.Party.FIRST,
        category="preferences",
        purpose_nl="Onthoudt een voorkeur.",
        purpose_fr="Retient une préférence.",
        purpose_en="Remembers a preference.",
        lifetime_value=3,
        lifetime_unit=Cookie.LifetimeUnit.MONTHS,
        activity=ProcessingActivity.objects.get(code="F"),
    )
    draft = statement_draft()
    assert draft is not None and "cdot_test_pref" in draft.body("en")
    assert "cdot_test_pref" not in client.get("/en/privacy/cookies/").content.decode()
    statement_draft_publish(draft=draft, approval=StatementVersion.Approval.AUTOMATIC)
    rows = cookie_rows(client.get("/en/privacy/cookies/").content.decode())
    assert "cdot_test_pref" in rows and "3 months" in rows and "Remembers a preference." in rows


def test_the_ropa_lists_the_cookies_under_purpose_f(published):
    data = ropa_data(language="en")
    activities = {a["code"]: a for a in data["activities"]}
    listed = {c["name"] for c in activities["F"]["cookies"]}
    assert listed and listed == set(
        Cookie.objects.filter(activity__code="F").values_list("name", flat=True)
    )
