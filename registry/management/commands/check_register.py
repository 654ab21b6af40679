"""Check the register for missing Art. 30 items and other gaps; exit 1 when there are errors."""

import json

from django.core.management.base import BaseCommand, CommandError

from registry.hints import Level, register_findings


class Command(BaseCommand):
    help = (
        "List what the register lacks (Art. 30(1)(a)-(g), bases, processors, transfers). "
        "Exits with status 1 when there is at least one error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")
        parser.add_argument(
            "--strict", action="store_true", help="fail on warnings too, not only on errors"
        )

    def handle(self, *args, json=False, strict=False, **options):
        findings = register_findings()
        if json:
            self.stdout.write(_dumps([f.as_dict() for f in findings]))
        else:
            for f in findings:
                style = self.style.ERROR if f.level == Level.ERROR else self.style.WARNING
                where = f" [{f.obj._meta.verbose_name}: {f.obj}]" if f.obj is not None else ""
                self.stdout.write(
                    style(f"{f.level.upper():7} {f.code} (Art. {f.article}){where}: {f.message}")
                )
        errors = sum(f.level == Level.ERROR for f in findings)
        warnings = sum(f.level == Level.WARNING for f in findings)
        summary = f"register check: {errors} error(s), {warnings} warning(s)"
        if errors or (strict and warnings):
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
