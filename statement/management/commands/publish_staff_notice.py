"""Publish the staff privacy notice from the register (the run command calls this).

The public statement's purpose G says the arrangements with staff are in a separate document:
this command makes that document exist from the first run, and stores a new version only when
its text changed (#16 point 5)."""

from django.core.management.base import BaseCommand, CommandError

from statement.staff_notice import StaffNoticeIncomplete, staff_notice_publish


class Command(BaseCommand):
    help = (
        "Render the staff privacy notice (nl/fr/en, HTML and PDF) from the register and store a "
        "new version when its content changed (its PDFs are rendered by the Celery worker after "
        "the publish). Staff-only: never on the public site."
    )

    def handle(self, *args, **options):
        try:
            result = staff_notice_publish()
        except StaffNoticeIncomplete as exc:
            raise CommandError(
                "the register lacks the controller, the supervisory authority or an active "
                "activity about employees (load it with: manage.py seed_cdot)"
            ) from exc
        version = result.version
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"» staff notice version {version.number} published in {result.seconds:.2f} s "
                    "(PDFs: queued for the Celery worker; a PDF downloaded before it is done is "
                    "rendered then)"
                )
            )
        else:
            self.stdout.write(f"» staff notice unchanged: version {version.number} stays current")
