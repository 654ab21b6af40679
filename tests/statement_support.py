"""Helpers for the privacy-statement tests: C-DOT's register, published, read as a visitor does."""

import io
import re
from contextlib import contextmanager

from django.core.management import call_command
from django.db import transaction
from django.test import Client

from registry.models import Organisation, ProcessingActivity, Recipient
from statement.pdfs import version_pdfs_render
from statement.services import statement_publish

LANGUAGES = ("nl", "fr", "en")

# The former authority, in every spelling the old statement or its translations could use.
FORMER_AUTHORITY = re.compile(
    r"Privacy\s*Commissie|Privacycommissie|Commissie voor de bescherming|"
    r"Commission (de|pour) la protection de la vie priv|Privacy Commission|privacycommission|"
    r"commission\(at\)|274 48 35",
    re.IGNORECASE,
)

# A valid company number for the tests (the seed has none: C-DOT must enter its own).
TEST_KBO = "0123456749"
# A source for B (Art. 14(2)(f)); the seed does not state one either.
TEST_SOURCE = {
    "nl": "Openbare bedrijfsgegevens uit de KBO en beurzen.",
    "fr": "Données publiques d'entreprises de la BCE et salons.",
    "en": "Public company data from the KBO and trade fairs.",
}


def register_seed_cdot() -> None:
    """C-DOT's register exactly as the run command loads it, plus the facts it lacks (company
    number, a source for B, where the recipients process data)."""
    call_command("seed_cdot", stdout=io.StringIO())
    register_complete()


def register_complete() -> None:
    """The facts the seeded register lacks (company number, a source for B, where the
    recipients process data): register_seed_cdot on a register seeded once per module."""
    Organisation.objects.filter(pk=Organisation.objects.current().pk).update(
        kbo_number=TEST_KBO, vat_number=f"BE{TEST_KBO}"
    )
    ProcessingActivity.objects.filter(code="B").update(
        **{f"data_source_{lang}": text for lang, text in TEST_SOURCE.items()}
    )
    Recipient.objects.update(country="BE", inside_eea=True)


@contextmanager
def published_register(django_db_blocker):
    """Seed and publish once for a whole module, inside a transaction rolled back at its end.

    Each test still runs in its own savepoint (pytest-django's django_db), as in Django's
    TestCase.setUpClass: the slow part (three PDFs, rendered as the worker renders them after
    the publish) is done once, nothing leaks out.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            register_seed_cdot()
            version = statement_publish().version
            version_pdfs_render(model=version._meta.label_lower, version_id=version.pk)
            yield version
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def page_text(html: str) -> str:
    """Visible text of a page, whitespace collapsed (tags dropped, entities kept readable)."""
    from html import unescape

    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(text))


def get(client: Client, url: str, **headers):
    return client.get(url, headers=headers)
