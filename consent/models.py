"""Consent records: proof of each cookie choice (Art. 7(1) GDPR), without IP addresses.

A visitor's browser keeps a random consent ID in the first-party consent cookie; every choice
and every withdrawal is one append-only row: the ID, the time, the banner version (whose texts
and inventory are kept in BannerVersion, so staff can show what was asked), the choice per
category, the page's language and the website it came from. The rows end with the register's
`cookie-consent` retention rule (counted from the time of the choice). With Redis, a first choice
waits there (about 10 seconds while beat runs) before its row is written (consent/services.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import CookieCategory

LANGUAGE_CHOICES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]


class BannerVersion(models.Model):
    """The exact texts and cookie list a banner version showed (its id is their hash)."""

    version = models.CharField(_("banner version"), max_length=16, unique=True)
    content = models.JSONField(_("texts and cookies shown"))
    first_served_at = models.DateTimeField(_("first shown"), default=timezone.now)

    class Meta:
        verbose_name = _("banner version")
        verbose_name_plural = _("banner versions")
        ordering = ["-first_served_at"]

    def __str__(self) -> str:
        return self.version


class ConsentRecordQuerySet(models.QuerySet):
    def for_consent_id(self, consent_id: str) -> ConsentRecordQuerySet:
        return self.filter(consent_id=consent_id).order_by("recorded_at", "pk")

    def expired(self, now: datetime, rule) -> ConsentRecordQuerySet:
        """Records with `recorded_at <= rule.cutoff(now)` (the `cookie-consent` rule)."""
        return self.filter(recorded_at__lte=rule.cutoff(now))

    def since(self, day: date) -> ConsentRecordQuerySet:
        return self.filter(recorded_at__date__gte=day)


class ConsentRecord(models.Model):
    """One choice or withdrawal made in the cookie banner. Append-only."""

    class Kind(models.TextChoices):
        CHOICE = "choice", _("choice")
        WITHDRAWAL = "withdrawal", _("withdrawal")

    # Retention (issue 13): the register's rule that ends these rows, and what in them is
    # personal (the consent ID is an online identifier, recital 30).
    retention_rule_code: ClassVar[str] = "cookie-consent"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("cookie-consent",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("consent_id",)

    consent_id = models.CharField(_("consent ID"), max_length=32, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    banner_version = models.ForeignKey(
        BannerVersion,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("banner version"),
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    preferences = models.BooleanField(CookieCategory.PREFERENCES.label, default=False)
    statistics = models.BooleanField(CookieCategory.STATISTICS.label, default=False)
    marketing = models.BooleanField(CookieCategory.MARKETING.label, default=False)
    origin = models.CharField(_("website"), max_length=200)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            # A first choice queued in Redis is written by whichever flush takes it; one that
            # died after writing is taken over and written again: this keeps it one row.
            models.UniqueConstraint(
                fields=["consent_id", "recorded_at"], name="consent_record_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consent_id} ({self.get_kind_display()})"

    def choices(self) -> dict[str, bool]:
        return {c.value: getattr(self, c.value) for c in CookieCategory.optional()}

    def granted(self) -> list[str]:
        return [c for c, given in self.choices().items() if given]
