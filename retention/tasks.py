"""Celery tasks of the retention engine: thin, take a rule code, call one service."""

from celery import shared_task

from .models import PurgeRun
from .services import PurgeFailed, purge_run_execute, rule_backlogs_refresh


@shared_task(name="retention.purge_rule")
def purge_rule(rule_code: str) -> int:
    """Purge one retention rule; returns the PurgeRun id.

    Idempotent: a second delivery finds nothing left to purge (or the rule locked). A failed
    run raises, so the worker logs the task as failed; the PurgeRun row says why.
    """
    run = purge_run_execute(rule_code=rule_code, trigger=PurgeRun.Trigger.SCHEDULE)
    if run.status == PurgeRun.Status.FAILED:
        raise PurgeFailed(f"purge of {rule_code} failed (PurgeRun {run.pk}): {run.error}")
    return run.pk


@shared_task(name="retention.rule_backlogs_refresh")
def rule_backlogs_refresh_task() -> int:
    """Recount what every rule has waiting (the dashboard's figures); returns how many rules.

    Idempotent: a second delivery counts again and overwrites the rows with the same figures.
    """
    return rule_backlogs_refresh()
