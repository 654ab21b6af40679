"""Write operations of the cookie consent app."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
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
    return ConsentRecord.objects.create(
        consent_id=kept_id,
        kind=ConsentRecord.Kind.WITHDRAWAL if withdrawn else ConsentRecord.Kind.CHOICE,
        recorded_at=timezone.now(),
        banner_version=banner_version,
        language=language,
        origin=origin,
        **wanted,
    )
