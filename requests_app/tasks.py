"""Thin Celery tasks: take ids, call one service. E-mails go through the records outbox."""

from celery import shared_task
from django.utils import timezone

from . import services, services_webhooks
from .deadlines import local_date
from .models import WebhookDelivery


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


@shared_task(
    name="requests_app.deliver_webhook", bind=True, max_retries=services_webhooks.MAX_ATTEMPTS
)
def deliver_webhook(self, delivery_id: int) -> bool:
    """Post one processor webhook; retried with a doubling back-off until delivered."""
    if services_webhooks.webhook_deliver(delivery_id=delivery_id):
        return True
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if delivery.status == delivery.Status.RETRYING and not self.request.is_eager:
        raise self.retry(countdown=services_webhooks.retry_delay(delivery.attempts).total_seconds())
    return False
