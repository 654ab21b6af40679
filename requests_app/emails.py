"""E-mails to the subject and to staff, composed from translated templates and queued in the
transactional outbox (records.outbox) inside the caller's transaction: a step that rolls back
sends nothing, and a committed step's e-mail survives a killed worker or a lost Redis.

The subject's e-mail is composed by `subject_email_compose`, the one function the request page
also uses to show staff the exact e-mail before it is sent.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cdot_privacy.roles import PRIVACY_OFFICER
from records.outbox import email_enqueue
from registry.models import Organisation, SupervisoryAuthority

from .models import DataSubjectRequest
from .tokens import package_download_path, verification_token

SUBJECT_LINES = {
    "verify": _("Please confirm your privacy request %(reference)s"),
    "acknowledgement": _("We received your privacy request %(reference)s"),
    "extension": _("More time needed for your privacy request %(reference)s"),
    "completion": _("Answer to your privacy request %(reference)s"),
    "rejection": _("Your privacy request %(reference)s cannot be granted"),
}


@dataclass(frozen=True)
class Composed:
    to: str
    subject: str
    body: str


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def subject_email_compose(*, dsr: DataSubjectRequest, kind: str) -> Composed:
    """One of the subject e-mails (see SUBJECT_LINES) in the request's language."""
    with translation.override(dsr.language):
        context = {
            "dsr": dsr,
            "organisation": Organisation.objects.current(),
            "authority": SupervisoryAuthority.objects.current(),
        }
        if kind == "verify":
            context["verify_url"] = absolute_url(
                reverse("requests:verify", args=[verification_token(dsr)])
            )
        if kind == "completion" and dsr.email:
            context["downloads"] = [
                (package, absolute_url(package_download_path(package)))
                for package in dsr.packages.live(timezone.now())
            ]
        elif kind == "completion":  # no address: answered by post, the printed files enclosed
            context["enclosed"] = list(dsr.packages.live(timezone.now()))
        subject = str(SUBJECT_LINES[kind]) % {"reference": dsr.reference}
        body = render_to_string(f"requests_app/email/{kind}.txt", context)
    return Composed(to=dsr.email, subject=subject, body=body)


def subject_email_queue(*, dsr: DataSubjectRequest, kind: str) -> None:
    """Queue a subject e-mail in the current transaction (nothing when there is no address:
    a request by post or phone is answered by post)."""
    if not dsr.email:
        return
    composed = subject_email_compose(dsr=dsr, kind=kind)
    email_enqueue(
        to=composed.to,
        subject=composed.subject,
        body=composed.body,
        language=dsr.language,
        reference=f"{dsr.reference} {kind}",
    )


def privacy_officer_addresses() -> list[str]:
    """Active members of the privacy officer group with an address (Art. 38/39 tasks)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=PRIVACY_OFFICER)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def _staff_queue(*, dsr: DataSubjectRequest, template: str, subject: str, extra: dict) -> bool:
    recipients = privacy_officer_addresses()
    if dsr.assignee_id and dsr.assignee.email and dsr.assignee.email not in recipients:
        recipients.append(dsr.assignee.email)
    if not recipients:
        recipients = [settings.SERVER_EMAIL]
    with translation.override(settings.LANGUAGE_CODE):  # the staff's language
        body = render_to_string(
            template,
            {
                "dsr": dsr,
                "admin_url": absolute_url(
                    reverse("admin:requests_app_datasubjectrequest_change", args=[dsr.pk])
                ),
                **extra,
            },
        )
        subject = str(subject) % {"reference": dsr.reference, **extra}
    email_enqueue(
        to=recipients,
        subject=subject,
        body=body,
        language=settings.LANGUAGE_CODE,
        reference=f"{dsr.reference} staff",
    )
    return True


def new_request_email_queue(*, dsr: DataSubjectRequest) -> bool:
    """Tell the privacy officers about a confirmed or staff-entered request."""
    return _staff_queue(
        dsr=dsr,
        template="requests_app/email/new_request.txt",
        subject=_("New privacy request %(reference)s"),
        extra={},
    )


def reminder_email_queue(*, dsr: DataSubjectRequest, days: int) -> bool:
    """Tell the privacy officers (and the assignee) that a request is due in `days` days."""
    return _staff_queue(
        dsr=dsr,
        template="requests_app/email/reminder.txt",
        subject=_("Request %(reference)s is due in %(days)s days"),
        extra={"days": days},
    )
