"""Thin Celery tasks of the consent app: each calls one service."""

from celery import shared_task

from .services import consent_queue_flush


@shared_task(name="consent.queue_flush", ignore_result=True)
def consent_queue_flush_task() -> int:
    """Write the first choices queued in Redis into the database (every 10 s, beat)."""
    return consent_queue_flush()
