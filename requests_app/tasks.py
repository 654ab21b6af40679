"""Thin Celery tasks: take ids, call one service. E-mails go through the records outbox."""

from celery import shared_task
from django.utils import timezone

from . import services
from .deadlines import local_date


@shared_task(name="requests_app.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """7 and 2 days before the due date of every open request (assigned or not), once each."""
    sent = 0
    for request_id, days in services.reminders_due(today=local_date(timezone.now())):
        sent += services.reminder_mark_sent(request_id=request_id, days=days)
    return sent


@shared_task(name="requests_app.delete_expired_packages")
def delete_expired_packages() -> int:
    return services.packages_expired_delete()
