"""E-mails to the subject and to staff, rendered from translated templates in the request's
language. Called by the Celery tasks in tasks.py, never directly from a web request."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import DataSubjectRequest

SUBJECT_LINES = {
    "verify": _("Please confirm your privacy request %(reference)s"),
    "acknowledgement": _("We received your privacy request %(reference)s"),
    "extension": _("More time needed for your privacy request %(reference)s"),
    "completion": _("Answer to your privacy request %(reference)s"),
    "rejection": _("Your privacy request %(reference)s cannot be granted"),
}


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def supervisory_authority():
    """The GBA/APD from the register, or None before the register is loaded."""
    from registry.models import SupervisoryAuthority

    return SupervisoryAuthority.objects.current()


def organisation():
    from registry.models import Organisation

    return Organisation.objects.current()


def subject_email_send(*, request: DataSubjectRequest, kind: str) -> None:
    """Send one of the subject e-mails (see SUBJECT_LINES) in the request's language."""
    from .packages import package_download_path
    from .services import verification_token

    with translation.override(request.language):
        context = {
            "dsr": request,
            "organisation": organisation(),
            "authority": supervisory_authority(),
        }
        if kind == "verify":
            context["verify_url"] = absolute_url(
                reverse("requests:verify", args=[verification_token(request)])
            )
        if kind == "completion":
            context["downloads"] = [
                (package, absolute_url(package_download_path(package)))
                for package in request.packages.live(timezone.now())
            ]
        subject = str(SUBJECT_LINES[kind]) % {"reference": request.reference}
        body = render_to_string(f"requests_app/email/{kind}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [request.email])


def reminder_email_send(*, request: DataSubjectRequest, days: int) -> None:
    """Tell the assignee (or the privacy mailbox) that a request is due in `days` days."""
    recipient = request.assignee.email if request.assignee and request.assignee.email else None
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("Request %(reference)s is due in %(days)s days")) % {
            "reference": request.reference,
            "days": days,
        }
        body = render_to_string(
            "requests_app/email/reminder.txt",
            {
                "dsr": request,
                "days": days,
                "admin_url": absolute_url(
                    reverse("admin:requests_app_datasubjectrequest_change", args=[request.pk])
                ),
            },
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient or settings.SERVER_EMAIL])
