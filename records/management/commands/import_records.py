"""manage.py import_records contacts|invoices FILE.csv — all rows or none, with a report."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records.importing import KINDS, records_import_csv


class Command(BaseCommand):
    help = "Import contacts or invoices from a UTF-8 CSV file (all-or-nothing, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, kind: str, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        with file.open(newline="", encoding="utf-8-sig") as handle:
            report = records_import_csv(
                kind=kind,
                file=handle,
                progress=lambda rows: tqdm(rows, desc=f"checking {kind}", unit="row"),
            )
        for problem in report.problems:
            self.stderr.write(f"row {problem.row}, column {problem.column}: {problem.message}")
        summary = (
            f"{kind}: {report.rows} rows, {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.skipped_suppressed} skipped (suppressed)"
        )
        if not report.saved:
            raise CommandError(f"{len(report.problems)} problem(s); nothing was imported")
        self.stdout.write(self.style.SUCCESS(summary))
