"""manage.py purge [--rule CODE] [--dry-run] [--batch-size N]: purge expired personal data."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from registry.models import RetentionRule
from retention.models import PurgeRun
from retention.services import (
    DEFAULT_BATCH_SIZE,
    MAX_BATCH_SIZE,
    purge_run_execute,
)
from retention.targets import Action, UnknownRule, rule_codes, target_for

COLUMNS = ("rule", "status", "selected", "deleted", "held", "files", "batches", "max ms", "left")


class Command(BaseCommand):
    help = (
        "Purge the personal data whose retention period has ended, rule by rule "
        "(all active rules, or one with --rule). Every run is logged as a PurgeRun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule", metavar="CODE", help="only this retention rule code")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be purged; change nothing"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            metavar="N",
            help=f"rows per transaction (1–{MAX_BATCH_SIZE}, default {DEFAULT_BATCH_SIZE})",
        )

    def handle(self, *args, rule=None, dry_run=False, batch_size=DEFAULT_BATCH_SIZE, **options):
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise CommandError(f"--batch-size must be between 1 and {MAX_BATCH_SIZE}")
        codes = [rule] if rule else self._registered_codes()
        for code in codes:
            try:
                target_for(code)
                RetentionRule.objects.get_by_code(code)
            except (UnknownRule, RetentionRule.DoesNotExist) as exc:
                raise CommandError(f"unknown retention rule {code!r}: {exc}") from None
        now = timezone.now()
        runs = [self._purge(code, now, dry_run, batch_size) for code in codes]
        self._summary(runs, dry_run)
        failed = [run for run in runs if run.status == PurgeRun.Status.FAILED]
        if failed:
            raise CommandError(
                "purge failed for: " + ", ".join(f"{r.rule_code} ({r.error})" for r in failed)
            )

    def _registered_codes(self) -> list[str]:
        in_register = set(RetentionRule.objects.values_list("code", flat=True))
        return [code for code in rule_codes() if code in in_register]

    def _purge(self, code: str, now, dry_run: bool, batch_size: int) -> PurgeRun:
        from retention.services import purge_preview

        total = 0 if dry_run else purge_preview(rule_code=code, now=now).expired_now
        with tqdm(
            total=total,
            desc=code,
            unit="row",
            file=self.stderr,
            disable=dry_run or not total,
            dynamic_ncols=True,
        ) as bar:
            return purge_run_execute(
                rule_code=code,
                dry_run=dry_run,
                batch_size=batch_size,
                now=now,
                trigger=PurgeRun.Trigger.COMMAND,
                progress=bar.update,
            )

    def _summary(self, runs: list[PurgeRun], dry_run: bool) -> None:
        rows = [
            (
                run.rule_code,
                "review (counted only)" if run.action == Action.REVIEW else run.status,
                run.selected,
                "-" if run.dry_run else run.deleted,
                run.skipped_held,
                run.files_removed,
                run.batches,
                run.longest_batch_ms,
                "-" if run.remaining_after is None else run.remaining_after,
            )
            for run in runs
        ]
        widths = [max(len(str(v)) for v in col) for col in zip(COLUMNS, *rows, strict=False)]
        line = "  ".join("{:<%d}" % w for w in widths)  # noqa: UP031 - width table
        self.stdout.write(
            ("DRY RUN: nothing was changed\n" if dry_run else "") + line.format(*COLUMNS)
        )
        for row in rows:
            self.stdout.write(line.format(*[str(v) for v in row]))
        total = sum(run.deleted for run in runs if not run.dry_run)
        self.stdout.write(f"{len(runs)} rule(s), {total} row(s) purged")
