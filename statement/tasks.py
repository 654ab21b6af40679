"""Celery tasks of the statement: thin, idempotent, calling one service each."""

import logging

from celery import shared_task

from .models import StatementVersion
from .pdfs import version_pdfs_render
from .services import (
    StatementIncomplete,
    statement_draft,
    statement_draft_pending_clear,
    statement_drafts_publish_due,
)

logger = logging.getLogger(__name__)


@shared_task(name="statement.draft")
def statement_draft_task(trigger: str = StatementVersion.Trigger.SCHEDULE) -> int | None:
    """Render the register into the pending draft if it differs from the published version."""
    if trigger == StatementVersion.Trigger.REGISTER_CHANGE:
        statement_draft_pending_clear()
    try:
        draft = statement_draft(trigger=trigger)
    except StatementIncomplete as exc:  # retrying cannot help; staff must complete the register
        logger.warning("statement draft skipped: %s", exc)
        return None
    return draft.pk if draft else None


@shared_task(name="statement.publish_due")
def statement_publish_due_task() -> list[int]:
    """Publish the drafts whose review delay has passed; returns the new version numbers."""
    return statement_drafts_publish_due()


@shared_task(name="statement.render_pdfs")
def version_pdfs_render_task(model: str, version_id: int) -> list[str]:
    """Render and store a published version's missing PDFs (after its publish committed)."""
    return version_pdfs_render(model=model, version_id=version_id)
