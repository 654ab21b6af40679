"""Publish the privacy statement from the register (bootstrap calls this at every start).

The first version is published at once (the site needs a statement). After that a changed
register becomes a draft for the privacy officer's review (issue 17): a restart or an upgrade
never publishes unreviewed text. ``--now`` is the operator's explicit direct publish.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from statement.models import LANGUAGE_CODES, StatementVersion
from statement.services import StatementIncomplete, statement_draft, statement_publish


class Command(BaseCommand):
    help = (
        "Render the privacy statement (nl/fr/en, HTML and PDF) from the register: the first "
        "version is published; later changes become a draft for review (--now publishes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="publish a changed register at once, without the privacy officer's review",
        )

    def handle(self, *args, **options):
        if not options["now"] and StatementVersion.objects.published().exists():
            self._draft()
            return
        with tqdm(
            total=len(LANGUAGE_CODES) * 2,
            desc="publish statement",
            unit="step",
            file=self.stderr,
            leave=False,
        ) as bar:

            def progress(label: str) -> None:
                bar.set_postfix_str(label)
                bar.update(1)

            try:
                result = statement_publish(
                    trigger=StatementVersion.Trigger.COMMAND, progress=progress
                )
            except StatementIncomplete as exc:
                raise CommandError(f"{exc} (load it with: manage.py seed_cdot)") from exc
        version = result.version
        if not result.created:
            self.stdout.write(
                f"» statement unchanged: version {version.number} of "
                f"{version.published_at:%Y-%m-%d %H:%M} UTC stays current "
                f"(checked in {result.seconds:.2f} s)"
            )
            return
        sizes = ", ".join(
            f"{lang}: {len(version.body(lang)) // 1024} KiB HTML / "
            f"{len(version.pdf(lang)) // 1024} KiB PDF"
            for lang in LANGUAGE_CODES
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"» statement version {version.number} published in "
                f"{result.seconds:.2f} s ({sizes})"
            )
        )
        for line in version.summary("en"):
            self.stdout.write(f"  - {line}")

    def _draft(self) -> None:
        try:
            draft = statement_draft(trigger=StatementVersion.Trigger.COMMAND)
        except StatementIncomplete as exc:
            raise CommandError(f"{exc} (load it with: manage.py seed_cdot)") from exc
        if draft is None:
            current = StatementVersion.objects.newest_first().first()
            self.stdout.write(f"» statement unchanged: version {current.number} stays current")
            return
        until = timezone.localtime(draft.publish_after)
        self.stdout.write(
            f"» the register changed: a statement draft waits for the privacy officer's review "
            f"(published automatically on {until:%Y-%m-%d %H:%M} unless approved sooner; "
            f"--now publishes at once)"
        )
