"""Data-subject requests (GDPR Art. 12, 15-22): the request, identity checks, ID copies, the
append-only audit trail, matches confirmed by staff, and access packages with their downloads."""

import secrets
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .deadlines import local_date

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def new_reference() -> str:
    """A random, unguessable reference such as "DSR-7KQ3-M9TX"."""
    part = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"DSR-{part[:4]}-{part[4:]}"


class DataSubjectRequestQuerySet(models.QuerySet):
    def verified(self):
        return self.exclude(status=DataSubjectRequest.Status.UNVERIFIED)

    def open(self):
        return self.filter(status__in=DataSubjectRequest.OPEN_STATUSES)

    def unverified_older_than(self, moment):
        """Unverified requests submitted before `moment` (purged after 7 days)."""
        return self.filter(status=DataSubjectRequest.Status.UNVERIFIED, submitted_at__lt=moment)

    def with_effective_due(self):
        """Annotate `due_effective`: the extended date when extended, else the due date."""
        return self.annotate(
            due_effective=Case(
                When(extended_until__isnull=False, then=F("extended_until")),
                default=F("due_on"),
                output_field=models.DateField(),
            )
        )

    def due_within(self, today: date, days: int):
        """Open requests whose (effective) due date is at most `days` days from `today`."""
        limit = today + timedelta(days=days)
        return (
            self.open()
            .with_effective_due()
            .filter(due_effective__lte=limit, due_effective__gte=today)
        )


class DataSubjectRequest(models.Model):
    """One request from a data subject, from the public form to the answer."""

    class Type(models.TextChoices):
        ACCESS = "access", _("Access to my data (Art. 15)")
        RECTIFICATION = "rectification", _("Correction of my data (Art. 16)")
        ERASURE = "erasure", _("Erasure of my data (Art. 17)")
        RESTRICTION = "restriction", _("Restriction of processing (Art. 18)")
        OBJECTION = "objection", _("Objection to processing (Art. 21)")
        PORTABILITY = "portability", _("Data portability (Art. 20)")
        CONSENT_WITHDRAWAL = "consent_withdrawal", _("Withdrawal of consent (Art. 7(3))")
        OTHER = "other", _("Other question about my data")

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        RECEIVED = "received", _("Received")
        IDENTITY_CHECK = "identity_check", _("Identity check")
        IN_PROGRESS = "in_progress", _("In progress")
        EXTENDED = "extended", _("Extended")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decision(models.TextChoices):
        GRANTED = "granted", _("Granted")
        PARTLY_GRANTED = "partly_granted", _("Partly granted")
        NO_DATA = "no_data", _("No data held")
        REFUSED = "refused", _("Refused")

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.IDENTITY_CHECK,
        Status.IN_PROGRESS,
        Status.EXTENDED,
    )
    CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN)

    reference = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    type = models.CharField(_("request type"), max_length=30, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNVERIFIED, db_index=True
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), max_length=254)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    details = models.TextField(_("details"), max_length=5000, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="nl"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    verification_used_at = models.DateTimeField(_("verification link used at"), null=True)
    # Art. 12(3): the month runs from receipt, i.e. from the moment the e-mail was verified.
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    answer = models.TextField(_("answer to the subject"), blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    completed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Deadline reminders to the assignee, remembered per due date so each is sent once.
    reminded_7d_for = models.DateField(null=True, blank=True, editable=False)
    reminded_2d_for = models.DateField(null=True, blank=True, editable=False)

    objects = DataSubjectRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-submitted_at"]
        permissions = [("export_datasubjectrequest", "Can export requests as CSV for audits")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def effective_due(self) -> date | None:
        return self.extended_until or self.due_on

    def days_left(self, today: date | None = None) -> int | None:
        """Calendar days until the (effective) due date; negative when overdue."""
        if self.effective_due is None:
            return None
        today = today or local_date(timezone.now())
        return (self.effective_due - today).days

    def is_overdue(self, today: date | None = None) -> bool:
        days = self.days_left(today)
        return self.is_open and days is not None and days < 0


class IdentityCheck(models.Model):
    """Art. 12(6): how staff confirmed who the subject is (who, when, how)."""

    class Method(models.TextChoices):
        ID_COPY = "id_copy", _("Copy of identity document")
        KNOWN_CUSTOMER = "known_customer", _("Known customer, details match")
        EMAIL_MATCH = "email_match", _("Verified e-mail matches our records")
        IN_PERSON = "in_person", _("In person")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Identity confirmed")
        FAILED = "failed", _("Identity not confirmed")

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.PROTECT, related_name="identity_checks"
    )
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    checked_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=20, choices=Method.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.request} {self.get_outcome_display()}"


class IdCopy(models.Model):
    """An uploaded ID copy: a random file name in private storage, never in a web root.

    Deleted (file and row) when the identity check is done or the request closes.
    """

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="id_copies"
    )
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    DIRECTORY = "id-copies"

    class Meta:
        verbose_name = _("ID copy")
        verbose_name_plural = _("ID copies")

    def __str__(self) -> str:
        return f"ID copy of {self.request}"

    @classmethod
    def directory(cls) -> Path:
        return Path(settings.PRIVATE_STORAGE_DIR) / cls.DIRECTORY

    @property
    def path(self) -> Path:
        return self.directory() / self.stored_name


class AuditEntryQuerySet(models.QuerySet):
    """Append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AuditTrailIsAppendOnly("audit entries cannot be deleted")

    _raw_delete = delete


class AuditTrailIsAppendOnly(Exception):
    pass


class AuditEntry(models.Model):
    """One step of the workflow. Append-only: no edit or delete, not even in the admin.

    `details` holds ids, counts, field names and codes, never names, e-mails or free text
    about the subject (data minimisation, Art. 5(1)(c)). On PostgreSQL a trigger refuses
    UPDATE and DELETE too (migration 0002).
    """

    class Action(models.TextChoices):
        RECEIVED = "received", _("Request verified and received")
        ASSIGNED = "assigned", _("Assigned")
        IDENTITY_CHECK_STARTED = "identity_check_started", _("Identity check started")
        IDENTITY_CHECKED = "identity_checked", _("Identity checked")
        ID_COPY_VIEWED = "id_copy_viewed", _("ID copy viewed")
        ID_COPY_DELETED = "id_copy_deleted", _("ID copy deleted")
        STARTED = "started", _("Work started")
        EXTENDED = "extended", _("Deadline extended")
        SEARCHED = "searched", _("Records searched")
        MATCHES_CONFIRMED = "matches_confirmed", _("Matches confirmed")
        ACCESS_PACKAGE_CREATED = "access_package_created", _("Access package created")
        PACKAGE_DOWNLOADED = "package_downloaded", _("Access package downloaded")
        RECORDS_ERASED = "records_erased", _("Records erased")
        RECORDS_RESTRICTED = "records_restricted", _("Records restricted")
        OBJECTION_RECORDED = "objection_recorded", _("Objection recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        RECORD_RECTIFIED = "record_rectified", _("Record rectified")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn by the subject")
        REMINDER_SENT = "reminder_sent", _("Deadline reminder sent")
        EXPORTED = "exported", _("Requests exported for audit")
        UNVERIFIED_PURGED = "unverified_purged", _("Unverified requests purged")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=150, blank=True)  # "system", "subject"
    action = models.CharField(max_length=40, choices=Action.choices)
    request = models.ForeignKey(
        DataSubjectRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    # Enforcement, not business logic: an existing entry can never be written again.
    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AuditTrailIsAppendOnly("audit entries cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries cannot be deleted")


class SubjectMatchQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed=True)

    def for_model(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))


class SubjectMatch(models.Model):
    """A record staff confirmed (or rejected) as belonging to the subject of a request."""

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.PROTECT, related_name="matches"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    confirmed = models.BooleanField(default=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField(default=timezone.now)

    objects = SubjectMatchQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "content_type", "object_id"], name="unique_match_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.content_type.model} #{self.object_id}"


class AccessPackageQuerySet(models.QuerySet):
    def expired(self, now):
        return self.filter(expires_at__lte=now)

    def live(self, now):
        return self.filter(expires_at__gt=now, file_deleted_at__isnull=True)


class AccessPackage(models.Model):
    """An access report (PDF) or a portability zip, handed out through a signed, expiring link."""

    class Kind(models.TextChoices):
        ACCESS_REPORT = "access_report", _("Access report (PDF)")
        PORTABILITY = "portability", _("Portable data (JSON + CSV, zip)")

    DIRECTORY = "packages"
    LIFETIME = timedelta(days=30)

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.PROTECT, related_name="packages"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    stored_name = models.CharField(max_length=80, unique=True)
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AccessPackageQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.request} {self.kind}"

    @classmethod
    def directory(cls) -> Path:
        return Path(settings.PRIVATE_STORAGE_DIR) / cls.DIRECTORY

    @property
    def path(self) -> Path:
        return self.directory() / self.stored_name


class PackageDownload(models.Model):
    """Every download of an access package (Art. 5(2) accountability)."""

    package = models.ForeignKey(AccessPackage, on_delete=models.PROTECT, related_name="downloads")
    downloaded_at = models.DateTimeField(default=timezone.now)
    # The network, not the address: IPv4 /24, IPv6 /48 (enough to spot abuse, less personal).
    client_network = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.package} @ {self.downloaded_at:%Y-%m-%d %H:%M}"
