"""The purge as the privacy officer sees it: rows a rule would purge (masked), the review queue
of "review by staff" rules, and the officer's decisions on it (keep with a reason and a next
review date, or delete through records_delete, the one way to delete personal data).

The rows come from the purge targets (retention.targets), so what the officer previews is
exactly what the purge would select.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models, transaction
from django.utils import timezone

from records.deletion import RecordsDeleteRefused, RecordsStillLinked, records_delete
from registry.models import RetentionRule

from .models import PurgeRun, ReviewDecision
from .services import purge_run_execute
from .targets import TARGETS, PurgeTarget, UnknownRule, target_for


class ReviewRefused(ValueError):
    """A decision the queue cannot take (no reason, no date in the future, row gone)."""


@dataclass(frozen=True)
class PreviewRow:
    pk: object
    label: str  # masked: initials and the first letter of e-mail parts only
    anchor: datetime | date | None


def mask(text: str) -> str:
    """'Jan Peeters <jan@peeters.be>' -> 'J… P… <j…@p…>': enough to recognise, not to read."""

    def word(match: re.Match) -> str:
        token = match.group(0)
        return token if token.isdigit() and len(token) < 4 else f"{token[0]}…"

    return re.sub(r"[^\W_]+", word, str(text))


def rule_target(rule: RetentionRule) -> PurgeTarget | None:
    """The purge target of a register rule, or None when its data live outside this system."""
    return TARGETS.get(rule.code)


def _rows(target: PurgeTarget, rule: RetentionRule, now: datetime) -> models.QuerySet:
    return target.expired(now, rule).order_by("pk")


def preview_rows(*, rule: RetentionRule, now: datetime, start: int, stop: int) -> list[PreviewRow]:
    """Rows ``start:stop`` of what the purge of ``rule`` would select at ``now``, masked."""
    target = target_for(rule.code)
    anchor = getattr(target, "anchor", None)
    return [
        PreviewRow(
            pk=row.pk, label=mask(row), anchor=getattr(row, anchor, None) if anchor else None
        )
        for row in _rows(target, rule, now)[start:stop]
    ]


def preview_count(*, rule: RetentionRule, now: datetime, cap: int) -> int:
    """How many rows the purge of ``rule`` would select at ``now``, counted up to ``cap + 1``
    only (``COUNT(*)`` over ``LIMIT cap + 1``): more than ``cap`` is all the rows page says."""
    return _rows(target_for(rule.code), rule, now).order_by()[: cap + 1].count()


def review_queue(*, rule: RetentionRule, now: datetime) -> models.QuerySet:
    """Rows of a review rule that are due and not kept until a later review date."""
    target = target_for(rule.code)
    kept = ReviewDecision.objects.kept_until(timezone.localdate(now)).filter(
        rule_code=rule.code, model_label=target.model._meta.label_lower
    )
    return _rows(target, rule, now).exclude(
        pk__in=[pk for pk in kept.values_list("object_id", flat=True)]
    )


def purge_run_start_by_staff(*, rule_code: str, dry_run: bool, user) -> PurgeRun:
    """A purge (or dry run) started from the staff pages, recorded with who started it."""
    run = purge_run_execute(rule_code=rule_code, dry_run=dry_run, trigger=PurgeRun.Trigger.STAFF)
    PurgeRun.objects.filter(pk=run.pk).update(started_by=user)
    run.started_by = user
    return run


@transaction.atomic
def review_row_keep(
    *, rule: RetentionRule, pk: str, reason: str, next_review_on: date, user, now: datetime
) -> ReviewDecision:
    """Keep one due row until ``next_review_on``; the reason is required."""
    target = _review_target(rule)
    if not reason.strip():
        raise ReviewRefused("reason")
    if next_review_on <= timezone.localdate(now):
        raise ReviewRefused("date")
    _due_row(target, rule, pk, now)
    return ReviewDecision.objects.create(
        rule_code=rule.code,
        model_label=target.model._meta.label_lower,
        object_id=str(pk),
        decision=ReviewDecision.Decision.KEEP,
        reason=reason.strip(),
        next_review_on=next_review_on,
        decided_by=user,
        decided_at=now,
    )


@transaction.atomic
def review_row_delete(
    *, rule: RetentionRule, pk: str, reason: str, user, now: datetime
) -> ReviewDecision:
    """Delete one due row through records_delete and record the decision (nothing on refusal)."""
    target = _review_target(rule)
    row = _due_row(target, rule, pk, now)
    try:
        records_delete(model=target.model, pks=[row.pk], now=now)
    except RecordsStillLinked as exc:  # a staff account that handled a request: kept for now
        raise ReviewRefused("linked") from exc
    except RecordsDeleteRefused as exc:
        raise ReviewRefused("refused") from exc
    return ReviewDecision.objects.create(
        rule_code=rule.code,
        model_label=target.model._meta.label_lower,
        object_id=str(row.pk),
        decision=ReviewDecision.Decision.DELETE,
        reason=reason.strip(),
        decided_by=user,
        decided_at=now,
    )


def _review_target(rule: RetentionRule) -> PurgeTarget:
    if rule.action != RetentionRule.Action.REVIEW:
        raise ReviewRefused("not a review rule")
    try:
        return target_for(rule.code)
    except UnknownRule as exc:
        raise ReviewRefused("no rows here") from exc


def _due_row(target: PurgeTarget, rule: RetentionRule, pk: str, now: datetime):
    row = review_queue(rule=rule, now=now).filter(pk=pk).first()
    if row is None:
        raise ReviewRefused("gone")
    return row
