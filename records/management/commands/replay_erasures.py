"""manage.py replay_erasures: erase, minimise, withdraw and opt out again whatever a restored
database brought back (the erasure ledger, records/ledger.py). Safe to run at any time: on a
database that forgot nothing it changes nothing. Recorded as an ErasureReplay."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from records.ledger import erasures_replay, ledger_path, ledger_read


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        total = sum(1 for _ in ledger_read())
        quiet = options["verbosity"] < 1
        with tqdm(total=total, desc="erasure ledger", unit="fact", disable=quiet) as bar:
            counts = erasures_replay(progress=bar.update)
        if total == 0:
            self.stdout.write(f"erasure ledger {ledger_path()} is empty or missing: nothing to do")
        self.stdout.write(
            "replayed {facts} ledger facts: {erased} rows erased again, {minimised} contacts "
            "minimised again, {withdrawn} subscriptions withdrawn again, {opted_out} contacts "
            "opted out again, {suppressed} suppression entries restored, {refused} refused "
            "(legal hold)".format(**counts)
        )
