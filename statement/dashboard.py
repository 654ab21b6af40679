"""The statement's part of the staff dashboard: a draft awaiting review, with its date, and the
staff privacy notice when the register changed what it says (or it was never published)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registry.hints import Finding

from .hints import staff_notice_findings
from .models import StatementVersion


def statement_dashboard(now, *, staff_notice: list[Finding] | None = None) -> dict[str, Any]:
    """Title, rows (level / text / link) and the tile's count and label. ``staff_notice``: the
    staff notice's findings when the caller has them already (``staff_notice_among``)."""
    draft = StatementVersion.objects.pending_draft()
    rows = []
    if draft is not None:
        when = date_format(timezone.localtime(draft.publish_after), "DATETIME_FORMAT")
        overdue = draft.publish_after <= now
        rows.append(
            {
                "text": _(
                    "A draft of the privacy statement awaits review. It publishes itself on "
                    "%(date)s unless a privacy officer publishes it earlier."
                )
                % {"date": when},
                "level": "bad" if overdue else "warning",
                "url": reverse("admin:statement_statementversion_review", args=[draft.pk]),
            }
        )
    drafts = len(rows)
    # The staff notice is published by an officer only: say when the register outgrew it.
    if staff_notice is None:
        staff_notice = staff_notice_findings()
    rows.extend({"text": f.message, "level": "warning", "url": f.url} for f in staff_notice)
    return {
        "title": _("Privacy statement"),
        "rows": rows,
        "data": {"drafts": drafts, "tile_label": _("statement drafts awaiting review")},
    }
