"""The purge log: one PurgeRun row per purge of one retention rule.

A PurgeRun holds counts, timings and status only — never personal data (no names, e-mails,
ids of data subjects): it is the evidence that storage limitation (GDPR Art. 5(1)(e)) is
applied, and it must itself be harmless to keep.
"""

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from records.models import held


class PurgeRunQuerySet(models.QuerySet):
    def for_rule(self, rule_code: str) -> "PurgeRunQuerySet":
        return self.filter(rule_code=rule_code)

    def running(self) -> "PurgeRunQuerySet":
        return self.filter(status=PurgeRun.Status.RUNNING)

    def live(self, now: datetime) -> "PurgeRunQuerySet":
        """Running runs that reported progress recently: their process is presumably alive."""
        return self.running().filter(progress_at__gt=now - PurgeRun.STALE_AFTER)

    def latest_per_rule(self) -> dict[str, "PurgeRun"]:
        """The most recent real (not dry) run of each rule, keyed by rule code; of two runs
        started at the same instant, the later row (the purge-run list's order).

        The database finds each rule's newest start, then only those runs are read: a year of
        daily runs is thousands of rows, and the dashboard and the rules page ask on each view.
        """
        real = self.filter(dry_run=False)
        newest = real.order_by().values("rule_code").annotate(started=models.Max("started_at"))
        wanted = models.Q()
        for row in newest:
            wanted |= models.Q(rule_code=row["rule_code"], started_at=row["started"])
        if not wanted:
            return {}
        latest: dict[str, PurgeRun] = {}
        for run in real.filter(wanted).order_by("rule_code", "-started_at", "-pk"):
            latest.setdefault(run.rule_code, run)
        return latest


class PurgeRun(models.Model):
    """One purge of one retention rule: what was selected, deleted, skipped, and how it ended."""

    # A run that has not reported progress for this long while "running" belongs to a
    # process that died (SIGKILL, OOM, host loss). On PostgreSQL the advisory lock tells it
    # at once; on SQLite this lease is the lock (see retention/locks.py).
    STALE_AFTER = timedelta(minutes=15)

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("schedule")
        COMMAND = "command", _("management command")
        STAFF = "staff", _("staff")

    rule_code = models.SlugField(_("rule code"), max_length=64, db_index=True)
    action = models.CharField(_("action"), max_length=20, blank=True)
    trigger = models.CharField(
        _("trigger"), max_length=20, choices=Trigger.choices, default=Trigger.SCHEDULE
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress at"), default=timezone.now)
    now = models.DateTimeField(
        _("reference time"), help_text=_("The instant expiry was computed against.")
    )
    cutoff = models.DateTimeField(
        _("cutoff"), null=True, blank=True, help_text=_("Anchors at or before this expired.")
    )
    batch_size = models.PositiveIntegerField(_("batch size"), default=0)
    selected = models.PositiveIntegerField(_("selected"), default=0)
    deleted = models.PositiveIntegerField(
        _("deleted / processed"),
        default=0,
        help_text=_("Rows deleted, anonymised, minimised or with a deletion task raised."),
    )
    skipped_held = models.PositiveIntegerField(
        _("skipped (held or restricted)"),
        default=0,
        help_text=_("Expired rows kept because of a legal hold or a restriction (Art. 18)."),
    )
    files_removed = models.PositiveIntegerField(_("files removed"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    longest_batch_ms = models.PositiveIntegerField(_("longest batch (ms)"), default=0)
    remaining_after = models.PositiveIntegerField(
        _("expired rows left after the run"),
        null=True,
        blank=True,
        help_text=_("Post-condition: expired, not held rows counted after the run; must be 0."),
    )
    error = models.TextField(_("error"), blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("The privacy officer who started it from the staff pages (else empty)."),
    )

    objects = PurgeRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        indexes = [models.Index(fields=["rule_code", "status"], name="purgerun_rule_status")]

    def __str__(self) -> str:
        return _("purge %(rule)s of %(date)s (%(status)s)") % {
            "rule": self.rule_name,
            "date": date_format(timezone.localtime(self.started_at), "j M Y H:i"),
            "status": self.get_status_display(),
        }

    @property
    def rule_name(self) -> str:
        """The rule's name in the staff's language (the code when the rule is gone)."""
        from registry.models import RetentionRule

        rule = RetentionRule.objects.filter(code=self.rule_code).first()
        return (rule.name or rule.code) if rule else self.rule_code

    @property
    def duration(self) -> timedelta | None:
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class RuleBacklogQuerySet(models.QuerySet):
    def by_rule(self) -> dict[str, "RuleBacklog"]:
        return {backlog.rule_code: backlog for backlog in self}


class RuleBacklog(models.Model):
    """What one retention rule has waiting, as last counted: expired now, held, and expiring
    within 7 and 30 days of ``counted_for``. Counts only, never personal data.

    The dashboard and the rules page read these rows instead of counting 300 000 contacts per
    request (issue 19); the purge of a rule recounts its row when it ends, a beat task recounts
    every rule (retention/schedule.py). What staff see is what the last count found, shown with
    the time it was taken (``computed_at``).
    """

    rule_code = models.SlugField(_("rule code"), max_length=64, unique=True)
    expired_now = models.PositiveIntegerField(_("expired now"), default=0)
    held_now = models.PositiveIntegerField(_("held or restricted"), default=0)
    within_7_days = models.PositiveIntegerField(_("expiring within 7 days"), default=0)
    within_30_days = models.PositiveIntegerField(_("expiring within 30 days"), default=0)
    counted_for = models.DateTimeField(
        _("reference time"), help_text=_("The instant expiry was computed against.")
    )
    computed_at = models.DateTimeField(_("computed at"))
    duration_ms = models.PositiveIntegerField(_("counting time (ms)"), default=0)

    objects = RuleBacklogQuerySet.as_manager()

    class Meta:
        ordering = ["rule_code"]
        verbose_name = _("rule backlog")
        verbose_name_plural = _("rule backlogs")

    def __str__(self) -> str:
        return self.rule_code


class ReviewDecisionQuerySet(models.QuerySet):
    def kept_until(self, today) -> "ReviewDecisionQuerySet":
        """ "Keep" decisions whose next review date has not come yet."""
        return self.filter(decision=ReviewDecision.Decision.KEEP, next_review_on__gt=today)

    def expired(
        self, now: datetime, rule, *, ignore_holds: bool = False
    ) -> "ReviewDecisionQuerySet":
        """Decisions taken at or before the `review-decision` rule's cutoff, except a "keep"
        that still holds (its next review date not reached): it goes once that has passed."""
        rows = self.filter(decided_at__lte=rule.cutoff(now)).exclude(
            decision=ReviewDecision.Decision.KEEP,
            next_review_on__gt=timezone.localdate(now),
        )
        return rows if ignore_holds else rows.exclude(held(ReviewDecision, now))


class ReviewDecision(models.Model):
    """A privacy officer's decision on one row of a review rule (customer contacts, staff
    accounts, the suppression list): keep it until a next review, with the reason, or delete it.

    Like a legal hold it names the row by model and key and holds a reason about the case
    (Art. 5(2): the decision is the accountability evidence). The reason may still name the
    person and `decided_by` names the staff member: the decision goes by the `review-decision`
    rule (issue 13), the staff link earlier if the account is deleted.
    """

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("reason", "decided_by")
    retention_rule_code: ClassVar[str] = "review-decision"

    class Decision(models.TextChoices):
        KEEP = "keep", _("kept")
        DELETE = "delete", _("deleted")

    rule_code = models.SlugField(_("rule code"), max_length=64, db_index=True)
    model_label = models.CharField(_("kind of record"), max_length=100)
    object_id = models.CharField(_("record number"), max_length=64)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = ReviewDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        indexes = [
            models.Index(fields=["rule_code", "model_label", "object_id"], name="review_row")
        ]

    def __str__(self) -> str:
        return _("%(decision)s on %(date)s") % {
            "decision": self.get_decision_display(),
            "date": date_format(timezone.localtime(self.decided_at), "j M Y"),
        }
