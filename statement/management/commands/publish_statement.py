"""Publish the privacy statement from the register (bootstrap calls this at every start).

The first version is published at once (the site needs a statement). After that a changed
register becomes a draft for the privacy officer's review (issue 17): a restart or an upgrade
never publishes unreviewed text. ``--now`` is the operator's explicit direct publish.

A published version's PDFs are rendered after the publish (issue 18): by default the Celery
worker renders them (queued once the publish commits); ``--pdfs=now`` renders them in this
command and prints their sizes; ``--pdfs=on-demand`` queues nothing and each PDF is rendered
when it is first downloaded (the browser tests publish per test and read few PDFs).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from statement.models import LANGUAGE_CODES, StatementVersion
from statement.pdfs import version_pdfs_render
from statement.services import StatementIncomplete, statement_draft, statement_publish

WORKER, NOW, ON_DEMAND = "worker", "now", "on-demand"
PDFS_SAY = {
    WORKER: "PDFs: queued for the Celery worker (a PDF downloaded before it is done is "
    "rendered then)",
    NOW: "PDFs: rendered by this command in {seconds:.2f} s",
    ON_DEMAND: "PDFs: each rendered when first downloaded (nothing queued)",
}


class Command(BaseCommand):
    help = (
        "Render the privacy statement (nl/fr/en, HTML and PDF) from the register: the first "
        "version is published; later changes become a draft for review (--now publishes). "
        "A published version's PDFs are rendered by the Celery worker (--pdfs)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="publish a changed register at once, without the privacy officer's review",
        )
        parser.add_argument(
            "--pdfs",
            choices=(WORKER, NOW, ON_DEMAND),
            default=WORKER,
            help=(
                "who renders a published version's PDFs: the Celery worker, queued after the "
                "publish (default); this command, before it ends (prints their sizes); or "
                "nobody until each is first downloaded"
            ),
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
                    trigger=StatementVersion.Trigger.COMMAND,
                    progress=progress,
                    queue_pdfs=options["pdfs"] == WORKER,
                )
            except StatementIncomplete as exc:
                raise CommandError(f"{exc} (load it with: manage.py seed_cdot)") from exc
        version = result.version
        pdf_seconds = 0.0
        if options["pdfs"] == NOW:  # also the current version's, if still missing
            started = time.perf_counter()
            version_pdfs_render(model=version._meta.label_lower, version_id=version.pk)
            pdf_seconds = time.perf_counter() - started
            version.refresh_from_db(fields=[f"pdf_{lang}" for lang in LANGUAGE_CODES])
        if not result.created:
            self.stdout.write(
                f"» statement unchanged: version {version.number} of "
                f"{version.published_at:%Y-%m-%d %H:%M} UTC stays current "
                f"(checked in {result.seconds:.2f} s)"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"» statement version {version.number} published in "
                f"{result.seconds:.2f} s ({self._sizes(version)})"
            )
        )
        self.stdout.write("  " + PDFS_SAY[options["pdfs"]].format(seconds=pdf_seconds))
        for line in version.summary("en"):
            self.stdout.write(f"  - {line}")

    @staticmethod
    def _sizes(version: StatementVersion) -> str:
        """HTML size per language, and the PDF's once it is stored."""
        sizes = []
        for lang in LANGUAGE_CODES:
            pdf = version.pdf(lang)
            size = f"{lang}: {len(version.body(lang)) // 1024} KiB HTML"
            sizes.append(size + (f" / {len(pdf) // 1024} KiB PDF" if pdf is not None else ""))
        return ", ".join(sizes)

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
