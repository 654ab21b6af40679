"""The website's cookie inventory and consent settings (issue 15), part of the register.

Belgian law (art. 10/2 of the law of 30 July 2018, formerly art. 129 of the electronic
communications law) requires prior consent for every cookie that is not strictly necessary;
Art. 13(2)(a) GDPR asks for each cookie's lifetime. One inventory feeds the banner (`consent/`),
the privacy statement and the ROPA, so what visitors are asked matches what the site does.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The first-party cookie in which the banner keeps the visitor's choices and consent ID.
CONSENT_COOKIE_NAME = "cdot_consent"
DEFAULT_CONSENT_MONTHS = 6


class CookieCategory(models.TextChoices):
    """The four categories visitors are asked about (strictly necessary ones need no consent)."""

    STRICTLY_NECESSARY = "strictly_necessary", _("strictly necessary")
    PREFERENCES = "preferences", _("preferences")
    STATISTICS = "statistics", _("statistics")
    MARKETING = "marketing", _("marketing")

    @classmethod
    def optional(cls) -> list[CookieCategory]:
        """The categories that need consent, in the order the banner shows them."""
        return [cls.PREFERENCES, cls.STATISTICS, cls.MARKETING]


class CookieQuerySet(models.QuerySet):
    def in_category(self, category: str) -> CookieQuerySet:
        return self.filter(category=category)

    def needing_consent(self) -> CookieQuerySet:
        return self.exclude(category=CookieCategory.STRICTLY_NECESSARY)

    def for_banner(self) -> CookieQuerySet:
        return self.select_related("recipient", "activity").order_by("category", "name")


class Cookie(models.Model):
    """One cookie (or a family of cookies named by a pattern) the website sets or lets set."""

    class Party(models.TextChoices):
        FIRST = "first", _("first party (our own website)")
        THIRD = "third", _("third party")

    class LifetimeUnit(models.TextChoices):
        SESSION = "session", _("until the browser is closed")
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")
        YEARS = "years", _("years")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    name = models.CharField(
        _("cookie name"),
        max_length=100,
        unique=True,
        help_text=_(
            "The name as the browser shows it; * stands for any characters (e.g. _pk_id.*)."
        ),
    )
    party = models.CharField(_("set by"), max_length=10, choices=Party.choices)
    recipient = models.ForeignKey(
        "registry.Recipient",
        on_delete=models.PROTECT,
        related_name="cookies",
        null=True,
        blank=True,
        verbose_name=_("third party"),
        help_text=_("Art. 13(1)(e): the recipient that sets or reads a third-party cookie."),
    )
    category = models.CharField(_("category"), max_length=20, choices=CookieCategory.choices)
    purpose = models.TextField(
        _("purpose"), help_text=_("Shown in the banner and the statement: why the cookie is set.")
    )
    lifetime_value = models.PositiveIntegerField(
        _("lifetime"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Art. 13(2)(a): how long the cookie stays in the browser."),
    )
    lifetime_unit = models.CharField(
        _("lifetime unit"), max_length=10, choices=LifetimeUnit.choices, blank=True
    )
    activity = models.ForeignKey(
        "registry.ProcessingActivity",
        on_delete=models.PROTECT,
        related_name="cookies",
        null=True,
        blank=True,
        verbose_name=_("processing activity"),
        help_text=_("The purpose in the register this cookie serves (required unless necessary)."),
    )
    note = models.TextField(_("internal note"), blank=True)

    objects = CookieQuerySet.as_manager()

    class Meta:
        verbose_name = _("cookie")
        verbose_name_plural = _("cookies (website)")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.party == self.Party.THIRD and not self.recipient_id:
            errors["recipient"] = ValidationError(_("Name the third party that sets this cookie."))
        if self.party == self.Party.FIRST and self.recipient_id:
            errors["recipient"] = ValidationError(_("A first-party cookie has no third party."))
        if self.lifetime_unit == self.LifetimeUnit.SESSION and self.lifetime_value:
            errors["lifetime_value"] = ValidationError(
                _("A cookie that ends with the browser session has no number.")
            )
        has_unit = self.lifetime_unit not in ("", self.LifetimeUnit.SESSION)
        if has_unit and not self.lifetime_value:
            errors["lifetime_value"] = ValidationError(_("Give the number of the lifetime."))
        if self.lifetime_value and not self.lifetime_unit:
            errors["lifetime_unit"] = ValidationError(_("Choose the unit of the lifetime."))
        if errors:
            raise ValidationError(errors)

    @property
    def has_lifetime(self) -> bool:
        return self.lifetime_unit == self.LifetimeUnit.SESSION or bool(
            self.lifetime_value and self.lifetime_unit
        )

    @property
    def needs_consent(self) -> bool:
        return self.category != CookieCategory.STRICTLY_NECESSARY

    def lifetime_display(self) -> str:
        """'2 uur', '6 months', 'until the browser is closed', '' when unknown."""
        if self.lifetime_unit == self.LifetimeUnit.SESSION:
            return str(self.LifetimeUnit.SESSION.label)
        if not self.has_lifetime:
            return ""
        return lifetime_text(self.lifetime_value or 0, self.lifetime_unit)

    def lifetime_seconds(self) -> int | None:
        """Approximate lifetime in seconds (months = 30 days, years = 365 days); None if unknown."""
        if not self.has_lifetime or self.lifetime_unit == self.LifetimeUnit.SESSION:
            return None
        days = {"hours": 1 / 24, "days": 1, "weeks": 7, "months": 30, "years": 365}
        return int(
            timedelta(days=days[self.lifetime_unit] * (self.lifetime_value or 0)).total_seconds()
        )

    def matches(self, cookie_name: str) -> bool:
        """Whether a cookie the browser holds is this entry (a pattern's * matches anything)."""
        pattern = "^" + ".*".join(re.escape(part) for part in self.name.split("*")) + "$"
        return re.match(pattern, cookie_name) is not None


def lifetime_text(value: int, unit: str) -> str:
    texts = {
        "hours": ngettext("%(n)d hour", "%(n)d hours", value),
        "days": ngettext("%(n)d day", "%(n)d days", value),
        "weeks": ngettext("%(n)d week", "%(n)d weeks", value),
        "months": ngettext("%(n)d month", "%(n)d months", value),
        "years": ngettext("%(n)d year", "%(n)d years", value),
    }
    return texts[unit] % {"n": value}


ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$")


def parse_origins(text: str) -> list[str]:
    """One origin per line ('https://www.c-dot.be'); blank lines ignored, case folded."""
    return [line.strip().rstrip("/").lower() for line in (text or "").splitlines() if line.strip()]


def validate_origins(text: str) -> None:
    bad = [o for o in parse_origins(text) if not ORIGIN_RE.match(o) or urlsplit(o).path]
    if bad:
        raise ValidationError(
            _("Not an origin (scheme and host only, e.g. https://www.c-dot.be): %(bad)s"),
            params={"bad": ", ".join(bad)},
            code="origin",
        )


class ConsentSettingsQuerySet(models.QuerySet):
    def current(self) -> ConsentSettings:
        """The one settings row; an unsaved default (6 months, no origins) while none exists."""
        return self.order_by("pk").first() or ConsentSettings()


class ConsentSettings(models.Model):
    """How long a cookie choice holds and which websites may send consents. One row."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    consent_months = models.PositiveSmallIntegerField(
        _("a choice holds for (months)"),
        default=DEFAULT_CONSENT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_(
            "After this period the banner asks again; it is also the lifetime of the consent "
            "cookie (GBA/APD practice: about 6 months)."
        ),
    )
    allowed_origins = models.TextField(
        _("websites that show the banner"),
        blank=True,
        validators=[validate_origins],
        help_text=_(
            "One origin per line (e.g. https://www.c-dot.be). Only these websites may record "
            "consents through the API."
        ),
    )

    objects = ConsentSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("cookie banner settings")
        verbose_name_plural = _("cookie banner settings")

    def __str__(self) -> str:
        return str(_("Cookie banner settings"))

    @property
    def origins(self) -> list[str]:
        return parse_origins(self.allowed_origins)

    @property
    def consent_seconds(self) -> int:
        """The consent cookie's max-age (a month counted as 30 days: never longer than set)."""
        return self.consent_months * 30 * 24 * 3600
