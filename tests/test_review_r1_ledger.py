"""Review of issue 19 (R1): a withdrawal written to the erasure ledger before a rotation of
SUPPRESSION_KEY is still replayed after a restore (the old key is a fallback)."""

import pytest
from django.utils import timezone

from records.models import NewsletterSubscription
from records.replay import erasures_replay
from records.services import newsletter_subscribe, newsletter_withdraw

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"


def test_a_withdrawal_from_before_a_key_rotation_is_replayed_after_a_restore(settings):
    settings.SUPPRESSION_KEY, settings.SUPPRESSION_KEY_FALLBACKS = "old-key-" * 4, []
    subscription, _ = newsletter_subscribe(
        email="wim@example.be",
        consent_given_at=timezone.now(),
        consent_text="Ik wil de nieuwsbrief",
        statement_version="1",
        source="website",
    )
    newsletter_withdraw(email="wim@example.be")  # ledger: keyed hash under the old key
    # The key is rotated (the old one kept as a fallback, as docs/OPERATIONS.md says), then a
    # restore brings the active subscription back.
    settings.SUPPRESSION_KEY, settings.SUPPRESSION_KEY_FALLBACKS = "new-key-" * 4, ["old-key-" * 4]
    NewsletterSubscription.objects.filter(pk=subscription.pk).update(withdrawn_at=None)

    counts = erasures_replay()

    assert counts["withdrawn"] == 1
    assert not NewsletterSubscription.objects.active().filter(pk=subscription.pk).exists()
