"""The one registry of purge targets: retention rule code → records model, selection, action.

The records models declare their anchors and rule codes and answer ``expired(now, rule)``
(records/models.py); the periods come from the register's RetentionRule. This module adds what
the purge does with the expired rows of each rule. Nothing in ``records`` imports it.

| rule code         | model                  | action                                           |
|-------------------|------------------------|--------------------------------------------------|
| camera-footage    | CameraRecording        | delete rows, files after commit, orphan sweep    |
| web-inquiry       | WebInquiry             | delete                                           |
| newsletter        | NewsletterSubscription | delete; a SuppressionEntry (hash) stays          |
| invoice           | Invoice                | delete                                           |
| prospect          | Contact (prospect)     | delete (with web inquiries)                      |
| loose-contact     | Contact (loose)        | delete (with web inquiries)                      |
| customer-contact  | Contact (customer)     | per register: delete or anonymise; minimise      |
|                   |                        | while an invoice must still be kept              |
| processor-data    | ProcessorDataset       | raise a deletion task (deletion_requested_on)    |
| email-outbox      | OutboxEmail            | delete (30 days after sending, per register)     |
| statement-approver| StatementVersion       | approver's name → the role, 5 years after the    |
|                   |                        | version was replaced (the version stays)         |
| staff-notice-publisher | StaffNoticeVersion | publisher's name → the role, likewise            |
| review-decision   | ReviewDecision         | delete (5 years; not while a "keep" holds)       |
| register-history- | HistoricalOrganisation | an earlier privacy contact / DPO (or internal    |
| contact           |                        | note) blanked in the history 5 years after it    |
|                   |                        | was replaced                                     |
| register-history- | HistoricalProcessor-   | a client's earlier contact person (or notes),    |
| client-contact    | Client                 | likewise (or 5 years after the client was        |
|                   |                        | removed)                                         |

Rows under an active legal hold (Art. 17(3)(e)) are left out by the records' ``expired()``;
contacts restricted under Art. 18(1) are left out here. A rule whose register action is
"review" is never applied automatically: its runs only count (see services.py).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from records.deletion import (
    dependants_exists_sql,
    holdable,
    pseudonymise,
    records_delete,
    stored_files,
)
from records.models import (
    NO_HOLDS,
    CameraRecording,
    Contact,
    Invoice,
    LegalHold,
    NewsletterConsentProof,
    NewsletterSubscription,
    ProcessorDataset,
    WebInquiry,
    held,
)
from records.models_outbox import OutboxEmail
from records.services import camera_footage_orphans_sweep
from registry.models import RetentionRule

from .models import ReviewDecision


class UnknownRule(LookupError):
    """A rule code that has no purge target (or no rule in the register)."""


class Action(models.TextChoices):
    DELETE = "delete", _("delete")
    ANONYMISE = "anonymise", _("anonymise")
    MINIMISE = "minimise", _("minimise")
    DELETION_TASK = "deletion_task", _("ask the client's systems to delete")
    REVIEW = "review", _("count only: review by staff")


@dataclass(frozen=True)
class BatchResult:
    affected: int
    files: int = 0


# The personal-data inventory of a contact (records.models.Contact). Anonymising blanks
# PERSONAL_FIELDS; minimising (while invoices must be kept, Art. 17(3)(b)) blanks what the
# invoices do not need and keeps who the customer is.
CONTACT_CHANNELS = Contact.NOT_FOR_INVOICE_FIELDS
CONTACT_PERSONAL = Contact.PERSONAL_FIELDS


def _any_filled(fields: tuple[str, ...]) -> Q:
    return reduce(or_, (~Q(**{field: ""}) for field in fields))


class PurgeTarget:
    """What one retention rule purges. Subclasses override ``expired`` and ``apply``."""

    rule_code: str
    model: type[models.Model]
    action: str = Action.DELETE
    max_batch_size: int | None = None  # caps the purge's batch size for this target
    bulk_delete = True  # apply() deletes with delete_by_pks / records_delete (see below)

    def expired(self, now: datetime, rule: RetentionRule) -> models.QuerySet:
        """The rows the purge must act on at ``now``: the post-condition counts these.

        By default the records' own ``expired()``: expired and not under a legal hold.
        """
        return self.model._default_manager.expired(now, rule)

    def held_count(
        self, now: datetime, rule: RetentionRule, *, expired_count: int | None = None
    ) -> int:
        """Rows that would be expired but for a legal hold or a restriction (Art. 18).

        The same query asked once more with the holds ignored (``ignore_holds=True``) and
        restrictions ignored: two counts, nothing written. A caller that has just counted
        ``expired(now, rule)`` passes it as ``expired_count`` and saves the second count.
        """
        unheld = self.expired_ignoring_restriction(now, rule, ignore_holds=True).count()
        if expired_count is None:
            expired_count = self.expired(now, rule).count()
        return max(unheld - expired_count, 0)

    def expired_ignoring_restriction(
        self, now: datetime, rule: RetentionRule, *, ignore_holds: bool = False
    ) -> models.QuerySet:
        return self.model._default_manager.expired(now, rule, ignore_holds=ignore_holds)

    def write_queued(self) -> None:
        """Write rows still queued outside the database before the purge reads (nothing by
        default). Called outside any transaction: what it writes is committed at once."""

    def lock_batch(self, locked: models.QuerySet) -> tuple[list, set | None]:
        """Run the batch's locking SELECT; return its pks and, when it could tell in the same
        round trip (PostgreSQL, bulk-deleting targets), the pks that have dependants."""
        if not self.bulk_delete or connection.vendor != "postgresql":
            return list(locked), None
        sql, params = locked.query.get_compiler(connection.alias).as_sql()
        checks, check_params = dependants_exists_sql(self.model, "p.pk")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT p.pk, {checks} FROM ({sql}) AS p(pk)",  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
                [*check_params, *params],
            )
            rows = cursor.fetchall()
        return [pk for pk, _ in rows], {pk for pk, has_dependants in rows if has_dependants}

    def apply(
        self, pks: list, *, now: datetime, rule: RetentionRule, special: set | None = None
    ) -> BatchResult:
        """Delete the rows through records_delete, the one way to delete personal data (its
        bulk path: one ``DELETE … WHERE pk = ANY(%s)`` for the rows nothing points at)."""
        files = len(stored_files(self.model, pks)) if self.counts_files else 0
        affected = records_delete(model=self.model, pks=pks, now=now, with_dependants=special)
        return BatchResult(affected=affected, files=files)

    counts_files = False

    def after_batches(self, *, now: datetime, rule: RetentionRule) -> int:
        """Work after the batches (e.g. an orphan-file sweep); returns files removed."""
        return 0


class DeleteTarget(PurgeTarget):
    def __init__(self, rule_code: str, model: type[models.Model]) -> None:
        self.rule_code = rule_code
        self.model = model


class CameraTarget(DeleteTarget):
    """Camera law of 21 March 2007: images at most one month; C-DOT keeps 14 days."""

    # Each row has a file (records_delete unlinks it after the commit): smaller batches keep
    # each under 250 ms.
    max_batch_size = 500
    bulk_delete = False
    counts_files = True

    def after_batches(self, *, now: datetime, rule: RetentionRule) -> int:
        # Files the index never saw (recorder wrote them while the scan was down) and older
        # than the rule's period: nothing keeps them, no hold can name them.
        return camera_footage_orphans_sweep(now=now, min_age=now - rule.cutoff(now))


class ContactTarget(DeleteTarget):
    """Prospects and loose contacts: delete (their web inquiries go with them)."""

    def __init__(self, rule_code: str) -> None:
        super().__init__(rule_code, Contact)

    def expired(self, now: datetime, rule: RetentionRule) -> models.QuerySet:
        # Art. 18(1): storage only while restricted. A restriction has an end: past it the
        # contact shows on the dashboard (Contact.objects.restriction_ended) until lifted.
        return super().expired(now, rule).exclude(restricted=True)


class CustomerContactTarget(ContactTarget):
    """Customers: the register's action once the relationship is over and no invoice of
    theirs must still be kept (Art. 17(3)(b): accounting law); until then only minimised.

    Minimising blanks the contact channels (e-mail, phones, website) and keeps the identity
    the kept invoices refer to. Anonymising blanks every identifying field; the row stays as a
    count. Both leave the row out of the next selection, so a run always ends.
    """

    bulk_delete = False

    def __init__(self) -> None:
        super().__init__("customer-contact")

    @property
    def action(self) -> str:  # type: ignore[override]
        return Action.ANONYMISE  # shown in PurgeRun; delete when the register says delete

    def _ended_with_kept_invoice(
        self, now: datetime, rule: RetentionRule, *, ignore_holds: bool = False
    ) -> models.QuerySet:
        if rule.anchor == RetentionRule.Anchor.LAST_INVOICE_FISCAL_YEAR_END:
            return Contact.objects.none()  # same anchor as the invoices: nothing to minimise
        cutoff = rule.cutoff(now)
        held_at = NO_HOLDS if ignore_holds else now
        held = LegalHold.objects.active(held_at).for_model(Contact).values("object_id")
        return (
            Contact.objects.filter(kind=Contact.Kind.CUSTOMER)
            .filter(
                Q(last_activity_at__lte=cutoff)
                | Q(last_activity_at__isnull=True, first_contact_at__lte=cutoff)
            )
            .filter(Invoice.objects.kept_exists(now, outer="pk"))
            .exclude(pk__in=held)
            .filter(_any_filled(CONTACT_CHANNELS))
        )

    def expired_ignoring_restriction(
        self, now: datetime, rule: RetentionRule, *, ignore_holds: bool = False
    ) -> models.QuerySet:
        ended = Contact.objects.expired(now, rule, ignore_holds=ignore_holds)
        if rule.action == RetentionRule.Action.ANONYMISE:
            ended = ended.filter(_any_filled(CONTACT_PERSONAL))
        minimise = self._ended_with_kept_invoice(now, rule, ignore_holds=ignore_holds)
        return Contact.objects.filter(
            Q(pk__in=ended.values("pk")) | Q(pk__in=minimise.values("pk"))
        )

    def expired(self, now: datetime, rule: RetentionRule) -> models.QuerySet:
        return self.expired_ignoring_restriction(now, rule).exclude(restricted=True)

    def apply(self, pks: list, *, now: datetime, rule: RetentionRule, **_) -> BatchResult:
        kept = set(
            Contact.objects.filter(pk__in=pks)
            .filter(Invoice.objects.kept_exists(now, outer="pk"))
            .values_list("pk", flat=True)
        )
        ended = [pk for pk in pks if pk not in kept]
        affected = Contact.objects.filter(pk__in=kept).update(
            **dict.fromkeys(CONTACT_CHANNELS, ""), marketing_opt_out=True
        )
        if rule.action == RetentionRule.Action.DELETE:
            affected += records_delete(model=Contact, pks=ended, now=now)
        else:
            affected += Contact.objects.filter(pk__in=ended).update(
                **dict.fromkeys(CONTACT_PERSONAL, ""), marketing_opt_out=True
            )
        return BatchResult(affected=affected)


class ProcessorDataTarget(DeleteTarget):
    """Data held for a client controller lives on other systems (Art. 28(3)(g)): the purge
    raises the deletion task (``deletion_requested_on``) and staff confirm it
    (``deletion_confirmed_on``) once the client's systems have deleted the data."""

    action = Action.DELETION_TASK

    bulk_delete = False

    def __init__(self) -> None:
        super().__init__("processor-data", ProcessorDataset)

    def expired(self, now: datetime, rule: RetentionRule) -> models.QuerySet:
        return super().expired(now, rule).filter(deletion_requested_on__isnull=True)

    def apply(self, pks: list, *, now: datetime, rule: RetentionRule, **_) -> BatchResult:
        today = timezone.localdate(now)
        affected = ProcessorDataset.objects.filter(
            pk__in=pks, deletion_requested_on__isnull=True
        ).update(deletion_requested_on=today)
        return BatchResult(affected=affected)


class AnchorTarget(PurgeTarget):
    """Rows of a model outside ``records`` (found by label: retention imports neither
    requests_app nor the libraries) whose ``anchor`` column lies at or before the rule's
    cutoff, not under a legal hold. Deleted through records_delete, which takes their
    dependants along (or pseudonymises them, like the request audit trail)."""

    def __init__(
        self,
        rule_code: str,
        labels: tuple[str, ...],
        anchor: str,
        *,
        extra: Q | None = None,
        action: str = Action.DELETE,
        flush: str | None = None,
    ) -> None:
        self.rule_code = rule_code
        self.labels = labels  # the first installed one (a model moving between apps)
        self.anchor = anchor
        self.extra = extra
        self.action = action
        self.flush = flush  # dotted path: writes rows still queued elsewhere (write_queued)

    @property
    def model(self) -> type[models.Model]:  # type: ignore[override]
        for label in self.labels:
            try:
                return apps.get_model(label)
            except LookupError:
                continue
        raise UnknownRule(f"none of {', '.join(self.labels)} is installed")

    def expired(self, now: datetime, rule: RetentionRule) -> models.QuerySet:
        return self.expired_ignoring_restriction(now, rule)

    def write_queued(self) -> None:
        if self.flush:
            import_string(self.flush)()

    def expired_ignoring_restriction(
        self, now: datetime, rule: RetentionRule, *, ignore_holds: bool = False
    ) -> models.QuerySet:
        model = self.model
        rows = model._base_manager.filter(**{f"{self.anchor}__lte": rule.cutoff(now)})
        if self.extra is not None:
            rows = rows.filter(self.extra)
        if ignore_holds or not holdable(model):
            return rows
        return rows.exclude(held(model, now))


class StaffNameTarget(AnchorTarget):
    """The staff name on a published version (statement approver, staff-notice publisher):
    accountability evidence (Art. 5(2)) while the version is current and for the rule's period
    after a newer version replaced it; then the role stands in for the name
    (``NAME_AFTER_RETENTION``) and the link to the account goes. The version itself — its
    public text and PDF — stays: it names no one."""

    action = Action.ANONYMISE
    bulk_delete = False

    def __init__(self, rule_code: str, labels: tuple[str, ...]) -> None:
        super().__init__(rule_code, labels, "published_at", action=Action.ANONYMISE)

    def _still_named(self, model: type[models.Model]) -> Q:
        keep = model.NAME_AFTER_RETENTION  # type: ignore[attr-defined]
        named = Q()
        for name in model.PERSONAL_FIELDS:  # type: ignore[attr-defined]
            field = model._meta.get_field(name)
            if field.is_relation:
                named |= Q(**{f"{name}__isnull": False})
            else:
                named |= ~Q(**{name: ""}) & ~Q(**{name: keep.get(name, "")})
        return named

    def expired_ignoring_restriction(
        self, now: datetime, rule: RetentionRule, *, ignore_holds: bool = False
    ) -> models.QuerySet:
        model = self.model
        replaced = model._base_manager.filter(
            number__gt=OuterRef("number"), published_at__lte=rule.cutoff(now)
        )
        rows = model._base_manager.filter(Exists(replaced)).filter(self._still_named(model))
        return rows if ignore_holds else rows.exclude(held(model, now))

    def apply(self, pks: list, *, now: datetime, rule: RetentionRule, **_) -> BatchResult:
        model = self.model
        keep = model.NAME_AFTER_RETENTION  # type: ignore[attr-defined]
        return BatchResult(affected=pseudonymise(model=model, pks=pks, keep=keep))


class HistoryContactTarget(AnchorTarget):
    """Earlier contact details in the register's history (django-simple-history): the live
    register keeps its contacts while listed (Art. 30(1)(a), 30(2)(a)); its history is the
    accountability record of what the register said when (Art. 5(2), a ROPA as of a date).

    A value there is kept while in force and for the rule's period after staff replaced it by
    another value, or removed the entry from the register; then it is blanked in every history
    row that holds it (Art. 5(1)(e)). The tracked model names the fields
    (``HISTORY_PERSONAL_FIELDS``). The rows stay, and so does a value still in force in every
    row that holds it (it is the same datum as the live one): a row superseded by a change of
    another field, or a value staff named again after replacing it.
    """

    action = Action.ANONYMISE
    bulk_delete = False

    def __init__(self, rule_code: str, tracked: str) -> None:
        super().__init__(rule_code, (), "history_date", action=Action.ANONYMISE)
        self.tracked = tracked

    @property
    def model(self) -> type[models.Model]:  # type: ignore[override]
        return apps.get_model(self.tracked).history.model

    @property
    def fields(self) -> tuple[str, ...]:
        return apps.get_model(self.tracked).HISTORY_PERSONAL_FIELDS

    def _ended(self, field: str, cutoff: datetime) -> Q:
        """The value of ``field`` in a history row is not blank, not the entry's value in the
        register now (named again after a replacement: the same datum, still in force) and, at
        or before ``cutoff``, a later row of the same entry held another value or recorded its
        removal."""
        model = self.model
        tracked = model.instance_type  # type: ignore[attr-defined]
        entry = tracked._meta.pk.attname
        in_force = tracked._base_manager.filter(pk=OuterRef(entry), **{field: OuterRef(field)})
        same_entry = model._base_manager.filter(
            **{entry: OuterRef(entry)}, history_date__lte=cutoff
        )
        later = Q(history_date__gt=OuterRef("history_date")) | Q(
            history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")
        )
        replaced = same_entry.filter(later).exclude(**{field: OuterRef(field)})
        removed = same_entry.filter(history_type="-").filter(
            later | Q(history_id=OuterRef("history_id"))
        )
        return ~Q(**{field: ""}) & ~Exists(in_force) & (Exists(replaced) | Exists(removed))

    def expired_ignoring_restriction(
        self, now: datetime, rule: RetentionRule, *, ignore_holds: bool = False
    ) -> models.QuerySet:
        cutoff = rule.cutoff(now)
        rows = self.model._base_manager.filter(
            reduce(or_, (self._ended(field, cutoff) for field in self.fields))
        )
        return rows if ignore_holds else rows.exclude(held(self.model, now))

    def apply(self, pks: list, *, now: datetime, rule: RetentionRule, **_) -> BatchResult:
        """One UPDATE per batch: each ended value blanked, the others kept."""
        cutoff = rule.cutoff(now)
        blanked = {
            field: Case(
                When(self._ended(field, cutoff), then=Value("")),
                default=F(field),
                output_field=models.TextField(),  # CharField, EmailField, TextField: all text
            )
            for field in self.fields
        }
        return BatchResult(affected=self.model._base_manager.filter(pk__in=pks).update(**blanked))


class ReviewTarget(AnchorTarget):
    """Counted for staff, never applied (the register's action is "review")."""

    def apply(self, pks: list, **_) -> BatchResult:
        raise RuntimeError(f"rule {self.rule_code} is reviewed by staff, not applied")


# In purge order: invoices before the customers they keep, dependants before contacts.
TARGETS: dict[str, PurgeTarget] = {
    target.rule_code: target
    for target in (
        CameraTarget("camera-footage", CameraRecording),
        DeleteTarget("web-inquiry", WebInquiry),
        DeleteTarget("newsletter", NewsletterSubscription),
        DeleteTarget("invoice", Invoice),
        ContactTarget("prospect"),
        ContactTarget("loose-contact"),
        CustomerContactTarget(),
        ProcessorDataTarget(),
        # Issue 13: what the system itself keeps about people.
        DeleteTarget("consent-proof", NewsletterConsentProof),
        ReviewTarget("suppression", ("records.SuppressionEntry",), "created_at"),
        # Art. 12, 5(2): closed requests with their identity checks, ID copies, matches,
        # packages (files too); their audit entries are pseudonymised, not deleted.
        AnchorTarget(
            "data-subject-request",
            ("requests_app.DataSubjectRequest",),
            "completed_at",
            extra=Q(completed_at__isnull=False),
        ),
        AnchorTarget("staff-access-log", ("axes.AccessLog",), "attempt_time"),
        AnchorTarget("staff-login-attempt", ("axes.AccessAttempt",), "attempt_time"),
        AnchorTarget("staff-login-failure", ("axes.AccessFailureLog",), "attempt_time"),
        AnchorTarget("staff-admin-log", ("admin.LogEntry",), "action_time"),
        AnchorTarget("staff-session", ("sessions.Session",), "expire_date"),
        AnchorTarget("api-audit", ("records.ApiAuditEntry",), "created_at"),
        ReviewTarget(
            "staff-account",
            (settings.AUTH_USER_MODEL,),
            "last_login",
            extra=Q(is_active=False),
        ),
        # Art. 7(1) and art. 10/2 of the law of 30 July 2018: proof of each cookie choice
        # (first choices still queued in Redis written first).
        AnchorTarget(
            "cookie-consent",
            ("consent.ConsentRecord",),
            "recorded_at",
            flush="consent.services.consent_queue_flush_for_reading",
        ),
        # Art. 33(5): the breach register, 5 years after each breach is closed.
        AnchorTarget(
            "breach-register",
            ("breaches.Breach", "cdot_privacy.Breach"),
            "closed_at",
            extra=Q(closed_at__isnull=False),
        ),
        DeleteTarget("email-outbox", OutboxEmail),
        # Art. 28(3)(e): requests passed on to a client controller (processor app).
        AnchorTarget("forwarded-request", ("processor.ForwardedRequest",), "received_at"),
        # Art. 5(2), 5(1)(e): the staff name on a version, and the review queue's decisions.
        StaffNameTarget("statement-approver", ("statement.StatementVersion",)),
        StaffNameTarget("staff-notice-publisher", ("statement.StaffNoticeVersion",)),
        DeleteTarget("review-decision", ReviewDecision),
        # Art. 5(2), 5(1)(e): earlier contact details the register's history keeps.
        HistoryContactTarget("register-history-contact", "registry.Organisation"),
        HistoryContactTarget("register-history-client-contact", "registry.ProcessorClient"),
    )
}


def target_for(rule_code: str) -> PurgeTarget:
    try:
        return TARGETS[rule_code]
    except KeyError:
        known = ", ".join(TARGETS)
        raise UnknownRule(f"no purge target for rule {rule_code!r} (known: {known})") from None


def automatic_rule_codes() -> list[str]:
    """Rules whose expired rows this engine deletes or anonymises by itself (no staff step).

    A review target only counts; the processor target asks the client's systems to delete.
    The statement calls only these rules' ends automatic (registry.automation).
    """
    manual = (Action.REVIEW, Action.DELETION_TASK)
    return sorted(
        code
        for code, target in TARGETS.items()
        if not isinstance(target, ReviewTarget) and target.action not in manual
    )


def rule_codes() -> list[str]:
    """Every rule code the purge knows, in purge order."""
    return list(TARGETS)


# --- The personal-data inventory (issue 13) -----------------------------------------------------
#
# Our models declare PERSONAL_FIELDS (and `retention_rule_code(s)`) on the model itself. The
# libraries' models cannot, so their personal fields and governing rule are declared here, once.
THIRD_PARTY_PERSONAL: dict[str, tuple[tuple[str, ...], str]] = {
    # django-axes: staff sign-ins (Art. 32 logs), 90 days by default.
    "axes.AccessLog": (
        ("username", "ip_address", "user_agent", "http_accept", "path_info", "session_hash"),
        "staff-access-log",
    ),
    "axes.AccessAttempt": (
        (
            "username",
            "ip_address",
            "user_agent",
            "http_accept",
            "path_info",
            "get_data",
            "post_data",
        ),
        "staff-login-attempt",
    ),
    "axes.AccessFailureLog": (
        ("username", "ip_address", "user_agent", "http_accept", "path_info"),
        "staff-login-failure",
    ),
    "admin.LogEntry": (("user", "object_repr", "change_message"), "staff-admin-log"),
    "sessions.Session": (("session_data",), "staff-session"),
    "auth.User": (("username", "first_name", "last_name", "email", "password"), "staff-account"),
}

# Library rows that hold personal data only through the row they belong to, and go with it
# (records_delete takes every row pointing at a deleted row along).
THIRD_PARTY_DEPENDANTS: dict[str, str] = {
    "axes.AccessAttemptExpiration": "axes.AccessAttempt",
    "otp_totp.TOTPDevice": "auth.User",
    "otp_static.StaticDevice": "auth.User",
    "otp_static.StaticToken": "otp_static.StaticDevice",
}

# Models that hold no data about a person, with the reason (checked by
# tests/test_retention_inventory.py: a new model must be classified to pass).
NOT_PERSONAL: dict[str, str] = {
    "auth.Group": "staff roles",
    "auth.Permission": "permissions",
    "contenttypes.ContentType": "model names",
    "django_celery_beat.SolarSchedule": "schedules",
    "django_celery_beat.IntervalSchedule": "schedules",
    "django_celery_beat.ClockedSchedule": "schedules",
    "django_celery_beat.CrontabSchedule": "schedules",
    "django_celery_beat.PeriodicTasks": "schedules",
    "django_celery_beat.PeriodicTask": "schedules",
    "cdot_privacy.Heartbeat": "beat liveness",
    # Counts and timings; who started a run is a link to the staff account, unlinked when
    # the account is deleted (`staff-account`, records_delete).
    "retention.PurgeRun": "counts and timings; the starter's link ends with the account",
    "retention.RuleBacklog": "counts per rule only",
    "records.ApiKey": "client systems, hashed keys",
    # requests_app models added by issue 14 (their owner may rather declare PERSONAL_FIELDS):
    "requests_app.AnswerTemplate": "answer texts per request type, no person in them",
    "requests_app.ProcessorWebhook": "a processor's endpoint and secret",
    "requests_app.WebhookDelivery": "event and status of a delivery; goes with its request",
    "records.IdempotencyRecord": "ids and statuses, pruned after 24 hours",
    "consent.BannerVersion": "the cookie banner texts",
    # The register (Art. 30): purposes, categories, rules, cookies. Its contact fields name
    # the controller's and the clients' business contacts, which Art. 30(1)(a) and 30(2)(a)
    # require while they are listed; staff edit or remove them with the register entry. The
    # earlier values their history tables keep are personal stores of their own
    # (HISTORY_PERSONAL_FIELDS on the model: rules register-history-contact / -client-contact).
    "registry.Organisation": "the register (controller's contact, Art. 30(1)(a))",
    "registry.SupervisoryAuthority": "the register",
    "registry.DataSubjectCategory": "the register",
    "registry.DataCategory": "the register",
    "registry.Recipient": "the register",
    "registry.SecurityMeasure": "the register",
    "registry.ProcessingActivity": "the register",
    "registry.Transfer": "the register",
    "registry.ProcessingCategory": "the register",
    "registry.ProcessorClient": "the register (client's contact, Art. 30(2)(a))",
    "registry.RetentionRule": "the register",
    "registry.Cookie": "the register (cookie inventory)",
    "registry.ConsentSettings": "the register",
}


# Personal data kept in files outside the database and outside any model (the files of models
# go with their rows): what they hold, the rule that ends them and the beat task applying it.
FILE_STORES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # records/ledger.py: row ids and keyed e-mail hashes of erasures, withdrawals, objections.
    "file:erasure-ledger": (
        ("model and id of erased rows", "keyed hash of suppressed addresses"),
        "erasure-ledger",
        "records.erasure_ledger_prune",
    ),
}


def file_store_rule_codes() -> set[str]:
    """Rules whose store is a file pruned by its own beat task (FILE_STORES), not a target."""
    return {code for _fields, code, _task in FILE_STORES.values()}


@dataclass(frozen=True)
class PersonalStore:
    """One model holding personal data: its fields and what ends them."""

    label: str
    fields: tuple[str, ...]
    rule_codes: tuple[str, ...]  # the rules that end it; empty when it goes with `parent`
    parent: str = ""


def model_rule_codes(model: type[models.Model]) -> tuple[str, ...]:
    codes = getattr(model, "retention_rule_codes", None)
    if codes is None and getattr(model, "retention_rule_code", None):
        codes = (model.retention_rule_code,)  # type: ignore[attr-defined]
    return tuple(codes or ())


def _historical_of(model: type[models.Model]) -> type[models.Model] | None:
    """The tracked model of a django-simple-history model (or of its m2m history table)."""
    instance_type = getattr(model, "instance_type", None)
    if instance_type is not None:
        owner = instance_type._meta.auto_created  # a many-to-many table: its owning model
        return owner or instance_type
    for field in model._meta.fields:
        if field.name == "history" and field.is_relation:
            return _historical_of(field.related_model)
    return None


def personal_data_stores() -> tuple[list[PersonalStore], list[str]]:
    """Every installed model holding personal data, with its fields and the rule(s) ending it;
    and the labels of models that are not classified at all (must be empty)."""
    stores = [
        PersonalStore(label, fields, (code,)) for label, (fields, code, _) in FILE_STORES.items()
    ]
    unclassified: list[str] = []
    for model in apps.get_models():
        label = model._meta.label
        if label in NOT_PERSONAL:
            continue
        if label in THIRD_PARTY_PERSONAL:
            fields, code = THIRD_PARTY_PERSONAL[label]
            stores.append(PersonalStore(label, fields, (code,)))
            continue
        if label in THIRD_PARTY_DEPENDANTS:
            stores.append(PersonalStore(label, (), (), parent=THIRD_PARTY_DEPENDANTS[label]))
            continue
        tracked = _historical_of(model)
        if tracked is not None:
            history_fields = getattr(tracked, "HISTORY_PERSONAL_FIELDS", ())
            if history_fields and getattr(model, "instance_type", None) is tracked:
                # Earlier values of the register's contacts (issue 13): a rule of their own.
                code = tracked.history_retention_rule_code  # type: ignore[attr-defined]
                stores.append(PersonalStore(label, tuple(history_fields), (code,)))
                continue
            if tracked._meta.label in NOT_PERSONAL:
                continue
            stores.append(PersonalStore(label, (), (), parent=tracked._meta.label))
            continue
        if model._meta.auto_created:  # a many-to-many table: goes with its rows
            continue
        fields = getattr(model, "PERSONAL_FIELDS", None)
        if fields is None:
            unclassified.append(label)
            continue
        codes = model_rule_codes(model)
        if not fields and not codes:
            continue  # declared: no personal data
        parent = ""
        if not codes:  # goes with the governed row it points at (records_delete)
            parents = [
                f.related_model._meta.label
                for f in model._meta.fields
                if f.many_to_one
                and (
                    model_rule_codes(f.related_model)
                    or getattr(f.related_model, "PERSONAL_FIELDS", None)
                )
            ]
            parent = parents[0] if parents else ""
        stores.append(PersonalStore(label, tuple(fields), codes, parent=parent))
    return stores, unclassified
