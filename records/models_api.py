"""Who may hand personal data in through the API, and what each call did (no personal data).

An ApiKey belongs to one client system (the website, the webshop). Only a SHA-256 of the key
is stored: the key itself is shown once, when staff create it. A key is scoped to the
endpoints it may call, rate-limited, revocable, and its last use is recorded.
"""

import hashlib
import secrets
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "cdot_"


def api_key_hash(key: str) -> str:
    """SHA-256 hex of an API key (keys carry 256 random bits: no slow hash needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def usable(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=True)

    def find(self, key: str) -> "ApiKey | None":
        """The non-revoked key matching `key`, or None."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        return self.usable().filter(key_hash=api_key_hash(key)).first()


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        INQUIRIES_WRITE = "inquiries:write", _("post contact-form inquiries")
        NEWSLETTER_WRITE = "newsletter:write", _("post newsletter consents and withdrawals")

    name = models.CharField(_("client system"), max_length=100, help_text=_("e.g. website"))
    prefix = models.CharField(_("key starts with"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(_("calls per minute"), default=60)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new key: (the key to show once, its prefix, its hash)."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        return key, key[: len(KEY_PREFIX) + 6], api_key_hash(key)

    def allows(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecordQuerySet(models.QuerySet):
    def older_than(self, moment) -> "IdempotencyRecordQuerySet":
        return self.filter(created_at__lt=moment)


class IdempotencyRecord(models.Model):
    """The answer given to a POST with an Idempotency-Key, replayed on a retry (24 hours)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()  # ids and statuses only, never personal data
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = IdempotencyRecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_per_api_key")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key[:20]}"


class ApiAuditEntry(models.Model):
    """One API call that wrote personal data: which key, which endpoint, which record, when."""

    # Pseudonymous: the id of the person's record (Art. 4(5)); ended by rule `api-audit`.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("record_id",)
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("api-audit",)

    api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, related_name="audit_entries", verbose_name=_("API key")
    )
    endpoint = models.CharField(_("endpoint"), max_length=100)
    record_type = models.CharField(_("record type"), max_length=50)
    record_id = models.PositiveBigIntegerField(_("record id"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("API audit entry")
        verbose_name_plural = _("API audit trail")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.record_type} #{self.record_id}"
