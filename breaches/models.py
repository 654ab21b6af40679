"""The breach register (GDPR Art. 33(5), Art. 34): every personal-data breach, notified or not."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Art. 33(1): notify the GBA/APD within 72 hours of becoming aware of the breach.
NOTIFICATION_WINDOW = timedelta(hours=72)


class BreachQuerySet(models.QuerySet):
    def open(self) -> "BreachQuerySet":
        return self.filter(closed_at__isnull=True)

    def awaiting_notification_decision(self) -> "BreachQuerySet":
        """Neither notified to the GBA/APD nor documented why not (Art. 33(1), 33(5))."""
        return self.filter(authority_notified_at__isnull=True, authority_not_notified_reason="")

    def notification_overdue(self, now: datetime) -> "BreachQuerySet":
        """Undecided breaches whose 72 hours have passed."""
        return self.awaiting_notification_decision().filter(
            discovered_at__lte=now - NOTIFICATION_WINDOW
        )

    def by_urgency(self) -> "BreachQuerySet":
        return self.order_by("discovered_at")


class Breach(models.Model):
    """A personal-data breach, documented whether or not it was notified (Art. 33(5))."""

    class Risk(models.TextChoices):
        UNASSESSED = "unassessed", _("not assessed yet")
        UNLIKELY = "unlikely", _("unlikely to result in a risk (no notification, Art. 33(1))")
        RISK = "risk", _("risk to rights and freedoms (notify the GBA/APD, Art. 33)")
        HIGH = "high", _("high risk (also inform the data subjects, Art. 34)")

    class AuthorityStatus(models.TextChoices):
        PENDING = "pending", _("to decide")
        OVERDUE = "overdue", _("72 hours passed")
        NOTIFIED = "notified", _("notified in time")
        NOTIFIED_LATE = "notified_late", _("notified late")
        NOT_NOTIFIED = "not_notified", _("not notified (reason documented)")

    class SubjectsStatus(models.TextChoices):
        PENDING = "pending", _("to decide")
        INFORMED = "informed", _("informed")
        NOT_INFORMED = "not_informed", _("not informed (reason documented)")
        NOT_REQUIRED = "not_required", _("not required (no high risk)")

    title = models.CharField(_("title"), max_length=200)
    discovered_at = models.DateTimeField(
        _("discovered at"),
        help_text=_("When C-DOT became aware of the breach: the 72 hours run from here."),
    )
    occurred_at = models.DateTimeField(_("occurred at (if known)"), null=True, blank=True)
    facts = models.TextField(_("facts"), help_text=_("What happened, how it was found."))
    activities = models.ManyToManyField(
        "registry.ProcessingActivity",
        verbose_name=_("processing activities concerned"),
        related_name="breaches",
        blank=True,
    )
    data_categories = models.ManyToManyField(
        "registry.DataCategory",
        verbose_name=_("categories of personal data affected"),
        related_name="breaches",
        blank=True,
    )
    data_categories_note = models.TextField(_("other data affected"), blank=True)
    subject_categories = models.ManyToManyField(
        "registry.DataSubjectCategory",
        verbose_name=_("categories of data subjects affected"),
        related_name="breaches",
        blank=True,
    )
    # Art. 33(3)(a): approximate numbers are enough.
    subjects_affected_approx = models.PositiveIntegerField(
        _("data subjects affected (approx.)"), null=True, blank=True
    )
    records_affected_approx = models.PositiveIntegerField(
        _("records affected (approx.)"), null=True, blank=True
    )
    consequences = models.TextField(_("likely consequences"), blank=True)  # Art. 33(3)(c)
    measures = models.TextField(_("measures taken or proposed"), blank=True)  # Art. 33(3)(d)
    risk = models.CharField(
        _("risk assessment"), max_length=16, choices=Risk.choices, default=Risk.UNASSESSED
    )
    authority_notified_at = models.DateTimeField(_("GBA/APD notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("GBA/APD file reference"), max_length=100, blank=True)
    authority_not_notified_reason = models.TextField(
        _("why the GBA/APD was not notified"), blank=True
    )
    late_notification_reason = models.TextField(
        _("reasons for notifying after 72 hours"),
        blank=True,
        help_text=_("Art. 33(1): a notification after 72 hours states the reasons for the delay."),
    )
    subjects_informed_at = models.DateTimeField(
        _("data subjects informed at"), null=True, blank=True
    )
    subjects_not_informed_reason = models.TextField(
        _("why the data subjects were not informed"),
        blank=True,
        help_text=_("Art. 34(3): e.g. data encrypted, risk removed, disproportionate effort."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[activities, data_categories, subject_categories])
    objects = BreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("breach register")
        ordering = ["-discovered_at"]
        indexes = [models.Index(fields=["closed_at", "discovered_at"], name="breach_open")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        year = self.discovered_at.year if self.discovered_at else "----"
        return f"B-{year}-{self.pk or 0:03d}"

    @property
    def notification_deadline(self) -> datetime:
        """Art. 33(1): 72 hours after becoming aware."""
        return self.discovered_at + NOTIFICATION_WINDOW

    def time_left(self, now: datetime) -> timedelta:
        """Until the notification deadline; negative once it has passed."""
        return self.notification_deadline - now

    def authority_status(self, now: datetime) -> str:
        if self.authority_notified_at:
            if self.authority_notified_at > self.notification_deadline:
                return self.AuthorityStatus.NOTIFIED_LATE
            return self.AuthorityStatus.NOTIFIED
        if self.authority_not_notified_reason:
            return self.AuthorityStatus.NOT_NOTIFIED
        if now >= self.notification_deadline:
            return self.AuthorityStatus.OVERDUE
        return self.AuthorityStatus.PENDING

    def subjects_status(self) -> str:
        if self.subjects_informed_at:
            return self.SubjectsStatus.INFORMED
        if self.subjects_not_informed_reason:
            return self.SubjectsStatus.NOT_INFORMED
        if self.risk in {self.Risk.UNLIKELY, self.Risk.RISK}:
            return self.SubjectsStatus.NOT_REQUIRED
        return self.SubjectsStatus.PENDING

    def clean(self) -> None:
        """Dates in order, one decision per question, reasons where the law asks for them."""
        errors: dict[str, str] = {}
        now = timezone.now()
        if self.discovered_at and self.discovered_at > now + timedelta(minutes=5):
            errors["discovered_at"] = _("The discovery cannot lie in the future.")
        if self.occurred_at and self.discovered_at and self.occurred_at > self.discovered_at:
            errors["occurred_at"] = _("A breach cannot occur after it was discovered.")
        for field in ("authority_notified_at", "subjects_informed_at", "closed_at"):
            value = getattr(self, field)
            if value and self.discovered_at and value < self.discovered_at:
                errors[field] = _("This cannot be before the discovery.")
        if self.authority_notified_at and self.authority_not_notified_reason:
            errors["authority_not_notified_reason"] = _(
                "The GBA/APD was notified: leave the reason for not notifying empty."
            )
        if (
            self.authority_notified_at
            and self.discovered_at
            and self.authority_notified_at > self.notification_deadline
            and not self.late_notification_reason
        ):
            # Art. 33(1): "accompanied by reasons for the delay".
            errors["late_notification_reason"] = _(
                "Notified after 72 hours: state the reasons for the delay (Art. 33(1))."
            )
        if self.subjects_informed_at and self.subjects_not_informed_reason:
            errors["subjects_not_informed_reason"] = _(
                "The data subjects were informed: leave the reason for not informing empty."
            )
        if self.closed_at:
            errors.update(self._closing_errors())
        if errors:
            raise ValidationError(errors)

    def _closing_errors(self) -> dict[str, str]:
        errors = {}
        if self.risk == self.Risk.UNASSESSED:
            errors["risk"] = _("Assess the risk before closing the breach.")
        if not (self.authority_notified_at or self.authority_not_notified_reason):
            errors["authority_not_notified_reason"] = _(
                "Before closing: notify the GBA/APD or document why not (Art. 33(5))."
            )
        if self.risk == self.Risk.HIGH and not (
            self.subjects_informed_at or self.subjects_not_informed_reason
        ):
            errors["subjects_not_informed_reason"] = _(
                "High risk: inform the data subjects or document why not (Art. 34) before closing."
            )
        if not self.measures:
            errors["measures"] = _("Document the measures taken before closing.")
        return errors
