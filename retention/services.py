"""The purge: per retention rule, expired rows in short batches, logged in a PurgeRun.

How one purge of one rule goes (GDPR Art. 5(1)(e), storage limitation; Art. 17(1)(a)):

1. Take the rule's lock (retention/locks.py); if another purge of the rule holds it, write a
   "skipped" PurgeRun and stop. With the lock, every older "running" run of the rule belongs to
   a dead process: it is marked failed.
2. Loop: in one short transaction, select the next ``batch_size`` primary keys of expired, not
   held rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, keyset-paginated on the primary key),
   apply the target's action to exactly those rows (bulk SQL, no per-row signals), update the
   run's counters, commit. Files go after the commit (records.services.records_delete).
3. Post-condition: count the rows that are still expired and not held at the run's reference
   time. Non-zero means the run failed, whatever the counters say.
4. Recount what the rule has waiting (RuleBacklog: expired, held, expiring within 7 and 30
   days) for the dashboard and the rules page, which read it instead of counting.

Rows under a legal hold or restricted (Art. 18(1)) are excluded by the target's query and
counted as ``skipped_held``. A dry run changes no record: it writes its PurgeRun and the rule's
RuleBacklog counts.
"""

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from records.models import ProcessorDataset
from registry.models import RetentionRule

from .locks import advisory_locks_available, rule_lock
from .models import PurgeRun, RuleBacklog
from .targets import Action, PurgeTarget, UnknownRule, rule_codes, target_for

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 4000  # ~160 ms per batch on PostgreSQL (bench/purge.py), under the 250 ms goal
MAX_BATCH_SIZE = 50_000
# A pass that leaves expired rows behind (another transaction held them locked, SKIP
# LOCKED stepped over them) is followed by another pass from the first key, at most this often.
MAX_PASSES = 3

Progress = Callable[[int], None]


class PurgeFailed(Exception):
    """A purge ended with status "failed"; the PurgeRun row says why."""


@dataclass(frozen=True)
class PurgePreview:
    """What a rule would purge now and in the coming days (counts only)."""

    rule_code: str
    expired_now: int
    held_now: int
    within_7_days: int
    within_30_days: int


def purge_preview(*, rule_code: str, now: datetime | None = None) -> PurgePreview:
    """Counts of rows of one rule that have expired, are held, and expire within 7 / 30 days."""
    now = now or timezone.now()
    target = target_for(rule_code)
    rule = RetentionRule.objects.get_by_code(rule_code)
    expired_now = target.expired(now, rule).count()
    return PurgePreview(
        rule_code=rule_code,
        expired_now=expired_now,
        held_now=target.held_count(now, rule, expired_count=expired_now),
        within_7_days=target.expired(now + timedelta(days=7), rule).count() - expired_now,
        within_30_days=target.expired(now + timedelta(days=30), rule).count() - expired_now,
    )


def rule_backlog_refresh(*, rule_code: str, now: datetime | None = None) -> RuleBacklog:
    """Count what rule ``rule_code`` has waiting at ``now`` (``purge_preview``) and keep the
    counts, with the time they were taken, in the rule's RuleBacklog row.

    Counting the largest rules takes seconds at 300 000 contacts: the purge and a beat task
    call this, the staff pages only read its rows (issue 19). Nothing but the row is written.
    """
    now = now or timezone.now()
    started = time.monotonic()
    preview = purge_preview(rule_code=rule_code, now=now)
    backlog, _created = RuleBacklog.objects.update_or_create(
        rule_code=rule_code,
        defaults={
            "expired_now": preview.expired_now,
            "held_now": preview.held_now,
            "within_7_days": preview.within_7_days,
            "within_30_days": preview.within_30_days,
            "counted_for": now,
            "computed_at": timezone.now(),
            "duration_ms": round((time.monotonic() - started) * 1000),
        },
    )
    return backlog


def rule_backlogs_refresh(*, now: datetime | None = None) -> int:
    """Recount every active rule of the register that has a purge target; returns how many.

    Rows of rules that are gone or inactive are removed: the dashboard lists active rules only.
    """
    now = now or timezone.now()
    active = set(RetentionRule.objects.filter(is_active=True).values_list("code", flat=True))
    codes = [code for code in rule_codes() if code in active]
    RuleBacklog.objects.exclude(rule_code__in=codes).delete()
    for code in codes:
        target_for(code).write_queued()
        rule_backlog_refresh(rule_code=code, now=now)
    return len(codes)


def purge_run_execute(
    *,
    rule_code: str,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
    trigger: str = PurgeRun.Trigger.SCHEDULE,
    progress: Progress | None = None,
    lock: bool = True,
) -> PurgeRun:
    """Purge everything rule ``rule_code`` says has expired at ``now``; return the PurgeRun.

    Raises UnknownRule for a code without a purge target or register entry, ValueError for
    a bad batch size — both before anything is written. A failure during the run is recorded
    in the PurgeRun (status "failed", error text) and logged, not raised: callers check
    ``run.status`` (the Celery task and the command turn it into an error).
    ``lock=False`` exists only so a test can prove that SKIP LOCKED alone keeps two
    concurrent runners from deleting a row twice.
    """
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch size must be between 1 and {MAX_BATCH_SIZE}")
    target = target_for(rule_code)
    rule = _rule(rule_code)
    now = now or timezone.now()
    if not rule.is_active:
        return _run_not_applied(target=target, rule=rule, now=now, trigger=trigger, reason=INACTIVE)
    target.write_queued()  # before the first read, outside the batches' transactions
    if dry_run or rule.action == RetentionRule.Action.REVIEW:
        # "Review by staff" in the register: never applied automatically, only counted.
        run = _dry_run(target=target, rule=rule, now=now, trigger=trigger)
        _backlog_after_run(run)
        return run
    with rule_lock(rule_code) if lock else _no_lock() as acquired:
        run = _run_start(
            target=target,
            rule=rule,
            now=now,
            trigger=trigger,
            batch_size=min(batch_size, target.max_batch_size or batch_size),
            locked=acquired,
            exclusive=lock,
        )
        if run.status != PurgeRun.Status.RUNNING:
            return run
        try:
            _purge_batches(run=run, target=target, rule=rule, progress=progress)
            run.files_removed += target.after_batches(now=run.now, rule=rule)
            _run_finish(run=run, target=target, rule=rule)
        except Exception as exc:
            logger.exception("purge failed rule=%s run=%s", rule_code, run.pk)
            _run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
    _backlog_after_run(run)
    return run


def purge_runs_mark_stale(*, rule_code: str, now: datetime | None = None) -> int:
    """Mark "running" runs of a rule whose process is gone as failed; returns how many.

    Only call this while holding the rule's lock (PostgreSQL), or from within the SQLite lease
    transaction: then no live run of the rule can exist besides the caller's own.
    """
    now = now or timezone.now()
    return (
        PurgeRun.objects.for_rule(rule_code)
        .running()
        .update(
            status=PurgeRun.Status.FAILED,
            finished_at=now,
            error="Interrupted: the purge process ended without finishing "
            "(found by a later run of the same rule).",
        )
    )


def processor_deletion_confirm(
    *, dataset: ProcessorDataset, confirmed_on: date
) -> ProcessorDataset:
    """Record that the client's systems confirmed deleting a dataset held as processor
    (Art. 28(3)(g)); it then leaves the processor-data rule's tracking for good.

    Raises ValueError, changing nothing, when no deletion was requested yet or the date
    lies before the request.
    """
    if dataset.deletion_requested_on is None:
        raise ValueError("no deletion was requested for this dataset")
    if confirmed_on < dataset.deletion_requested_on:
        raise ValueError("the confirmation cannot predate the deletion request")
    dataset.deletion_confirmed_on = confirmed_on
    dataset.save(update_fields=["deletion_confirmed_on"])
    return dataset


# --- internals ------------------------------------------------------------------------------


class _no_lock:
    def __enter__(self) -> bool:
        return True

    def __exit__(self, *exc) -> None:
        return None


def _rule(rule_code: str) -> RetentionRule:
    try:
        return RetentionRule.objects.get_by_code(rule_code)
    except RetentionRule.DoesNotExist as exc:
        raise UnknownRule(f"no retention rule {rule_code!r} in the register") from exc


INACTIVE = "The rule is inactive in the register: not applied."


def _run_not_applied(
    *, target: PurgeTarget, rule: RetentionRule, now: datetime, trigger: str, reason: str
) -> PurgeRun:
    return PurgeRun.objects.create(
        rule_code=target.rule_code,
        action=target.action,
        trigger=trigger,
        status=PurgeRun.Status.SKIPPED,
        now=now,
        cutoff=rule.cutoff(now),
        finished_at=timezone.now(),
        error=reason,
        pid=os.getpid(),
    )


def _dry_run(*, target: PurgeTarget, rule: RetentionRule, now: datetime, trigger: str) -> PurgeRun:
    selected = target.expired(now, rule).count()
    review = rule.action == RetentionRule.Action.REVIEW
    return PurgeRun.objects.create(
        rule_code=target.rule_code,
        action=Action.REVIEW if review else target.action,
        trigger=trigger,
        dry_run=True,
        status=PurgeRun.Status.SUCCEEDED,
        now=now,
        cutoff=rule.cutoff(now),
        selected=selected,
        skipped_held=target.held_count(now, rule, expired_count=selected),
        finished_at=timezone.now(),
        pid=os.getpid(),
    )


@transaction.atomic
def _run_start(
    *,
    target: PurgeTarget,
    rule: RetentionRule,
    now: datetime,
    trigger: str,
    batch_size: int,
    locked: bool,
    exclusive: bool,
) -> PurgeRun:
    wall = timezone.now()
    if exclusive and not advisory_locks_available():
        # SQLite lease: this IMMEDIATE transaction is the critical section.
        locked = not PurgeRun.objects.for_rule(target.rule_code).live(wall).exists()
    fields = {
        "rule_code": target.rule_code,
        "action": target.action,
        "trigger": trigger,
        "now": now,
        "cutoff": rule.cutoff(now),
        "batch_size": batch_size,
        "pid": os.getpid(),
        "started_at": wall,
        "progress_at": wall,
    }
    if not locked:
        return PurgeRun.objects.create(
            **fields,
            status=PurgeRun.Status.SKIPPED,
            finished_at=wall,
            error="Another purge of this rule was running.",
        )
    if exclusive:
        stale = purge_runs_mark_stale(rule_code=target.rule_code, now=wall)
        if stale:
            logger.warning("purge rule=%s marked %d interrupted run(s) failed", rule.code, stale)
    return PurgeRun.objects.create(**fields, status=PurgeRun.Status.RUNNING)


def _purge_batches(
    *, run: PurgeRun, target: PurgeTarget, rule: RetentionRule, progress: Progress | None
) -> None:
    # Rows inserted after the run started are the next run's: bounding the keyset by the
    # highest key at the start makes every run finite (the post-condition still sees them).
    upper_pk = target.model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    if upper_pk is None:
        return
    with _async_commit():
        _purge_passes(run=run, target=target, rule=rule, progress=progress, upper_pk=upper_pk)


@contextmanager
def _async_commit() -> Iterator[None]:
    """PostgreSQL: don't wait for the WAL flush at each batch's commit.

    A crash of the database server may undo the last few batches (well under a second of
    work), never half a batch, and the purge is idempotent: the next run deletes those rows
    again. Set for this session only while the batches run.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def _purge_passes(
    *, run: PurgeRun, target: PurgeTarget, rule: RetentionRule, progress: Progress | None, upper_pk
) -> None:
    for _ in range(MAX_PASSES):
        last_pk = None
        while batch := _purge_one_batch(
            run=run, target=target, rule=rule, after_pk=last_pk, upper_pk=upper_pk
        ):
            last_pk, count = batch
            if progress is not None:
                progress(count)
        # Rows another transaction held locked (SKIP LOCKED) were stepped over: look again
        # from the first key, but only when some are left (the count uses the anchor index).
        if not target.expired(run.now, rule).filter(pk__lte=upper_pk).exists():
            return


def _purge_one_batch(
    *, run: PurgeRun, target: PurgeTarget, rule: RetentionRule, after_pk, upper_pk
) -> tuple[object, int] | None:
    """One short transaction: lock, act on and count up to batch_size expired rows."""
    started = time.monotonic()
    committed_at: list[float] = []
    with transaction.atomic():
        # Registered first, so it runs right at commit, before the file removals.
        transaction.on_commit(lambda: committed_at.append(time.monotonic()))
        queryset = target.expired(run.now, rule).filter(pk__lte=upper_pk)
        if after_pk is not None:
            queryset = queryset.filter(pk__gt=after_pk)
        pks, special = target.lock_batch(
            queryset.order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[: run.batch_size]
        )
        if not pks:
            return None
        result = target.apply(pks, now=run.now, rule=rule, special=special)
        if result.affected == 0:
            raise RuntimeError(
                f"{len(pks)} expired rows were selected but none was processed; stopping "
                "rather than selecting them again"
            )
        run.selected += len(pks)
        run.deleted += result.affected
        run.files_removed += result.files
        run.batches += 1
        run.progress_at = timezone.now()
        run.save(
            update_fields=[
                "selected",
                "deleted",
                "files_removed",
                "batches",
                "progress_at",
                "longest_batch_ms",
            ]
        )
    elapsed_ms = round(((committed_at[0] if committed_at else time.monotonic()) - started) * 1000)
    run.longest_batch_ms = max(run.longest_batch_ms, elapsed_ms)
    return pks[-1], len(pks)


def _run_finish(*, run: PurgeRun, target: PurgeTarget, rule: RetentionRule) -> None:
    remaining = target.expired(run.now, rule).count()
    run.remaining_after = remaining
    run.skipped_held = target.held_count(run.now, rule, expired_count=remaining)
    run.finished_at = timezone.now()
    if remaining:
        run.status = PurgeRun.Status.FAILED
        run.error = (
            f"Post-condition failed: {remaining} expired rows that are not held remain "
            "after the purge."
        )
    else:
        run.status = PurgeRun.Status.SUCCEEDED
    run.save()


def _backlog_after_run(run: PurgeRun) -> None:
    """Recount the rule's backlog after a run that looked at its rows (not after a skipped one:
    the run holding the lock recounts). A failed recount is logged and leaves the last count
    with its own time in place; the run's outcome stands."""
    if run.status == PurgeRun.Status.SKIPPED:
        return
    if connection.in_atomic_block and connection.needs_rollback:
        return  # an outer transaction (tests) is broken; nothing more can be written
    try:
        with transaction.atomic():
            rule_backlog_refresh(rule_code=run.rule_code)
    except DatabaseError:
        logger.exception("backlog recount failed rule=%s run=%s", run.rule_code, run.pk)


def _run_fail(*, run: PurgeRun, error: str) -> None:
    if connection.in_atomic_block and connection.needs_rollback:
        return  # an outer transaction (tests) is broken; nothing more can be written
    # The counters in memory may be ahead of the last committed batch: reload those.
    run.refresh_from_db(fields=["selected", "deleted", "files_removed", "batches"])
    run.status = PurgeRun.Status.FAILED
    run.error = error[:2000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "longest_batch_ms"])
