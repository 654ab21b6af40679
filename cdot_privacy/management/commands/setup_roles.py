"""Create or update the staff roles (groups); safe to run again after new models land."""

from django.core.management.base import BaseCommand

from cdot_privacy.roles import ROLES, roles_setup


class Command(BaseCommand):
    help = "Create or update the groups Privacy officer, Staff and Auditor with their permissions."

    def handle(self, *args, **options):
        counts = roles_setup()
        for role in ROLES:
            self.stdout.write(
                f"  {role.name}: {counts[role.name]} permissions ({role.description})"
            )
