"""manage.py replay_erasures: erase, minimise, withdraw and opt out again whatever a restored
database brought back (the erasure ledger, records/ledger.py). Safe to run at any time: on a
database that forgot nothing it changes nothing. Recorded as an ErasureReplay.

--since is when the restored backup was taken (manage.py restore passes its manifest's
taken_at): facts about row ids are replayed only when written after it, because a restore
resets the id counters and a later row may carry an erased row's id. Without --since only the
address facts (withdrawals, objections and erasures by keyed e-mail hash) are replayed."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records.ledger import ledger_path, ledger_read
from records.replay import erasures_replay


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help="when the restored backup was taken (ISO 8601 with a UTC offset, as in the "
            "backup's manifest.json taken_at)",
        )

    def handle(self, *args, since=None, **options):
        if since is not None:
            try:
                since = datetime.fromisoformat(since)
            except ValueError:
                raise CommandError(f"--since {since!r} is not an ISO 8601 date and time") from None
            if since.tzinfo is None:
                raise CommandError("--since needs a UTC offset, e.g. 2026-12-04T18:00:00+00:00")
        total = sum(1 for _ in ledger_read())
        quiet = options["verbosity"] < 1
        with tqdm(total=total, desc="erasure ledger", unit="fact", disable=quiet) as bar:
            counts = erasures_replay(since=since, progress=bar.update)
        if total == 0:
            self.stdout.write(f"erasure ledger {ledger_path()} is empty or missing: nothing to do")
        self.stdout.write(
            "replayed {facts} ledger facts: {erased} rows erased again, {minimised} contacts "
            "minimised again, {withdrawn} subscriptions withdrawn again, {opted_out} contacts "
            "opted out again, {suppressed} suppression entries restored, {refused} refused "
            "(legal hold)".format(**counts)
        )
        if counts["skipped"]:
            self.stdout.write(
                f"{counts['skipped']} facts about row ids not replayed: "
                + (
                    "written before the backup was taken"
                    if since
                    else "give --since (when the restored backup was taken) to replay them"
                )
            )
