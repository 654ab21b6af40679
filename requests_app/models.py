"""Data-subject requests (GDPR Art. 12, 15-22): the request, identity checks, ID copies, the
append-only audit trail, matches confirmed by staff, and access packages with their downloads."""

import re
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, When
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from registry.models import RetentionRule
from registry.models_cameras import CAMERA_IMAGES_REQUEST

from .deadlines import local_date
from .errors import WorkflowError

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

    def to_handle(self):
        """Open requests and unconfirmed ones: what staff still have to act on."""
        return self.filter(
            status__in=(DataSubjectRequest.Status.UNVERIFIED, *DataSubjectRequest.OPEN_STATUSES)
        )

    def closed(self):
        return self.filter(status__in=DataSubjectRequest.CLOSED_STATUSES)

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
            .filter(clock_paused_at__isnull=True)  # Art. 12(6): a paused clock runs out never
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
        CAMERA_IMAGES = CAMERA_IMAGES_REQUEST
        OTHER = "other", _("Other question about my data")

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EMAIL = "email", _("E-mail")
        POST = "post", _("Post")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        CLIENT_CONTROLLER = "client_controller", _("Forwarded by a client controller")

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Not yet confirmed")
        RECEIVED = "received", _("Received")
        IDENTITY_CHECK = "identity_check", _("Identity check")
        IN_PROGRESS = "in_progress", _("In progress")
        EXTENDED = "extended", _("Extended")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NOT_CONFIRMED = "not_confirmed", _("Closed: never confirmed")

    class Decision(models.TextChoices):
        GRANTED = "granted", _("Granted")
        PARTLY_GRANTED = "partly_granted", _("Partly granted")
        NO_DATA = "no_data", _("No data held")
        REFUSED = "refused", _("Refused")

    class Step(models.TextChoices):
        """What staff can do to a request; TRANSITIONS says in which status."""

        ASSIGN = "assign", _("Assign")
        CLOSE_UNCONFIRMED = "close-unconfirmed", _("Close as not confirmed")
        START_IDENTITY_CHECK = "start-identity-check", _("Doubt the identity: ask information")
        INFORMATION_RECEIVED = "information-received", _("Information received: resume the clock")
        IDENTITY_CHECK = "identity-check", _("Record identity check")
        START = "start", _("Start work")
        EXTEND = "extend", _("Extend deadline")
        SEARCH = "search", _("Search the records")
        ACCESS_REPORT = "access-report", _("Create access report (PDF)")
        PORTABILITY = "portability", _("Create portable data (zip)")
        ERASE = "erase", _("Erase confirmed records")
        RESTRICT = "restrict", _("Restrict confirmed records")
        OBJECT = "object", _("Record objection")
        WITHDRAW_CONSENT = "withdraw-consent", _("Withdraw consent")
        RECTIFY = "rectify", _("Rectify")
        COMPLETE = "complete", _("Complete and answer")
        REJECT = "reject", _("Reject")
        WITHDRAW = "withdraw", _("Withdrawn by the subject")

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.IDENTITY_CHECK,
        Status.IN_PROGRESS,
        Status.EXTENDED,
    )
    CLOSED_STATUSES = (
        Status.COMPLETED,
        Status.REJECTED,
        Status.WITHDRAWN,
        Status.NOT_CONFIRMED,
    )
    # The one workflow definition: the steps allowed in each status. The admin offers exactly
    # these; every service refuses any other (`require_step`).
    _WORK = frozenset(
        {
            Step.ASSIGN, Step.START_IDENTITY_CHECK, Step.IDENTITY_CHECK, Step.EXTEND,
            Step.SEARCH, Step.ACCESS_REPORT, Step.PORTABILITY, Step.ERASE, Step.RESTRICT,
            Step.OBJECT, Step.WITHDRAW_CONSENT, Step.RECTIFY, Step.COMPLETE, Step.REJECT,
            Step.WITHDRAW,
        }
    )  # fmt: skip
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.UNVERIFIED: frozenset({Step.CLOSE_UNCONFIRMED}),
        Status.RECEIVED: frozenset(
            {
                Step.ASSIGN,
                Step.START_IDENTITY_CHECK,
                Step.IDENTITY_CHECK,
                Step.START,
                Step.EXTEND,
                Step.REJECT,
                Step.WITHDRAW,
            }
        ),  # fmt: skip
        Status.IDENTITY_CHECK: frozenset(
            {
                Step.ASSIGN,
                Step.INFORMATION_RECEIVED,
                Step.IDENTITY_CHECK,
                Step.START,
                Step.EXTEND,
                Step.REJECT,
                Step.WITHDRAW,
            }
        ),  # fmt: skip
        Status.IN_PROGRESS: _WORK,
        Status.EXTENDED: _WORK,
        Status.COMPLETED: frozenset(),
        Status.REJECTED: frozenset(),
        Status.WITHDRAWN: frozenset(),
        Status.NOT_CONFIRMED: frozenset(),
    }
    # An unconfirmed web-form request may be closed as "not confirmed" after this long.
    CONFIRMATION_WINDOW = timedelta(days=7)

    reference = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    type = models.CharField(_("request type"), max_length=30, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNVERIFIED, db_index=True
    )
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(
        _("received through"), max_length=20, choices=Channel.choices, default=Channel.WEB_FORM
    )
    forwarded_by = models.CharField(
        _("forwarded by (client controller)"), max_length=200, blank=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entered_requests",
    )
    # Blank for a request by post or phone without an address: the answer goes by post then.
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    postal_address = models.TextField(_("postal address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    details = models.TextField(_("details"), max_length=5000, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="nl"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    verification_used_at = models.DateTimeField(_("verification link used at"), null=True)
    # Art. 12(3): the month runs from receipt: the form's submission, or the moment staff
    # record for a letter, e-mail, call or visit. The e-mail link is a spam guard only.
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # Art. 12(6): paused while the information asked to confirm identity is awaited.
    clock_paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    identity_doubt = models.TextField(_("reason to doubt the identity"), blank=True)
    information_requested = models.TextField(_("information asked from the subject"), blank=True)
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

    # Personal-data inventory (issue 13): erased with the request 5 years after closure
    # (retention rule `data-subject-request`, Art. 5(2), 12), through records_delete.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "email",
        "postal_address",
        "phone",
        "details",
        "identity_doubt",
        "information_requested",
        "extension_reason",
        "answer",
        "rejection_reason",
    )
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("data-subject-request",)

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
        return self.is_open and not self.is_paused and days is not None and days < 0

    def allows(self, step: str) -> bool:
        return step in self.TRANSITIONS[self.status]

    def require_step(self, step: str) -> None:
        """Raise the workflow's one (translated) error when `step` is not allowed now."""
        if not self.allows(step):
            raise WorkflowError(
                _("“%(step)s” is not possible while the request is “%(status)s”.")
                % {"step": self.Step(step).label, "status": self.get_status_display()}
            )

    @property
    def clock_running(self) -> bool:
        """Art. 12(3): the month runs for open and unconfirmed requests, unless paused."""
        return (
            self.due_on is not None
            and not self.is_paused
            and (self.is_open or self.status == self.Status.UNVERIFIED)
        )

    @property
    def days_overdue(self) -> int:
        days = self.days_left()
        return -days if self.clock_running and days is not None and days < 0 else 0

    @property
    def is_paused(self) -> bool:
        return self.clock_paused_at is not None

    def may_close_unconfirmed(self, now: datetime) -> bool:
        """An unconfirmed request may be closed once its confirmation window has passed."""
        return (
            self.status == self.Status.UNVERIFIED
            and now - self.submitted_at >= self.CONFIRMATION_WINDOW
        )


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

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("note",)  # goes with its request

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

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("stored_name",)  # the file is the ID copy
    STORED_FILE_FIELD: ClassVar[str] = "stored_name"  # records_delete removes the file

    DIRECTORY = "id-copies"

    class Meta:
        verbose_name = _("ID copy")
        verbose_name_plural = _("ID copies")

    def __str__(self) -> str:
        return f"ID copy of {self.request}"

    @classmethod
    def stored_file_root(cls) -> Path:
        return cls.directory()

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
        RECEIVED = "received", _("Request received")
        CONFIRMED = "confirmed", _("Confirmed through the e-mail link")
        CLOSED_NOT_CONFIRMED = "closed_not_confirmed", _("Closed: never confirmed")
        CLOCK_RESUMED = "clock_resumed", _("Information received, clock resumed")
        ASSIGNED = "assigned", _("Assigned")
        IDENTITY_CHECK_STARTED = (
            "identity_check_started",
            _("Identity in doubt, information asked, clock paused"),
        )
        IDENTITY_CHECKED = "identity_checked", _("Identity checked")
        ID_COPY_VIEWED = "id_copy_viewed", _("ID copy viewed")
        ID_COPY_DELETED = "id_copy_deleted", _("ID copy deleted")
        STARTED = "started", _("Work started")
        EXTENDED = "extended", _("Deadline extended")
        SEARCHED = "searched", _("Records searched")
        MATCHES_CONFIRMED = "matches_confirmed", _("Matches confirmed")
        ACCESS_PACKAGE_CREATED = "access_package_created", _("Access package created")
        PACKAGE_DOWNLOADED = "package_downloaded", _("Access package downloaded")
        STAFF_DOWNLOADED = "staff_downloaded", _("Document downloaded by staff before sending")
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

    # Issue 13: when its request is deleted an entry is pseudonymised, not deleted: action,
    # time and the request's reference (in `details`) stay, every personal field goes. The
    # database trigger (retention migration 0002) allows exactly that update.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("actor", "actor_label", "details", "request")
    PSEUDONYMISE_WITH_PARENT: ClassVar[bool] = True
    PSEUDONYMISED_PARENT_KEY: ClassVar[tuple[str, str]] = ("details", "reference")

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

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("object_id",)  # goes with its request

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

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("stored_name", "filename")
    STORED_FILE_FIELD: ClassVar[str] = "stored_name"  # records_delete removes the file

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
    def stored_file_root(cls) -> Path:
        return cls.directory()

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

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("client_network",)  # goes with its package

    def __str__(self) -> str:
        return f"{self.package} @ {self.downloaded_at:%Y-%m-%d %H:%M}"


class AnswerTemplateQuerySet(models.QuerySet):
    def for_answer(self, request_type: str, decision: str, language: str):
        """The template for this type and outcome, else the one for any type; None if neither."""
        rows = self.filter(
            decision=decision, language=language, request_type__in=[request_type, ""]
        )
        return rows.order_by("-request_type").first()  # the type's own before the general one


class AnswerTemplate(models.Model):
    """The body of an answer per request type and outcome, in one language, edited by the
    privacy officer. The e-mail adds the greeting, the links, the complaint paragraph and the
    signature around it; the body has none of them. Placeholders: see PLACEHOLDERS."""

    PLACEHOLDERS = {
        "name": _("the subject's name"),
        "reference": _("the request's reference"),
        "received_on": _("the day of receipt"),
        "due_on": _("the due date"),
        "invoice_retention": _("the invoice retention period, from the register's rule"),
    }
    PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

    request_type = models.CharField(
        _("request type"),
        max_length=30,
        choices=DataSubjectRequest.Type.choices,
        blank=True,
        help_text=_("Empty: for every type that has no template of its own."),
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=DataSubjectRequest.Decision.choices
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    body = models.TextField(_("text"), max_length=8000)

    objects = AnswerTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["request_type", "decision", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "decision", "language"], name="one_template_per_answer"
            )
        ]

    def __str__(self) -> str:
        kind = self.get_request_type_display() or "*"
        return f"{kind} · {self.get_decision_display()} · {self.language}"

    def clean(self) -> None:
        unknown = sorted(
            {f"{{{name}}}" for name in self.PLACEHOLDER.findall(self.body)}
            - {f"{{{name}}}" for name in self.PLACEHOLDERS}
        )
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown placeholder(s): %(names)s. Known: %(known)s.")
                    % {
                        "names": ", ".join(unknown),
                        "known": ", ".join(f"{{{name}}}" for name in self.PLACEHOLDERS),
                    }
                }
            )

    def render(self, dsr: DataSubjectRequest) -> str:
        """The body with the placeholders filled in, in the request's language."""
        with translation.override(self.language):
            values = {
                "name": dsr.name,
                "reference": dsr.reference,
                "received_on": formats.date_format(local_date(dsr.received_at), "j F Y")
                if dsr.received_at
                else "",
                "due_on": formats.date_format(dsr.effective_due, "j F Y")
                if dsr.effective_due
                else "",
                "invoice_retention": _invoice_retention(),
            }
            return self.PLACEHOLDER.sub(
                lambda m: str(values.get(m.group(1), m.group(0))), self.body
            )


def _invoice_retention() -> str:
    """The invoice rule's period as the register states it ("7 jaar"), in the active language."""
    rule = RetentionRule.objects.filter(code="invoice").first()
    return rule.period_display() if rule else ""


class ProcessorWebhook(models.Model):
    """A newsletter or e-commerce processor told of withdrawals, marketing objections and erasures
    (Art. 19: the recipients of the data are told), by a signed POST to its endpoint."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("endpoint"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        help_text=_("Shared with the processor: the body is signed with HMAC-SHA256."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("processor webhook")
        verbose_name_plural = _("processor webhooks")

    def __str__(self) -> str:
        return self.name


class WebhookDeliveryQuerySet(models.QuerySet):
    def failing(self):
        return self.filter(
            status__in=(WebhookDelivery.Status.RETRYING, WebhookDelivery.Status.FAILED)
        )


class WebhookDelivery(models.Model):
    """One delivery of one event to one processor; no e-mail address is kept here (the
    payload is built from the request when it is sent)."""

    class Event(models.TextChoices):
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        MARKETING_OBJECTION = "marketing_objection", _("Objection to marketing")
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed, given up")

    webhook = models.ForeignKey(
        ProcessorWebhook, on_delete=models.PROTECT, related_name="deliveries"
    )
    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=30, choices=Event.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.webhook} {self.event} {self.status}"
