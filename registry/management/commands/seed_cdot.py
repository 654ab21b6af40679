"""Load C-DOT's register of processing activities (purposes A-G) from the seed."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from registry.services import SeedReport, register_seed, seed_size


class Command(BaseCommand):
    help = (
        "Load C-DOT's register (organisation, GBA/APD, purposes A-G, categories, recipients, "
        "security measures, retention rules). Safe to run again: rows staff changed are left "
        "alone and listed; --force overwrites them with the seed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="overwrite rows staff changed or deleted"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change, change nothing"
        )

    def handle(self, *args, force=False, dry_run=False, **options):
        with tqdm(total=seed_size(), desc="register", unit="row", disable=None) as bar:
            report = register_seed(force=force, dry_run=dry_run, progress=bar.update)
        self._summary(report, dry_run=dry_run)

    def _summary(self, report: SeedReport, *, dry_run: bool) -> None:
        prefix = "would be " if dry_run else ""
        self.stdout.write(
            f"register: {len(report.created)} {prefix}created, "
            f"{len(report.updated)} {prefix}updated, {len(report.unchanged)} unchanged, "
            f"{len(report.kept_staff_edits)} kept as staff edited them, "
            f"{len(report.overwritten)} {prefix}overwritten (--force)"
        )
        for label, names in report.kept_staff_edits.items():
            self.stdout.write(
                self.style.WARNING(
                    f"  kept staff edit: {label}: differs from the seed in {', '.join(names)} "
                    "(run with --force to overwrite)"
                )
            )
        for label in report.kept_deleted:
            self.stdout.write(
                self.style.WARNING(f"  not recreated (deleted by staff): {label} (--force)")
            )
        for label, names in report.overwritten.items():
            self.stdout.write(self.style.WARNING(f"  overwritten: {label}: {', '.join(names)}"))
