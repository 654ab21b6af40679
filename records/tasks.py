"""Thin Celery tasks of the records app: each calls one service."""

import logging

from celery import shared_task
from celery.signals import worker_ready

from .ledger import ledger_prune
from .outbox import email_outbox_flush, email_send
from .services import (
    camera_footage_orphans_sweep,
    camera_footage_scan,
    idempotency_records_prune,
)

logger = logging.getLogger(__name__)


@shared_task(name="records.camera_footage_scan")
def camera_footage_scan_task() -> dict[str, int]:
    result = camera_footage_scan()
    return {"seen": result.seen, "indexed": result.indexed, "missing": result.missing}


@shared_task(name="records.camera_footage_orphans_sweep")
def camera_footage_orphans_sweep_task() -> int:
    return camera_footage_orphans_sweep()


@shared_task(name="records.idempotency_records_prune")
def idempotency_records_prune_task() -> int:
    return idempotency_records_prune()


@shared_task(name="records.erasure_ledger_prune")
def erasure_ledger_prune_task() -> int:
    return ledger_prune()


@shared_task(name="records.email_send")
def email_send_task(email_id: int) -> str:
    return email_send(email_id=email_id)


@shared_task(name="records.email_outbox_flush")
def email_outbox_flush_task() -> dict[str, int]:
    return email_outbox_flush()


@worker_ready.connect
def email_outbox_flush_on_worker_start(sender=None, **kwargs) -> None:
    """A worker that (re)starts queues one outbox flush: an e-mail a killed worker was sending
    goes out as soon as a worker is back, not at beat's next minute (docs/OPERATIONS.md)."""
    try:
        email_outbox_flush_task.delay()
    except Exception:  # the broker went away again: beat's minute flush sends it
        logger.warning("outbox flush not queued at worker start; beat's minute flush will send")
