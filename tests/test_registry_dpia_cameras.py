"""DPIA screening (Art. 35, WP248, GBA/APD list) and the camera register (camera law of
21 March 2007, royal decree of 8 May 2018)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from registry.hints import register_findings
from registry.models import (
    Camera,
    DpiaScreening,
    ProcessingActivity,
    RetentionRule,
    dpia_state,
)
from registry.ropa import ropa_data
from requests_app.models import DataSubjectRequest

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)
SEED_AT = TODAY  # register_seeded_once seeds the module's register on this day


@pytest.fixture
def seeded(register_seeded_once, time_machine):
    """The register seeded on TODAY (once for the module), the clock stopped there."""
    time_machine.move_to(TODAY, tick=False)


def _errors(instance) -> dict[str, list[str]]:
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            instance.full_clean()
        return {k: [str(m) for m in v] for k, v in error.value.message_dict.items()}


def test_seeded_activities_are_not_screened_and_claim_no_dpia_result(seeded):
    activities = ProcessingActivity.objects.all()
    assert activities and all(a.dpia == "" for a in activities)
    with translation.override("en"):
        states = {a.code: dpia_state(a.pk) for a in activities}
        rows = {row["code"]: row["dpia"] for row in ropa_data(language="en")["activities"]}
    assert states["A"] == "not screened yet (Art. 35)"
    assert rows["A"] == "not screened yet (Art. 35)"
    assert not any("not required" in s for s in states.values())


def test_camera_surveillance_screening_has_its_criteria_and_awaits_a_decision(seeded):
    screening = DpiaScreening.objects.get(activity__code="F2")
    assert screening.criteria == ["systematic_monitoring", "vulnerable"]
    assert screening.result == "" and screening.screened_by is None
    assert screening.suggests_dpia  # two WP248 criteria
    with translation.override("en"):
        assert dpia_state(screening.activity_id) == ("screening started, not decided yet (Art. 35)")
        hint = [f for f in register_findings() if f.code == "dpia.not_screened"]
    assert screening.activity in {f.obj for f in hint}


def _screening(officer, **fields) -> DpiaScreening:
    activity = ProcessingActivity.objects.get(code="A")
    defaults = {
        "activity": activity,
        "screened_by": officer,
        "screened_on": TODAY,
        "review_on": date(2027, 6, 1),
    }
    return DpiaScreening(**(defaults | fields))


def test_a_gba_list_item_makes_a_dpia_required(seeded, officer):
    screening = _screening(
        officer,
        gba_items=["gba_communications"],
        result=DpiaScreening.Result.NOT_REQUIRED,
        reason="Small volumes.",
    )
    assert _errors(screening)["result"] == [
        "The processing is on the GBA/APD's list of processing that always needs a DPIA "
        "(Art. 35(4)): the result must be 'DPIA required'."
    ]


def test_not_required_needs_a_reason_and_two_criteria_need_a_full_one(seeded, officer):
    screening = _screening(officer, result=DpiaScreening.Result.NOT_REQUIRED)
    assert _errors(screening)["reason"] == ["Say why no DPIA is needed."]
    screening.criteria = ["large_scale", "matching"]
    screening.reason = "Small."
    assert "Two or more WP248 criteria are met" in _errors(screening)["reason"][0]
    screening.reason = (
        "The lists are matched only with the customer's own order history; no profiling, a "
        "few hundred persons."
    )
    screening.full_clean()


def test_a_decided_screening_has_its_dates_and_a_review_after_it(seeded, officer):
    screening = _screening(
        officer, result=DpiaScreening.Result.REQUIRED, review_on=TODAY, screened_on=TODAY
    )
    assert _errors(screening)["review_on"] == ["The review date must come after the screening."]
    screening.review_on = None
    assert _errors(screening)["review_on"] == [
        "A decided screening says when it was made and when to review it."
    ]


@pytest.mark.parametrize(
    ("field", "value", "language", "message"),
    [
        ("criteria", ["large_scale", "telepathy"], "nl", "Onbekende criteria: telepathy."),
        (
            "criteria",
            ["telepathy", "clairvoyance"],
            "en",
            "Unknown criteria: clairvoyance, telepathy.",
        ),
        ("gba_items", ["gba_drones"], "fr", "Critères inconnus : gba_drones."),
        # a WP248 code among the GBA/APD items is not one of its items either
        ("gba_items", ["evaluation"], "en", "Unknown criteria: evaluation."),
        # one code instead of a list: it was read letter by letter
        ("criteria", "evaluation", "nl", "Geef de criteria als een lijst van codes."),
        ("gba_items", {"gba_iot": True}, "en", "Give the criteria as a list of codes."),
    ],
)
def test_unknown_dpia_criteria_are_refused_on_their_own_field(
    seeded, officer, field, value, language, message
):
    screening = _screening(officer, **{field: value})
    with translation.override(language):
        with pytest.raises(ValidationError) as error:
            screening.full_clean()
        errors = {k: [str(m) for m in v] for k, v in error.value.message_dict.items()}
    assert errors == {field: [message]}
    assert not DpiaScreening.objects.filter(activity__code="A").exists()


def test_a_required_dpia_without_document_is_a_register_error_and_shows_in_the_ropa(
    seeded, officer
):
    screening = _screening(officer, result=DpiaScreening.Result.REQUIRED, criteria=["evaluation"])
    screening.full_clean()
    screening.save()
    with translation.override("en"):
        errors = [f for f in register_findings() if f.code == "dpia.missing"]
        row = next(r for r in ropa_data(language="en")["activities"] if r["code"] == "A")
    assert [f.obj.code for f in errors] == ["A"]
    assert row["dpia"].startswith("DPIA required, not carried out yet (screened on 01-06-2026")
    screening.dpia_reference = "DPIA-2026-01"
    screening.save()
    with translation.override("en"):
        row = next(r for r in ropa_data(language="en")["activities"] if r["code"] == "A")
    assert row["dpia"].startswith("DPIA required: DPIA-2026-01")


def _camera(**fields) -> Camera:
    defaults = {
        "activity": ProcessingActivity.objects.get(code="F2"),
        "location": "Entrance, Industrieweg",
        "mobility": Camera.Mobility.FIXED,
        "setting": Camera.Setting.OUTDOOR,
        "place": Camera.Place.PRIVATE_PUBLIC,
        "purpose": "Protect the premises against burglary.",
        "legal_basis": "Legitimate interest (Art. 6(1)(f)) under the camera law.",
        "retention_rule": RetentionRule.objects.get(code="camera-footage"),
        "viewers": "The managing director only.",
    }
    return Camera(**(defaults | fields))


FOOTAGE_MESSAGE = (
    "Camera images may be kept at most one month (camera law of 21 March 2007). Set the "
    "period to 1 month or less (at most 28 days when counted in days)."
)


@pytest.mark.parametrize(
    ("value", "unit", "refused"),
    [
        (14, "days", False),
        (28, "days", False),
        (29, "days", True),
        (1, "months", False),
        (2, "months", True),
        (1, "years", True),
    ],
)
def test_a_footage_rule_over_one_month_is_refused(seeded, value, unit, refused):
    rule = RetentionRule.objects.get(code="camera-footage")
    rule.period_value, rule.period_unit = value, unit
    if refused:
        assert _errors(rule)["period_value"] == [FOOTAGE_MESSAGE]
    else:
        rule.full_clean()


def test_a_camera_on_a_long_rule_is_refused_and_the_rule_is_a_register_error(seeded):
    rule = RetentionRule.objects.get(code="camera-footage")
    RetentionRule.objects.filter(pk=rule.pk).update(period_value=3, period_unit="months")
    rule.refresh_from_db()
    assert _errors(_camera(retention_rule=rule, police_declared_on=TODAY, police_reference="R"))[
        "retention_rule"
    ] == [FOOTAGE_MESSAGE]
    with translation.override("en"):
        errors = [f for f in register_findings() if f.code == "camera.footage_too_long"]
    assert [f.obj for f in errors] == [rule] and errors[0].level == "error"


def test_camera_declaration_needs_its_reference_and_is_validated_yearly(seeded, time_machine):
    camera = _camera(police_declared_on=date(2025, 5, 20))
    assert _errors(camera) == {"police_reference": ["Keep the reference of the declaration."]}
    camera.police_reference = "DC-2025-0042"
    camera.pictogram_placed_on = date(2025, 5, 18)
    camera.full_clean()
    camera.save()
    assert camera.next_validation() == date(2026, 5, 20)
    assert Camera.objects.validation_due(TODAY) == [camera]
    with translation.override("en"):
        overdue = [f for f in register_findings() if f.code == "camera.validation_overdue"]
    assert [f.obj for f in overdue] == [camera]
    camera.last_validated_on = date(2026, 5, 25)
    camera.save()
    assert camera.next_validation() == date(2027, 5, 25)
    assert Camera.objects.validation_due(TODAY) == []


def test_an_undeclared_camera_without_pictogram_gives_two_register_errors(seeded):
    camera = _camera()
    camera.save()
    with translation.override("en"):
        found = {f.code: f.message for f in register_findings() if f.obj == camera}
    assert found == {
        "camera.not_declared": "Not declared to the police (royal decree of 8 May 2018).",
        "camera.no_pictogram": "No pictogram recorded for this camera.",
    }


def test_viewing_camera_images_is_a_request_type_of_its_own():
    assert DataSubjectRequest.Type.CAMERA_IMAGES == "camera_images"
    with translation.override("en"):
        assert DataSubjectRequest.Type.CAMERA_IMAGES.label == (
            "Viewing camera images of me (camera law, art. 12)"
        )
    with translation.override("nl"):
        assert "camerabeelden" in str(DataSubjectRequest.Type.CAMERA_IMAGES.label).lower()
