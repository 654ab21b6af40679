"""Celery tasks of the statement: thin, idempotent, calling one service each."""

import logging

from celery import shared_task

from .models import StatementVersion
from .services import StatementIncomplete, statement_publish, statement_publish_pending_clear

logger = logging.getLogger(__name__)


@shared_task(name="statement.publish")
def statement_publish_task(trigger: str = StatementVersion.Trigger.SCHEDULE) -> int | None:
    """Publish the privacy statement if the register changed; returns the current version."""
    if trigger == StatementVersion.Trigger.REGISTER_CHANGE:
        statement_publish_pending_clear()
    try:
        return statement_publish(trigger=trigger).version.number
    except StatementIncomplete as exc:  # retrying cannot help; staff must complete the register
        logger.warning("statement publish skipped: %s", exc)
        return None
