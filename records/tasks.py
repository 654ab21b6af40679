"""Thin Celery tasks of the records app: each calls one service."""

from celery import shared_task

from .ledger import ledger_prune
from .outbox import email_outbox_flush, email_send
from .services import (
    camera_footage_orphans_sweep,
    camera_footage_scan,
    idempotency_records_prune,
)


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
