"""The public statement says everything GDPR Art. 13(1)-(2) and 14(1)-(2) require, with C-DOT's
values from the register, in nl, fr and en, on the page and in the PDF; it is served from the
stored version (one query, ETag, 304)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.http import http_date

from registry.models import (
    DataCategory,
    Organisation,
    ProcessingActivity,
    RetentionRule,
    SecurityMeasure,
    SupervisoryAuthority,
)
from statement.serving import forget
from tests.pdf_text import pdf_text
from tests.statement_support import (
    FORMER_AUTHORITY,
    LANGUAGES,
    TEST_KBO,
    TEST_SOURCE,
    page_text,
    published_register,
)

pytestmark = pytest.mark.django_db

# Fixed wording a visitor must find, per language (the register supplies everything else).
WORDING = {
    "nl": {
        "no_dpo": "Wij hebben geen functionaris voor gegevensbescherming (DPO) aangesteld",
        "basis_f": "Ons gerechtvaardigd belang (art. 6, lid 1, f AVG)",
        "basis_b": "De uitvoering van een overeenkomst met u",
        "interest": "Ons gerechtvaardigd belang",
        "no_transfer": "Wij geven uw persoonsgegevens niet door aan landen buiten de Europese "
        "Economische Ruimte",
        "rights": [
            "Inzage (art. 15 AVG)",
            "Verbetering (art. 16 AVG)",
            "Wissing (art. 17 AVG)",
            "Beperking (art. 18 AVG)",
            "Bezwaar (art. 21 AVG)",
            "Overdraagbaarheid (art. 20 AVG)",
            "Intrekking van toestemming (art. 7, lid 3 AVG)",
        ],
        "id_copy": ["kopie van uw identiteitskaart", "pasfoto onzichtbaar", "“kopie”"],
        "deadline": "uiterlijk binnen een maand",
        "complaint": "klacht in te dienen bij de toezichthoudende autoriteit",
        "authority": "Gegevensbeschermingsautoriteit (GBA)",
        "authority_address": "Drukpersstraat 35, 1000 Brussel",
        "must_provide": "Moet u ze verstrekken?",
        "no_automated": "Wij nemen over u geen beslissingen die uitsluitend op geautomatiseerde "
        "verwerking",
        "last_changed": "laatst gewijzigd op",
        "retention_caption": "Bewaartermijnen",
        "company_number": "Ondernemingsnummer (KBO)",
    },
    "fr": {
        "no_dpo": "Nous n'avons pas désigné de délégué à la protection des données (DPO)",
        "basis_f": "Notre intérêt légitime (art. 6, par. 1, f RGPD)",
        "basis_b": "L'exécution d'un contrat conclu avec vous",
        "interest": "Notre intérêt légitime",
        "no_transfer": "Nous ne transférons pas vos données personnelles vers des pays situés en "
        "dehors de l'Espace économique européen",
        "rights": [
            "Accès (art. 15 RGPD)",
            "Rectification (art. 16 RGPD)",
            "Effacement (art. 17 RGPD)",
            "Limitation (art. 18 RGPD)",
            "Opposition (art. 21 RGPD)",
            "Portabilité (art. 20 RGPD)",
            "Retrait du consentement (art. 7, par. 3 RGPD)",
        ],
        "id_copy": ["copie de votre carte d'identité", "photo invisible", "« copie »"],
        "deadline": "au plus tard dans un mois",
        "complaint": "introduire une réclamation auprès de l'autorité de contrôle",
        "authority": "Autorité de protection des données (APD)",
        "authority_address": "Rue de la Presse 35, 1000 Bruxelles",
        "must_provide": "Devez-vous les fournir ?",
        "no_automated": "Nous ne prenons à votre égard aucune décision fondée exclusivement sur "
        "un traitement automatisé",
        "last_changed": "dernière modification le",
        "retention_caption": "Durées de conservation",
        "company_number": "Numéro d'entreprise (BCE)",
    },
    "en": {
        "no_dpo": "We have not appointed a data protection officer (DPO)",
        "basis_f": "Our legitimate interest (Art. 6(1)(f) GDPR)",
        "basis_b": "Performance of a contract with you",
        "interest": "Our legitimate interest",
        "no_transfer": "We do not transfer your personal data to countries outside the European "
        "Economic Area",
        "rights": [
            "Access (Art. 15 GDPR)",
            "Rectification (Art. 16 GDPR)",
            "Erasure (Art. 17 GDPR)",
            "Restriction (Art. 18 GDPR)",
            "Objection (Art. 21 GDPR)",
            "Data portability (Art. 20 GDPR)",
            "Withdrawal of consent (Art. 7(3) GDPR)",
        ],
        "id_copy": ["copy of your identity card", "photo invisible", "“copy”"],
        "deadline": "at the latest within one month",
        "complaint": "lodge a complaint with the supervisory authority",
        "authority": "Data Protection Authority (GBA/APD)",
        "authority_address": "Rue de la Presse 35 / Drukpersstraat 35, 1000 Brussels",
        "must_provide": "Must you provide them?",
        "no_automated": "We do not take decisions about you based solely on automated processing",
        "last_changed": "last changed on",
        "retention_caption": "Retention periods",
        "company_number": "Company number (KBO/BCE)",
    },
}


@pytest.fixture(scope="module")
def version(django_db_setup, django_db_blocker):
    with published_register(django_db_blocker) as published:
        yield published


@pytest.fixture
def page(client, version):
    """The statement page per language, as a visitor gets it."""

    def get(lang: str) -> str:
        response = client.get(f"/{lang}/privacy/")
        assert response.status_code == 200
        return response.content.decode()

    return get


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def controller_activities(lang: str) -> list[ProcessingActivity]:
    with translation.override(lang):
        activities = ProcessingActivity.objects.active().filter(
            role=ProcessingActivity.Role.CONTROLLER
        )
        return list(activities.prefetch_related("data_categories", "recipients"))


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?(?=<section id="|\Z)', html, re.S)
    assert match, f"section #{section_id} missing"
    return page_text(match.group(0))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_controller_identity_company_number_and_contact_art_13_1_a(page, lang):
    text = section(page(lang), "controller")
    org = Organisation.objects.current()
    for value in (org.legal_name, org.street, f"{org.postal_code} {org.city}", org.email):
        assert value in text
    assert org.phone in text
    assert f"{WORDING[lang]['company_number']} 0123.456.749" in text
    assert f"BE{TEST_KBO}" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_contact_and_absence_of_a_dpo_art_13_1_b(page, lang):
    text = section(page(lang), "controller")
    assert Organisation.objects.current().privacy_contact_email in text
    assert WORDING[lang]["no_dpo"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_purpose_with_its_legal_basis_and_legitimate_interest_art_13_1_c_d(page, lang):
    text = section(page(lang), "purposes")
    activities = controller_activities(lang)
    assert {a.code for a in activities} >= {"A", "B", "C", "D", "E", "F", "G"}
    with translation.override(lang):
        for activity in activities:
            assert f"{activity.code}. {activity.name}" in text
            assert squash(activity.purpose) in text
            if activity.uses_legitimate_interest:
                assert squash(activity.legitimate_interest) in text
    assert WORDING[lang]["basis_f"] in text
    assert WORDING[lang]["basis_b"] in text
    assert WORDING[lang]["interest"] in text
    assert "Gerechtigd belang" not in page(lang)  # the seed's typo


@pytest.mark.parametrize("lang", LANGUAGES)
def test_categories_of_data_and_their_source_art_14_1_d_and_2_f(page, lang):
    text = section(page(lang), "data")
    with translation.override(lang):
        used = DataCategory.objects.filter(activities__status="active").distinct()
        for category in used:
            assert category.name in text
    assert TEST_SOURCE[lang] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recipients_by_name_and_service_art_13_1_e(page, lang):
    text = section(page(lang), "recipients")
    with translation.override(lang):
        for activity in controller_activities(lang):
            for recipient in activity.recipients.all():
                assert recipient.name in text
                assert squash(recipient.service) in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_transfers_outside_the_eea_is_stated_art_13_1_f(page, lang):
    assert WORDING[lang]["no_transfer"] in section(page(lang), "transfers")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_retention_table_shows_every_rule_with_period_and_text_art_13_2_a(page, lang):
    html = page(lang)
    table = re.search(r'<table class="retention">.*?</table>', html, re.S)
    assert table, "retention table missing"
    text = page_text(table.group(0))
    assert WORDING[lang]["retention_caption"] in text
    with translation.override(lang):
        rules = RetentionRule.objects.active().select_related("activity")
        assert rules.count() >= 9
        for rule in rules:
            if rule.period_value:
                assert rule.period_display() in text, rule.code
            assert squash(rule.statement_text or rule.criterion) in text, rule.code
        assert RetentionRule.objects.get_by_code("camera-footage").period_display() in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rights_including_withdrawal_of_consent_art_13_2_b_c(page, lang):
    text = section(page(lang), "rights")
    for right in WORDING[lang]["rights"]:
        assert right in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_how_to_exercise_rights_links_the_form_and_gives_the_id_copy_advice(page, lang):
    html = page(lang)
    exercise = re.search(r'<section id="exercise".*?</section>', html, re.S).group(0)
    assert f'href="/{lang}/privacy/request/"' in exercise
    text = page_text(exercise)
    for words in WORDING[lang]["id_copy"]:
        assert words in text
    assert WORDING[lang]["deadline"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_complaint_to_the_gba_apd_with_current_contact_data_art_13_2_d(page, lang):
    text = section(page(lang), "complaints")
    assert WORDING[lang]["complaint"] in text
    assert WORDING[lang]["authority"] in text
    assert WORDING[lang]["authority_address"] in text
    with translation.override(lang):
        authority = SupervisoryAuthority.objects.current()
        assert authority.phone == "+32 2 274 48 00"
        for value in (authority.phone, authority.email, authority.website):
            assert value in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_whether_data_are_required_and_the_consequence_art_13_2_e(page, lang):
    text = section(page(lang), "purposes")
    assert text.count(WORDING[lang]["must_provide"]) == len(controller_activities(lang))
    with translation.override(lang):
        for activity in controller_activities(lang):
            if activity.consequence_of_not_providing:
                assert squash(activity.consequence_of_not_providing) in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_automated_decision_making_is_stated_art_13_2_f(page, lang):
    assert WORDING[lang]["no_automated"] in section(page(lang), "automated")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_security_measures_and_change_announcements(page, lang, version):
    html = page(lang)
    text = section(html, "security")
    with translation.override(lang):
        for measure in SecurityMeasure.objects.all():
            assert measure.name in text
    meta = page_text(re.search(r'<p class="statement-meta">.*?</p>', html, re.S).group(0))
    assert WORDING[lang]["last_changed"] in meta
    assert f'href="/{lang}/privacy/versions/"' in html
    footer = page_text(re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0))
    assert "C-DOT BV" in footer and "0123.456.749" in footer  # the footer comes from the version


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_trace_of_the_former_privacy_commission_anywhere(client, version, lang):
    for url in (
        f"/{lang}/privacy/",
        f"/{lang}/privacy/versions/",
        f"/{lang}/privacy/versions/{version.number}/",
    ):
        html = client.get(url).content.decode()
        assert not FORMER_AUTHORITY.search(page_text(html)), url
        assert not FORMER_AUTHORITY.search(html), url
    assert not FORMER_AUTHORITY.search(
        pdf_text(client.get(f"/{lang}/privacy/statement.pdf").content)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_has_the_same_content_as_the_page(client, version, lang):
    response = client.get(f"/{lang}/privacy/statement.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    with translation.override(lang):
        org = Organisation.objects.current()
        for value in (org.legal_name, org.street, "0123.456.749", org.email):
            assert value in text
        for activity in controller_activities(lang):
            assert f"{activity.code}. {activity.name}" in text
        for rule in RetentionRule.objects.active():
            if rule.period_value:
                assert rule.period_display() in text
        assert SupervisoryAuthority.objects.current().email in text
    assert WORDING[lang]["authority"] in text
    for right in WORDING[lang]["rights"]:
        assert right in text
    assert f"/{lang}/privacy/request/" in text  # the form's address, printed for paper readers


@pytest.mark.parametrize("lang", LANGUAGES)
def test_table_of_contents_leads_to_every_section(page, lang):
    html = page(lang)
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([\w-]+)"', toc)
    assert len(targets) == 14  # with the cookie section (issue 15)
    for target in targets:
        assert html.count(f'id="{target}"') == 1, target


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_costs_at_most_one_query(client, version, lang, django_assert_max_num_queries):
    forget()  # as in a freshly started worker
    with django_assert_max_num_queries(1):
        response = client.get(f"/{lang}/privacy/")
    assert response.status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(f"/{lang}/privacy/statement.pdf").status_code == 200


def test_matching_etag_gets_304_without_a_body(client, version):
    first = client.get("/nl/privacy/")
    assert first["Cache-Control"] == "public, max-age=300, must-revalidate"
    assert first["Last-Modified"] == http_date(version.published_at.timestamp())
    etag = first["ETag"]
    again = client.get("/nl/privacy/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get("/nl/privacy/", headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    other = client.get("/nl/privacy/", headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200
    assert client.get("/fr/privacy/")["ETag"] != etag  # each language is its own resource
    pdf = client.get("/nl/privacy/statement.pdf")
    assert (
        client.get("/nl/privacy/statement.pdf", headers={"if-none-match": pdf["ETag"]}).status_code
        == 304
    )


def test_an_old_if_modified_since_gets_the_page(client, version):
    earlier = http_date((version.published_at - timedelta(days=1)).timestamp())
    response = client.get("/nl/privacy/", headers={"if-modified-since": earlier})
    assert response.status_code == 200
    assert timezone.now() >= version.published_at
