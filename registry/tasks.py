"""Celery tasks of the register: thin, idempotent, calling one service each."""

from celery import shared_task

from .models_statement import StatementVersion
from .statement import statement_publish, statement_publish_pending_clear


@shared_task(name="registry.statement_publish")
def statement_publish_task(trigger: str = StatementVersion.Trigger.SCHEDULE) -> int:
    """Publish the privacy statement if the register changed; returns the current version."""
    if trigger == StatementVersion.Trigger.REGISTER_CHANGE:
        statement_publish_pending_clear()
    return statement_publish(trigger=trigger).version.number
