"""The staff privacy notice's register hint (issue 16, purpose G; Art. 13 GDPR).

A register change redrafts the public statement by itself, but the staff notice is published
only when an officer publishes it (and gives it to the staff). This hint says when the latest
published version no longer says what the register says, or when none was ever published, and
links to the page where the officer publishes it. The statement app adds it to
``registry.hints.CHECKS`` in ``StatementConfig.ready`` (registry imports no other app); the
statement's dashboard card shows it too, since the register card lists only the first hints.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from registry.hints import Finding, Level
from registry.models import ProcessingActivity

from .staff_notice import StaffNoticeState, staff_notice_sources, staff_notice_state

# Art. 13: staff are told about the processing of their data when it is collected.
ARTICLE = "13"


def staff_notice_findings(
    *, active_activities: list[ProcessingActivity] | None = None
) -> list[Finding]:
    """One warning while the published notice lags behind the register, else none."""
    state = staff_notice_state(sources=staff_notice_sources(active_activities=active_activities))
    if state == StaffNoticeState.UNPUBLISHED:
        code = "staff_notice.unpublished"
        message = _(
            "The staff privacy notice has never been published: publish it from the register "
            "and give it to the staff."
        )
    elif state == StaffNoticeState.STALE:
        code = "staff_notice.stale"
        message = _(
            "The register changed what the staff privacy notice says: publish a new version "
            "and give it to the staff."
        )
    else:  # current, or the register cannot make a notice (other hints say what is missing)
        return []
    return [
        Finding(
            Level.WARNING,
            code,
            message,
            article=ARTICLE,
            url=reverse("admin:statement_staffnoticeversion_changelist"),
            link_text=_("Staff privacy notice"),
        )
    ]


def check_staff_notice(activities: list[ProcessingActivity]) -> list[Finding]:
    """The register check, on the active activities the hints already loaded."""
    return staff_notice_findings(active_activities=activities)


def staff_notice_among(findings: list[Finding]) -> list[Finding] | None:
    """The staff notice's findings among all the register's (``register_findings``), so a page
    that shows both computes the notice's state once; None when the register hints do not run
    this check."""
    from registry.hints import CHECKS

    if check_staff_notice not in CHECKS:
        return None
    return [f for f in findings if f.code.startswith("staff_notice.")]
