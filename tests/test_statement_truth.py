"""The statement says only what the system does (#13 point 6): each claim below is rendered
from register data that makes it true, checked in nl, fr and en."""

import re

import pytest
from django.utils import translation

from registry.automation import rule_is_automated
from registry.hints import register_findings
from registry.models import ProcessingActivity, Recipient, RetentionRule, Transfer
from retention.targets import FILE_STORES, TARGETS, Action, ReviewTarget
from statement.services import statement_render
from tests.statement_support import LANGUAGES, TEST_SOURCE, page_text

pytestmark = pytest.mark.django_db

AUTOMATIC = {
    "nl": "Daarna automatisch verwijderd.",
    "fr": "Ensuite supprimées automatiquement.",
    "en": "Then deleted automatically.",
}
AUTOMATIC_ANONYMISED = {  # a staff name giving way to the role (statement-approver, ...)
    "nl": "Daarna automatisch geanonimiseerd.",
    "fr": "Ensuite anonymisées automatiquement.",
    "en": "Then anonymised automatically.",
}
BY_STAFF = {
    "nl": "Daarna verwijderd door onze medewerkers.",
    "fr": "Ensuite supprimées par notre personnel.",
    "en": "Then deleted by our staff.",
}
REVIEW_12 = {
    "nl": "Elke 12 maanden nagekeken door onze medewerkers",
    "fr": "Réexaminées par notre personnel tous les 12 mois",
    "en": "Reviewed by our staff every 12 months",
}
OLD_CLAIM = {
    "nl": "automatisch verwijderd of geanonimiseerd",
    "fr": "supprimées ou anonymisées automatiquement",
    "en": "deleted or anonymised automatically",
}
ELSEWHERE = {
    "nl": "Sommige gegevens komen van elders",
    "fr": "Certaines données proviennent d'ailleurs",
    "en": "Some data come from elsewhere",
}
NO_TRANSFER = {
    "nl": "Wij geven uw persoonsgegevens niet door aan landen buiten",
    "fr": "Nous ne transférons pas vos données personnelles vers des pays",
    "en": "We do not transfer your personal data to countries outside",
}
BELGIUM = {"nl": "België", "fr": "Belgique", "en": "Belgium"}
B_PERIOD = {
    "nl": "niet langer dan een jaar na het eerste contact",
    "fr": "pas plus d'un an après le premier contact",
    "en": "no longer than one year after first contact",
}
B_OLD = {"nl": "zonder nieuw contact", "fr": "sans nouveau contact", "en": "without new contact"}


@pytest.fixture
def seeded(register_seeded_once):
    """C-DOT's register as the seed loads it: no recipient country, no source (seeded once
    for the module; each test's changes are rolled back)."""


def bodies() -> dict[str, str]:
    return statement_render().bodies


def row(body: str, code: str) -> str:
    match = re.search(rf'<tr id="retention-{code}">.*?</tr>', body, re.S)
    assert match, code
    return page_text(match.group(0))


def section(body: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', body, re.S)
    return page_text(match.group(0)) if match else ""


def test_the_automated_flag_follows_the_purge_targets(seeded):
    """A rule is automatic exactly when retention/targets.py deletes or anonymises its rows,
    or a beat task ends the file store it governs (FILE_STORES: the erasure ledger)."""
    by_task = {code for _fields, code, _task in FILE_STORES.values()}
    for rule in RetentionRule.objects.active():
        target = TARGETS.get(rule.code)
        engine_applies = rule.code in by_task or (
            target is not None
            and not isinstance(target, ReviewTarget)
            and target.action not in (Action.REVIEW, Action.DELETION_TASK)
        )
        expected = engine_applies and rule.action in ("delete", "anonymise")
        assert rule_is_automated(code=rule.code, action=rule.action) is expected, rule.code


@pytest.mark.parametrize("lang", LANGUAGES)
def test_deleted_automatically_only_for_rules_the_purge_applies(seeded, lang):
    body = bodies()[lang]
    assert OLD_CLAIM[lang] not in page_text(body)
    rules = list(RetentionRule.objects.active())
    assert any(rule_is_automated(code=r.code, action=r.action) for r in rules)
    for rule in rules:
        text = row(body, rule.code)
        automated = rule_is_automated(code=rule.code, action=rule.action)
        claim = AUTOMATIC_ANONYMISED if rule.action == "anonymise" else AUTOMATIC
        assert (claim[lang] in text) is automated, (rule.code, text)
    assert BY_STAFF[lang] in row(body, "processor-data")  # the client's systems delete


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_review_rule_says_how_and_how_often_it_is_reviewed(seeded, lang):
    rule = RetentionRule.objects.get_by_code("customer-contact")
    assert rule.action == "review" and rule.review_every_months == 12
    text = row(bodies()[lang], "customer-contact")
    assert REVIEW_12[lang] in text
    assert AUTOMATIC[lang] not in text
    with translation.override(lang):
        assert re.sub(r"\s+", " ", rule.statement_text or rule.criterion).strip() in text

    RetentionRule.objects.filter(code="customer-contact").update(review_every_months=None)
    assert "rule.review_frequency" in {f.code for f in register_findings()}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_where_data_come_from_only_when_an_activity_has_sources(seeded, lang):
    ProcessingActivity.objects.update(data_source_nl="", data_source_fr="", data_source_en="")
    data = section(bodies()[lang], "data")
    assert ELSEWHERE[lang] not in data
    assert not re.search(r":\s*$", data.strip())

    ProcessingActivity.objects.filter(code="B").update(
        **{f"data_source_{code}": text for code, text in TEST_SOURCE.items()}
    )
    data = section(bodies()[lang], "data")
    assert ELSEWHERE[lang] in data
    assert TEST_SOURCE[lang] in data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recipient_countries_only_from_the_register(seeded, lang):
    assert not Recipient.objects.exclude(country="").exists()  # the seed does not know them
    recipients = section(bodies()[lang], "recipients")
    assert BELGIUM[lang] not in recipients
    assert "recipient.country" in {f.code for f in register_findings()}

    Recipient.objects.filter(code="accountant").update(country="BE")
    assert BELGIUM[lang] in section(bodies()[lang], "recipients")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_transfers_section_only_says_what_the_register_holds(seeded, lang):
    body = bodies()[lang]
    assert 'id="transfers"' not in body  # countries unknown: nothing is claimed
    assert NO_TRANSFER[lang] not in page_text(body)

    Recipient.objects.update(country="BE", inside_eea=True)
    assert NO_TRANSFER[lang] in section(bodies()[lang], "transfers")

    activity = ProcessingActivity.objects.get(code="E")
    activity.transfers_outside_eea = True
    activity.save()
    recipient = Recipient.objects.get(code="newsletter-ecommerce")
    Recipient.objects.filter(pk=recipient.pk).update(country="US", inside_eea=False)
    activity.recipients.add(recipient)
    Transfer.objects.create(activity=activity, recipient=recipient, country="US", safeguard="scc")
    transfers = section(bodies()[lang], "transfers")
    assert NO_TRANSFER[lang] not in transfers
    assert getattr(recipient, f"name_{lang}") in transfers


@pytest.mark.parametrize("lang", LANGUAGES)
def test_internal_notes_are_never_published(seeded, lang):
    f2 = ProcessingActivity.objects.get(code="F2")
    assert "vorige privacyverklaring" in f2.notes  # the seed keeps it for staff
    ProcessingActivity.objects.filter(code="A").update(notes="INTERNAL-ONLY-7f3a")
    text = page_text(bodies()[lang])
    assert "INTERNAL-ONLY-7f3a" not in text
    for phrase in ("vorige privacyverklaring", "ancienne déclaration", "previous privacy"):
        assert phrase not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_purpose_b_says_one_year_after_first_contact_as_its_rule(seeded, lang):
    rule = RetentionRule.objects.get_by_code("prospect")
    assert (rule.period_value, rule.period_unit, rule.anchor) == (1, "years", "first_contact")
    body = bodies()[lang]
    purpose_b = re.search(
        r'<section class="purpose" aria-labelledby="purpose-B">.*?</section>', body, re.S
    )
    text = page_text(purpose_b.group(0))
    assert B_PERIOD[lang] in text
    assert B_OLD[lang] not in page_text(body)


def test_a_rule_text_naming_another_period_fails_a_register_hint(seeded):
    code = "retention.statement_period_mismatch"  # registry.hints_retention
    assert code not in {f.code for f in register_findings()}
    RetentionRule.objects.filter(code="camera-footage").update(period_value=30)
    with translation.override("en"):
        findings = [f for f in register_findings() if f.code == code]
        named = {str(f.message).split("(")[1].split(")")[0] for f in findings}
    assert named == {"Dutch", "French", "English"}  # one hint per language of the text
    RetentionRule.objects.filter(code="camera-footage").update(
        period_value=30,
        statement_text_nl="Camerabeelden worden na 30 dagen verwijderd.",
        statement_text_fr="Les images de caméras sont supprimées après 30 jours.",
        statement_text_en="Camera footage is deleted after 30 days.",
    )
    assert code not in {f.code for f in register_findings()}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_rule_row_shows_the_period_from_its_fields(seeded, lang):
    body = bodies()[lang]
    with translation.override(lang):
        for rule in RetentionRule.objects.active():
            text = row(body, rule.code)
            if rule.period_value:
                assert rule.period_display() in text, rule.code
            assert str(rule.get_anchor_display()) in text, rule.code


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_company_is_c_dot_bv_in_the_statement_and_its_mails(seeded, lang):
    from django.template.loader import render_to_string

    from registry.models import Organisation

    org = Organisation.objects.current()
    assert (org.legal_name, org.legal_form) == ("C-DOT BV", "BV")
    rendered = statement_render()
    text = page_text(rendered.bodies[lang] + rendered.footers[lang])
    assert "C-DOT BV" in text
    assert "bvba" not in text.lower()
    with translation.override(lang):
        signature = render_to_string("requests_app/email/signature.txt", {"organisation": None})
    assert "C-DOT BV" in signature and "bvba" not in signature.lower()


def test_a_register_still_naming_the_bvba_becomes_a_bv(seeded):
    from importlib import import_module

    from django.apps import apps

    from registry.models import Organisation

    Organisation.objects.update(legal_name="C-DOT bvba", legal_form="bvba")
    import_module("statement.migrations.0005_company_is_a_bv").company_is_a_bv(apps, None)
    org = Organisation.objects.current()
    assert (org.legal_name, org.legal_form) == ("C-DOT BV", "BV")
