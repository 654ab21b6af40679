"""What the run command (and compose's migrate job, at every start) does after migrate: make a
fresh install usable in one go, and a restored database forget again what the erasure ledger
says was erased or withdrawn.

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
        self._replay_erasures()
        counts = periodic_tasks_sync()
        self.stdout.write(f"» periodic tasks: {counts}")
        available = get_commands()
        for name, what in OPTIONAL_STEPS:
            if name in available:
                self.stdout.write(f"» {what} ({name})")
                call_command(name, stdout=self.stdout, stderr=self.stderr)
        self._ensure_staff_login()

    def _replay_erasures(self) -> None:
        """A database restored another way than manage.py restore (pg_restore by hand, a
        provider's snapshot) may hold again what was erased or withdrawn after its backup: the
        ledger's address facts (withdrawals, objections, erasures by keyed e-mail hash) are
        applied again, as `manage.py replay_erasures` without --since does (Art. 17, 7(3),
        21(3)). Row-id facts need the backup's time: manage.py restore passes it. Silent and
        unrecorded when nothing was brought back, which is every ordinary start."""
        from records.ledger import ledger_path
        from records.replay import EFFECTS, erasures_replay

        if not ledger_path().exists():
            return
        counts = erasures_replay(record_unchanged=False)
        if not any(counts[effect] for effect in EFFECTS):
            return
        self.stdout.write(
            self.style.WARNING(
                "» erasure ledger replayed (this database had forgotten erasures): "
                "{erased} rows erased again, {minimised} contacts minimised again, "
                "{withdrawn} subscriptions withdrawn again, {opted_out} contacts opted out "
                "again, {suppressed} suppression entries restored, {refused} refused (legal "
                "hold); row-id facts need: manage.py replay_erasures --since <backup time>".format(
                    **counts
                )
            )
        )

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
