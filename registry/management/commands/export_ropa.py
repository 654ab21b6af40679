"""Export the record of processing activities (Art. 30) as PDF, XLSX, CSV or JSON."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.ropa import FORMATS, as_of_instant, ropa_export, ropa_filename


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Export the register (ROPA) now or as it stood at the end of a past day."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="pdf")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="the register at that date")
        parser.add_argument("--language", choices=[c for c, _n in settings.LANGUAGES], default="nl")
        parser.add_argument("--output", metavar="FILE", help="default: ropa-<date>.<format>")

    def handle(self, *args, **options):
        fmt = options["format"]
        as_of = None
        if options["as_of"]:
            day = _parse_day(options["as_of"])
            if day > timezone.localdate():
                raise CommandError("--as-of lies in the future")
            as_of = as_of_instant(day)
        output = Path(options["output"] or ropa_filename(fmt=fmt, as_of=as_of))
        if not output.parent.is_dir():
            raise CommandError(f"folder {output.parent} does not exist")
        content = ropa_export(fmt=fmt, as_of=as_of, language=options["language"])
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(f"ROPA ({fmt}, {len(content):,} bytes) written to {output}")
        )
