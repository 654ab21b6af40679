"""The camera register (law of 21 March 2007 on camera surveillance; royal decree of 8 May
2018): one row per camera location, its declaration to the police (validated yearly) and its
pictogram. The footage is kept at most one month (art. 6 §3, 7 §3, 8/2 §3 of the camera law)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import PeriodUnit

# The camera law: images are kept at most one month unless they prove an offence, damage or
# nuisance or identify an offender, a witness or a victim.
FOOTAGE_RULE_CODE = "camera-footage"


def footage_period_too_long(value: int | None, unit: str | None) -> bool:
    """True when a period can exceed one calendar month (28 days is the shortest month)."""
    if value is None or not unit:
        return False
    if unit == PeriodUnit.DAYS:
        return value > 28
    if unit == PeriodUnit.MONTHS:
        return value > 1
    return value > 0  # years


# The dashboard reminds staff this many days before the yearly validation is due.
REMINDER_DAYS = 30

FOOTAGE_TOO_LONG = _(
    "Camera images may be kept at most one month (camera law of 21 March 2007). Set the period "
    "to 1 month or less (at most 28 days when counted in days)."
)


class CameraQuerySet(models.QuerySet):
    def validation_due(self, today: date) -> list[Camera]:
        """Declared cameras whose yearly validation is due within 30 days, or overdue."""
        return [
            c for c in self.filter(police_declared_on__isnull=False) if c.validation_is_due(today)
        ]

    def undeclared(self) -> CameraQuerySet:
        return self.filter(police_declared_on__isnull=True)


class Camera(models.Model):
    """One camera location in the register of image-processing activities (RD 8 May 2018)."""

    class Mobility(models.TextChoices):
        FIXED = "fixed", _("fixed")
        TEMPORARY = "temporary_fixed", _("temporarily fixed")
        MOBILE = "mobile", _("mobile")

    class Setting(models.TextChoices):
        INDOOR = "indoor", _("indoor")
        OUTDOOR = "outdoor", _("outdoor")

    class Place(models.TextChoices):
        # The camera law's three kinds of place (art. 2).
        PRIVATE = "private", _("private place not accessible to the public")
        PRIVATE_PUBLIC = "private_public", _("private place accessible to the public")
        PUBLIC = "public", _("public place")

    activity = models.ForeignKey(
        "registry.ProcessingActivity",
        on_delete=models.PROTECT,
        related_name="cameras",
        verbose_name=_("processing activity"),
    )
    location = models.CharField(_("camera location"), max_length=200)
    mobility = models.CharField(_("fixed or mobile"), max_length=16, choices=Mobility.choices)
    setting = models.CharField(_("indoor or outdoor"), max_length=8, choices=Setting.choices)
    place = models.CharField(_("kind of place"), max_length=16, choices=Place.choices)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(
        _("legal basis"),
        help_text=_("E.g. legitimate interest (Art. 6(1)(f)) within the camera law."),
    )
    retention_rule = models.ForeignKey(
        "registry.RetentionRule",
        on_delete=models.PROTECT,
        related_name="cameras",
        verbose_name=_("retention of the images"),
    )
    viewers = models.TextField(_("who may view the images"))
    films_staff = models.BooleanField(
        _("films staff at work"),
        default=False,
        help_text=_("Collective agreement no. 68: staff are informed before filming starts."),
    )
    pictogram_placed_on = models.DateField(_("pictogram placed on"), null=True, blank=True)
    police_declared_on = models.DateField(
        _("declared to the police on"),
        null=True,
        blank=True,
        help_text=_("Declaration on www.declarationcamera.be (royal decree of 8 May 2018)."),
    )
    police_reference = models.CharField(_("declaration reference"), max_length=100, blank=True)
    last_validated_on = models.DateField(
        _("declaration last validated on"),
        null=True,
        blank=True,
        help_text=_("The declaration is validated every year."),
    )

    # Part of the register (Art. 30, 35): no personal data of its own (issue 13 inventory).
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    objects = CameraQuerySet.as_manager()

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("camera register (law of 21 March 2007)")
        ordering = ["location"]

    def __str__(self) -> str:
        return self.location

    def next_validation(self) -> date | None:
        """One year after the last validation, else after the declaration."""
        last = self.last_validated_on or self.police_declared_on
        return last + relativedelta(years=1) if last else None

    def validation_is_due(self, today: date) -> bool:
        """Declared, and its yearly validation is due within REMINDER_DAYS or overdue."""
        due = self.next_validation()
        if self.police_declared_on is None or due is None:
            return False
        return due <= today + relativedelta(days=REMINDER_DAYS)

    def clean(self) -> None:
        errors: dict[str, object] = {}
        rule = self.retention_rule if self.retention_rule_id else None
        if rule is not None and footage_period_too_long(rule.period_value, rule.period_unit):
            errors["retention_rule"] = FOOTAGE_TOO_LONG
        if self.police_declared_on and not self.police_reference.strip():
            errors["police_reference"] = _("Keep the reference of the declaration.")
        if (
            self.last_validated_on
            and self.police_declared_on
            and self.last_validated_on < self.police_declared_on
        ):
            errors["last_validated_on"] = _("A validation cannot come before the declaration.")
        if errors:
            raise ValidationError(errors)


# The camera law (art. 12) gives a filmed person the right to see the images of him or her:
# a request type of its own (requests_app uses this value and label).
CAMERA_IMAGES_REQUEST = ("camera_images", _("Viewing camera images of me (camera law, art. 12)"))
