"""The register's duties on the staff dashboard: DPIA screenings still open (Art. 35) and the
cameras' police declarations (royal decree of 8 May 2018), with the yearly validation."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ProcessingActivity
from .models_cameras import Camera
from .models_dpia import DpiaScreening, screening_state


def screenings_dashboard(now: datetime) -> dict:
    """Active activities not screened or undecided, DPIAs required but missing, reviews due."""
    today = timezone.localdate(now)
    screenings = {s.activity_id: s for s in DpiaScreening.objects.all()}
    rows = []
    for activity in ProcessingActivity.objects.filter(status=ProcessingActivity.Status.ACTIVE):
        s = screenings.get(activity.pk)
        open_item = (
            s is None
            or not s.result
            or (
                s.result == DpiaScreening.Result.REQUIRED
                and not (s.dpia_document or s.dpia_reference)
            )
            or (s.review_on is not None and s.review_on <= today)
        )
        if open_item:
            url = (
                reverse("admin:registry_dpiascreening_change", args=[s.pk])
                if s
                else reverse("admin:registry_dpiascreening_add") + f"?activity={activity.pk}"
            )
            rows.append({"activity": str(activity), "state": screening_state(s), "url": url})
    return {
        "title": _("DPIA screenings to do (Art. 35)"),
        "rows": rows,
        "data": {"total": len(rows), "tile_label": _("DPIA screenings to do")},
    }


def cameras_dashboard(now: datetime) -> dict:
    """Each camera's police declaration: missing, or its yearly validation due soon or late."""
    today = timezone.localdate(now)
    rows = []
    for camera in Camera.objects.order_by("location"):
        due = camera.next_validation()
        if due is None:
            state, level = _("not declared to the police"), "error"
        elif due < today:
            state = _("yearly validation overdue since %(date)s") % {
                "date": due.strftime("%d-%m-%Y")
            }
            level = "error"
        else:
            state = _("next yearly validation by %(date)s") % {"date": due.strftime("%d-%m-%Y")}
            level = "warning" if camera.validation_is_due(today) else "ok"
        rows.append(
            {
                "camera": camera.location,
                "state": state,
                "level": level,
                "reference": camera.police_reference,
                "url": reverse("admin:registry_camera_change", args=[camera.pk]),
            }
        )
    return {
        "title": _("Camera declarations to the police"),
        "rows": rows,
        "data": {
            "attention": sum(1 for r in rows if r["level"] != "ok"),
            "late": sum(1 for r in rows if r["level"] == "error"),
            "tile_label": _("camera declarations to make or validate"),
        },
    }
