"""Hints on the DPIA screenings (Art. 35) and the camera register (camera law of 21 March
2007, royal decree of 8 May 2018)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from .hints import Finding, _err, _warn, shared_reads
from .models import ProcessingActivity
from .models_cameras import FOOTAGE_RULE_CODE, FOOTAGE_TOO_LONG, footage_period_too_long
from .models_dpia import DpiaScreening


def check_dpia(activities: list[ProcessingActivity]) -> list[Finding]:
    """Every activity screened against WP248 and the GBA/APD list; a required DPIA present."""
    found = []
    today = timezone.localdate()
    screenings = {s.activity_id: s for s in DpiaScreening.objects.all()}
    for activity in activities:
        screening = screenings.get(activity.pk)
        if screening is None or not screening.result:
            found.append(
                _warn(
                    "dpia.not_screened",
                    _(
                        "Not screened for a DPIA yet: check the nine WP248 criteria and the "
                        "GBA/APD list."
                    ),
                    activity,
                    "35",
                    add_model=DpiaScreening,
                )
            )
            continue
        if screening.result == DpiaScreening.Result.REQUIRED and not (
            screening.dpia_document or screening.dpia_reference
        ):
            found.append(
                _err("dpia.missing", _("A DPIA is required and none is attached."), activity, "35")
            )
        if screening.review_on and screening.review_on <= today:
            found.append(
                _warn("dpia.review_due", _("The DPIA screening is due for review."), activity, "35")
            )
    return found


def check_cameras(activities: list[ProcessingActivity]) -> list[Finding]:
    """The footage rule within one month; each camera declared, validated and signposted."""
    found = []
    today = timezone.localdate()
    reads = shared_reads()
    filmed = {camera.retention_rule_id for camera in reads.cameras}
    for rule in reads.active_rules:
        if rule.code != FOOTAGE_RULE_CODE and rule.pk not in filmed:
            continue
        if footage_period_too_long(rule.period_value, rule.period_unit):
            found.append(_err("camera.footage_too_long", str(FOOTAGE_TOO_LONG), rule))
    for camera in reads.cameras:
        if camera.police_declared_on is None:
            found.append(
                _err(
                    "camera.not_declared",
                    _("Not declared to the police (royal decree of 8 May 2018)."),
                    camera,
                )
            )
        elif camera.next_validation() < today:
            found.append(
                _err(
                    "camera.validation_overdue",
                    _("The yearly validation of the police declaration is overdue."),
                    camera,
                )
            )
        if camera.pictogram_placed_on is None:
            found.append(
                _err("camera.no_pictogram", _("No pictogram recorded for this camera."), camera)
            )
    return found
