"""What several bench scripts share. Imported as `_support`: the folder of the script that runs
is first on sys.path, so a script run against another checkout (--root) still finds this one."""

import os
from pathlib import Path


def django_migrated(db: str) -> None:
    """Django set up on a migrated database: DATABASE_URL's when the environment sets one, else
    a throwaway SQLite file `db` (removed first)."""
    if "DATABASE_URL" not in os.environ:
        Path(db).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("VAR_DIR", f"{db}.var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdot_privacy.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def officer_client():
    """A test client signed in as `bench`, a privacy officer (made on the first call), without
    the second factor (settings.STAFF_2FA off for this process)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from cdot_privacy.roles import PRIVACY_OFFICER, roles_setup

    settings.STAFF_2FA = False
    roles_setup()
    officer = get_user_model().objects.filter(username="bench").first()  # a kept database's
    if officer is None:
        officer = get_user_model().objects.create_user(
            "bench", "b@c-dot.be", "x" * 20, is_staff=True
        )
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client = Client()
    client.force_login(officer)
    return client
