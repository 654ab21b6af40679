"""Write operations of the cookie consent app."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from registry.models import CookieCategory

from .models import BannerVersion, ConsentRecord

CONSENT_ID_BYTES = 16  # 22 URL-safe characters, 128 random bits


def banner_version_ensure(*, version: str, content: dict[str, Any]) -> BannerVersion:
    """Keep what this banner version shows, the first time it is served (idempotent)."""
    found = BannerVersion.objects.filter(version=version).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return BannerVersion.objects.create(version=version, content=content)
    except IntegrityError:  # another request stored it first
        return BannerVersion.objects.get(version=version)


def consent_record_create(
    *,
    consent_id: str | None,
    banner_version: BannerVersion,
    language: str,
    choices: dict[str, bool],
    origin: str,
) -> ConsentRecord:
    """Record a choice made in the banner (Art. 7(1)); no IP address or other request data.

    Consent IDs are made here, never taken from the client: without an ID, or with one no
    record holds (never issued here, or its records already purged), the choice is a new
    consent under a new random ID, which the banner keeps. A choice that refuses a category
    the same ID had granted is recorded as a withdrawal (Art. 7(3)).
    """
    wanted = {c.value: bool(choices.get(c.value)) for c in CookieCategory.optional()}
    previous = ConsentRecord.objects.for_consent_id(consent_id).last() if consent_id else None
    kept_id = previous.consent_id if previous else secrets.token_urlsafe(CONSENT_ID_BYTES)
    withdrawn = previous is not None and any(
        given and not wanted[key] for key, given in previous.choices().items()
    )
    record = ConsentRecord(
        consent_id=kept_id,
        kind=ConsentRecord.Kind.WITHDRAWAL if withdrawn else ConsentRecord.Kind.CHOICE,
        recorded_at=timezone.now(),
        banner_version=banner_version,
        language=language,
        origin=origin,
        **wanted,
    )
    if settings.CONSENT_DURABLE_COMMIT or connection.vendor != "postgresql":
        record.save(force_insert=True)
        return record
    # Asynchronous commit for this one transaction (docs/COOKIES.md, "Proof of consent"): the
    # row is committed and visible when the banner hears back, but the answer does not wait for
    # the disk's WAL flush (~4 ms here, more than the rest of the request). A PostgreSQL or host
    # crash can lose the choices of the last moments (at most 3 x wal_writer_delay, 0.6 s by
    # default); it never corrupts or half-writes one. CONSENT_DURABLE_COMMIT=true waits instead.
    with transaction.atomic(savepoint=False):  # inside a caller's transaction: that one's
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        record.save(force_insert=True)
    return record
