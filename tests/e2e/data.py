"""Data the e2e scenarios start from: what `bin/run` loads on a fresh install."""

from io import StringIO

from django.core.management import call_command, get_commands

# The bootstrap steps that fill the site (see cdot_privacy/management/commands/bootstrap.py).
SITE_STEPS = ("seed_cdot", "setup_roles", "publish_statement")


def load_cdot_site() -> None:
    """Load C-DOT's register, the staff roles and publish the statement (each step once its
    command exists); the live server then serves what a fresh install serves."""
    available = get_commands()
    for name in SITE_STEPS:
        if name in available:
            call_command(name, stdout=StringIO(), stderr=StringIO())
