"""Data the e2e scenarios start from: what `bin/run` loads on a fresh install."""

from io import StringIO

from django.core.cache import cache
from django.core.management import call_command, get_commands

# The bootstrap steps that fill the site (see cdot_privacy/management/commands/bootstrap.py).
SITE_STEPS = ("seed_cdot", "setup_roles", "publish_statement")
# Each test publishes and few read a PDF: each PDF is rendered when first downloaded (with the
# default the render would be queued and, with the eager Celery of the SQLite run, done at once).
STEP_ARGS = {"publish_statement": ("--pdfs=on-demand",)}


def load_cdot_site() -> None:
    """Load C-DOT's register, the staff roles and publish the statement (each step once its
    command exists); the live server then serves what a fresh install serves."""
    from statement.services import DEBOUNCE_KEY

    available = get_commands()
    # Mark a publish as pending while loading: the seed's many register changes then ride along
    # with the one explicit publish below instead of queueing (or, eagerly, running) one each.
    cache.set(DEBOUNCE_KEY, "e2e", timeout=600)
    try:
        for name in SITE_STEPS:
            if name in available:
                call_command(name, *STEP_ARGS.get(name, ()), stdout=StringIO(), stderr=StringIO())
    finally:
        cache.delete(DEBOUNCE_KEY)
