"""What the run command does after migrate: make a fresh install usable in one go.

Idempotent: a second run keeps the data and the staff login, and is fast.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from cdot_privacy.periodic import periodic_tasks_sync

# Steps other apps provide; each runs when its command exists.
OPTIONAL_STEPS = [
    ("seed_cdot", "C-DOT's register of processing activities"),
    ("setup_roles", "staff roles"),
    ("publish_statement", "the privacy statement"),
    ("publish_staff_notice", "the staff privacy notice"),
]
STAFF_USERNAME = "privacy"


class Command(BaseCommand):
    help = "Sync periodic tasks, load C-DOT's data, publish the statement, create a staff login."

    def handle(self, *args, **options):
        counts = periodic_tasks_sync()
        self.stdout.write(f"» periodic tasks: {counts}")
        available = get_commands()
        for name, what in OPTIONAL_STEPS:
            if name in available:
                self.stdout.write(f"» {what} ({name})")
                call_command(name, stdout=self.stdout, stderr=self.stderr)
        self._ensure_staff_login()

    def _ensure_staff_login(self) -> None:
        User = get_user_model()
        if User.objects.filter(username=STAFF_USERNAME).exists():
            self.stdout.write(
                f"» staff login: {STAFF_USERNAME} (password shown at the first run; "
                f"change it with: .venv/bin/python manage.py changepassword {STAFF_USERNAME})"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(STAFF_USERNAME, "glenn@c-dot.be", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"» staff login created, shown once: user {STAFF_USERNAME}  password {password}"
            )
        )
