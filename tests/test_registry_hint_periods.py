"""Issue 13: a rule's public sentence repeats its period in free text in three languages; a
register hint fails when a number in it differs from the period field."""

import pytest

from registry.hints import register_findings
from registry.models import ProcessingActivity, RetentionRule
from tests.records_factories import rule

pytestmark = pytest.mark.django_db
CODE = "retention.statement_period_mismatch"


def _mismatches(found: RetentionRule) -> list:
    return [f for f in register_findings() if f.code == CODE and f.obj == found]


def _texts(found: RetentionRule, nl: str, fr: str, en: str) -> None:
    ProcessingActivity.objects.filter(pk=found.activity_id).update(
        status=ProcessingActivity.Status.ACTIVE
    )
    RetentionRule.objects.filter(pk=found.pk).update(
        statement_text_nl=nl, statement_text_fr=fr, statement_text_en=en
    )
    found.refresh_from_db()


def test_texts_that_state_the_rules_period_raise_no_hint():
    found = rule("prospect", 1, "years", "first_contact")
    _texts(
        found,
        "Gegevens van prospecten worden 1 jaar na het eerste contact bijgehouden.",
        "Les données des prospects sont conservées 1 an après le premier contact.",
        "Prospects' data are kept for 1 year after the first contact.",
    )
    assert _mismatches(found) == []


def test_a_period_changed_in_the_field_but_not_in_the_text_is_flagged_per_language():
    found = rule("prospect", 1, "years", "first_contact")
    _texts(
        found,
        "Gegevens van prospecten worden 1 jaar na het eerste contact bijgehouden.",
        "Les données des prospects sont conservées 1 an après le premier contact.",
        "Prospects' data are kept for 1 year after the first contact.",
    )
    RetentionRule.objects.filter(pk=found.pk).update(period_value=2)
    found.refresh_from_db()
    findings = _mismatches(found)
    assert len(findings) == 3
    assert all(f.level == "error" for f in findings)


def test_days_and_months_are_read_in_each_language():
    found = rule("camera-footage", 14, "days", "recorded_at")
    _texts(
        found,
        "Camerabeelden worden na 30 dagen verwijderd.",
        "Les images sont supprimées après 14 jours.",
        "Footage is deleted after 2 months.",
    )
    assert len(_mismatches(found)) == 2


def test_the_hint_speaks_the_staff_language():
    """A Dutch officer reads "Nederlands" and "30 dagen", not the code "nl" and "30 days"."""
    from django.utils import translation

    found = rule("camera-footage", 14, "days", "recorded_at")
    _texts(
        found,
        "Camerabeelden worden na 30 dagen verwijderd.",
        "Les images sont supprimées après 14 jours.",
        "Footage is deleted after 14 days.",
    )
    with translation.override("nl"):
        (finding,) = _mismatches(found)
        message = str(finding.message)
    assert "(Nederlands)" in message
    assert "30 dagen" in message
    assert "14 dagen" in message
    assert "days" not in message
