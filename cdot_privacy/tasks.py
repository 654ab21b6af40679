from celery import shared_task

from .services import heartbeat_record


@shared_task(name="cdot_privacy.heartbeat")
def heartbeat() -> None:
    heartbeat_record()
