from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time the beat-scheduled heartbeat task ran on a worker (one row)."""

    name = models.CharField(max_length=50, unique=True, default="beat")
    last_beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def age_seconds(cls, *, now=None) -> float | None:
        """Seconds since the last beat, or None when none was ever recorded."""
        beat = cls.objects.filter(name="beat").only("last_beat_at").first()
        if beat is None:
            return None
        return ((now or timezone.now()) - beat.last_beat_at).total_seconds()


# --- second factor: enrolment codes and their audit trail (issue 19, finding 3) ---------------


class EnrolmentCodeQuerySet(models.QuerySet):
    def usable(self, now=None) -> "EnrolmentCodeQuerySet":
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class EnrolmentCode(models.Model):
    """A one-time code that lets a staff member without a confirmed device enrol one.

    Issued by another privacy officer or a superuser (or the operator, ``issue_enrolment_code``),
    shown once, valid 24 hours, used once. Only a SHA-256 of the code is stored. Holds no
    personal data beyond references to staff accounts (rule ``staff-account``).
    """

    retention_rule_codes: ClassVar[tuple[str, ...]] = ("staff-account",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
        verbose_name=_("staff member"),
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    objects = EnrolmentCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self) -> str:
        return f"#{self.pk}"


class TwoFactorAudit(models.Model):
    """Who did what to whose second factor, and when (append-only; Art. 5(2), 32)."""

    retention_rule_codes: ClassVar[tuple[str, ...]] = ("staff-account",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Action(models.TextChoices):
        CODE_ISSUED = "code_issued", _("enrolment code issued")
        CODE_USED = "code_used", _("enrolment code used")
        ENROLLED = "enrolled", _("authenticator app set up")
        BACKUP_CODES_ISSUED = "backup_codes_issued", _("backup codes issued")
        BACKUP_CODES_RESET = "backup_codes_reset", _("backup codes reset")
        BACKUP_CODE_USED = "backup_code_used", _("backup code used")
        DEVICES_REMOVED = "devices_removed", _("devices removed")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the operator, on the command line."),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="two_factor_audit",
        verbose_name=_("staff member"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)

    class Meta:
        verbose_name = _("second-factor event")
        verbose_name_plural = _("second-factor events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk}"
