"""Issue a one-time 2FA enrolment code from the command line (the last officer locked out)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cdot_privacy.two_factor import devices_remove, enrolment_code_issue


class Command(BaseCommand):
    help = (
        "Prints a one-time enrolment code with which a staff member without a working second "
        "factor sets up a new authenticator app. Audited (actor: the command line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--remove-devices",
            action="store_true",
            help="also delete the person's authenticator app and backup codes (lost phone)",
        )

    def handle(self, *args, username: str, remove_devices: bool = False, **options):
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"no staff member with user name {username!r}")
        if remove_devices:
            removed = devices_remove(user=user, actor=None)
            self.stdout.write(f"Removed {removed} device(s) of {username}.")
        code = enrolment_code_issue(user=user, issued_by=None)
        hours = settings.OTP_ENROLMENT_CODE_HOURS
        self.stdout.write(
            f"Enrolment code for {username}: {code}\n"
            f"It works once, for {hours} hours. The person logs in with the password and "
            "enters it on the two-factor page."
        )
