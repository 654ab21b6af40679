"""Thin Celery tasks: take ids, call one service. Enqueued on commit by the services."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import emails, services
from .deadlines import local_date
from .models import DataSubjectRequest


@shared_task(name="requests_app.send_subject_email")
def send_subject_email(request_id: int, kind: str) -> None:
    request = DataSubjectRequest.objects.filter(pk=request_id).first()
    if request is None:  # purged meanwhile: nothing to tell
        return
    emails.subject_email_send(request=request, kind=kind)


@shared_task(name="requests_app.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """E-mail the assignee 7 and 2 days before the due date, once each per due date."""
    sent = 0
    for request_id, days in services.reminders_due(today=local_date(timezone.now())):
        with transaction.atomic():  # a failed send un-claims the reminder: retried next run
            if services.reminder_mark_sent(request_id=request_id, days=days):
                request = DataSubjectRequest.objects.select_related("assignee").get(pk=request_id)
                emails.reminder_email_send(request=request, days=days)
                sent += 1
    return sent


@shared_task(name="requests_app.delete_expired_packages")
def delete_expired_packages() -> int:
    return services.packages_expired_delete()
