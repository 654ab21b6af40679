"""Publish the privacy statement from the register (the run command calls this)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from statement.models import LANGUAGE_CODES, StatementVersion
from statement.services import StatementIncomplete, statement_publish


class Command(BaseCommand):
    help = (
        "Render the privacy statement (nl/fr/en, HTML and PDF) from the register and store a "
        "new version when its content changed."
    )

    def handle(self, *args, **options):
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
