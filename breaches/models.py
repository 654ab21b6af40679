"""The breach register (GDPR Art. 33(5), Art. 34): every personal-data breach, notified or not."""

from datetime import datetime, timedelta
from typing import ClassVar

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

    class Cause(models.TextChoices):
        UNKNOWN = "unknown", _("not known yet")
        INTERNAL_ACCIDENTAL = "internal_accidental", _("internal, accidental")
        INTERNAL_MALICIOUS = "internal_malicious", _("internal, malicious")
        EXTERNAL_ACCIDENTAL = "external_accidental", _("external, accidental")
        EXTERNAL_MALICIOUS = "external_malicious", _("external, malicious")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        LETTER = "letter", _("letter")
        PHONE = "phone", _("telephone")
        IN_PERSON = "in_person", _("in person")
        PUBLIC = "public", _("public communication (Art. 34(3)(c))")

    class Exemption(models.TextChoices):
        # Art. 34(3): the three grounds on which the data subjects need not be informed.
        PROTECTED = (
            "protected",
            _("Art. 34(3)(a): the data are unintelligible to others (e.g. encrypted)"),
        )
        MITIGATED = (
            "mitigated",
            _("Art. 34(3)(b): later measures make the high risk no longer likely"),
        )
        DISPROPORTIONATE = (
            "disproportionate",
            _("Art. 34(3)(c): disproportionate effort, a public communication instead"),
        )

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
    # The three kinds of breach (Art. 4(12); EDPB Guidelines 9/2022): one breach can be several.
    type_confidentiality = models.BooleanField(
        _("confidentiality breach"),
        default=False,
        help_text=_("Personal data disclosed to or accessed by someone not allowed to."),
    )
    type_integrity = models.BooleanField(
        _("integrity breach"),
        default=False,
        help_text=_("Personal data altered without authorisation or by accident."),
    )
    type_availability = models.BooleanField(
        _("availability breach"),
        default=False,
        help_text=_("Personal data lost or destroyed, or access to them lost."),
    )
    cause = models.CharField(
        _("cause"), max_length=24, choices=Cause.choices, default=Cause.UNKNOWN
    )
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
    # Art. 34(2): the message describes in clear language the nature of the breach, the contact
    # point, the likely consequences and the measures.
    subjects_message = models.TextField(_("message sent to the data subjects"), blank=True)
    subjects_channel = models.CharField(
        _("how the data subjects were informed"), max_length=16, choices=Channel.choices, blank=True
    )
    subjects_exemption = models.CharField(
        _("ground for not informing (Art. 34(3))"),
        max_length=16,
        choices=Exemption.choices,
        blank=True,
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

    # The register describes the breach, not the persons (names stay out of it). Its retention
    # rule is set by the register (Art. 5(1)(e)).
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    retention_rule_code: ClassVar[str] = "breach-register"
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
    def types_display(self) -> str:
        """The kinds of breach ticked, in the reader's language ('—' when none yet)."""
        labels = [
            self._meta.get_field(name).verbose_name
            for name in ("type_confidentiality", "type_integrity", "type_availability")
            if getattr(self, name)
        ]
        return ", ".join(str(label) for label in labels) or "—"

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
        if self.subjects_exemption or self.subjects_not_informed_reason:
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
        errors.update(self._notification_errors())
        if self.subjects_informed_at and self.subjects_not_informed_reason:
            errors["subjects_not_informed_reason"] = _(
                "The data subjects were informed: leave the reason for not informing empty."
            )
        if self.closed_at:
            errors.update(self._closing_errors())
        if errors:
            raise ValidationError(errors)

    def _notification_errors(self) -> dict[str, str]:
        """Art. 33(1): only a breach unlikely to result in a risk may stay unnotified.
        Art. 34(2)/(3): an information of the persons has a message and a channel; not
        informing them under a high risk needs one of the three grounds of Art. 34(3)."""
        errors: dict[str, str] = {}
        if self.authority_not_notified_reason and self.risk == self.Risk.HIGH:
            errors["authority_not_notified_reason"] = _(
                "High risk: the GBA/APD must be notified (Art. 33(1)). 'Not notified' is only "
                "possible for a breach that is unlikely to result in a risk."
            )
        elif self.authority_not_notified_reason and self.risk == self.Risk.RISK:
            errors["authority_not_notified_reason"] = _(
                "The breach is likely to result in a risk: the GBA/APD must be notified "
                "(Art. 33(1)). 'Not notified' is only possible for a breach that is unlikely "
                "to result in a risk."
            )
        elif self.authority_not_notified_reason and self.risk == self.Risk.UNASSESSED:
            # Deciding not to notify is the outcome of the risk assessment (Art. 33(1)): without
            # it the breach would leave the 72-hour clock unassessed.
            errors["authority_not_notified_reason"] = _(
                "Assess the risk first: 'not notified' is only possible for a breach that is "
                "unlikely to result in a risk (Art. 33(1))."
            )
        if self.subjects_informed_at:
            if not self.subjects_message.strip():
                errors["subjects_message"] = _(
                    "Keep the message sent to the data subjects (Art. 34(2))."
                )
            if not self.subjects_channel:
                errors["subjects_channel"] = _("Say how the data subjects were informed.")
        elif self.subjects_exemption and not self.subjects_not_informed_reason.strip():
            errors["subjects_not_informed_reason"] = _(
                "Explain how the ground of Art. 34(3) applies to this breach."
            )
        if self.subjects_informed_at and self.subjects_exemption:
            errors["subjects_exemption"] = _(
                "The data subjects were informed: leave the ground for not informing empty."
            )
        return errors

    def _closing_errors(self) -> dict[str, str]:
        errors = {}
        if not (self.type_confidentiality or self.type_integrity or self.type_availability):
            errors["type_confidentiality"] = _(
                "Before closing: say whether confidentiality, integrity or availability was "
                "breached (at least one)."
            )
        if self.risk == self.Risk.UNASSESSED:
            errors["risk"] = _("Assess the risk before closing the breach.")
        if not (self.authority_notified_at or self.authority_not_notified_reason):
            errors["authority_not_notified_reason"] = _(
                "Before closing: notify the GBA/APD or document why not (Art. 33(5))."
            )
        if self.risk == self.Risk.HIGH and not (
            self.subjects_informed_at or self.subjects_exemption
        ):
            errors["subjects_exemption"] = _(
                "High risk: inform the data subjects, or name the ground of Art. 34(3) that "
                "exempts it, before closing."
            )
        if not self.measures:
            errors["measures"] = _("Document the measures taken before closing.")
        return errors


class BreachAuthorityUpdate(models.Model):
    """A later notification to the GBA/APD: information given in phases (Art. 33(4))."""

    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="authority_updates", verbose_name=_("breach")
    )
    sent_at = models.DateTimeField(_("sent to the GBA/APD at"))
    content = models.TextField(_("what was added or corrected"))
    reference = models.CharField(_("GBA/APD reference"), max_length=100, blank=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    retention_rule_code: ClassVar[str] = "breach-register"

    class Meta:
        verbose_name = _("follow-up notification to the GBA/APD")
        verbose_name_plural = _("follow-up notifications to the GBA/APD (Art. 33(4))")
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"{self.breach.reference} · {self.sent_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.sent_at is None or self.breach_id is None:
            return
        if self.breach.authority_notified_at is None:
            raise ValidationError(
                {
                    "sent_at": _(
                        "Record the first notification to the GBA/APD before a follow-up "
                        "(Art. 33(4))."
                    )
                }
            )
        if self.sent_at < self.breach.authority_notified_at:
            raise ValidationError(
                {"sent_at": _("A follow-up cannot be sent before the first notification.")}
            )
        if self.sent_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError({"sent_at": _("This date lies in the future.")})


class ClientNotificationQuerySet(models.QuerySet):
    def pending(self) -> "ClientNotificationQuerySet":
        """Clients not told yet of an open breach that affects their data (Art. 33(2))."""
        return self.filter(notified_at__isnull=True, breach__closed_at__isnull=True)


class BreachClientNotification(models.Model):
    """A client controller whose data the breach affects, and when C-DOT told it (Art. 33(2)):
    as processor, C-DOT informs the controller without undue delay after becoming aware."""

    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="client_notices", verbose_name=_("breach")
    )
    client = models.ForeignKey(
        "registry.ProcessorClient",
        on_delete=models.PROTECT,
        related_name="breach_notices",
        verbose_name=_("client (controller)"),
    )
    notified_at = models.DateTimeField(_("client notified at"), null=True, blank=True)
    channel = models.CharField(
        _("how the client was told"), max_length=16, choices=Breach.Channel.choices, blank=True
    )
    note = models.TextField(_("what the client was told"), blank=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    retention_rule_code: ClassVar[str] = "breach-register"

    objects = ClientNotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("client controller affected (Art. 33(2))")
        verbose_name_plural = _("client controllers affected (Art. 33(2))")
        ordering = ["breach", "client__name"]
        constraints = [
            models.UniqueConstraint(fields=["breach", "client"], name="breach_client_once")
        ]

    def __str__(self) -> str:
        return f"{self.breach.reference} · {self.client}"

    @property
    def deadline(self) -> datetime:
        """Awareness plus the hours agreed in the client's processing agreement."""
        return self.breach.discovered_at + timedelta(hours=self.client.breach_notice_hours)

    def time_left(self, now: datetime) -> timedelta:
        return self.deadline - now

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.notified_at and self.breach_id:
            if self.notified_at < self.breach.discovered_at:
                errors["notified_at"] = _("This cannot be before the discovery.")
            if self.notified_at > timezone.now() + timedelta(minutes=5):
                errors["notified_at"] = _("This date lies in the future.")
            if not self.channel:
                errors["channel"] = _("Say how the client was told.")
            if not self.note.strip():
                errors["note"] = _("Keep what the client was told.")
        if errors:
            raise ValidationError(errors)
