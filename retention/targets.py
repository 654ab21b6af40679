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

Rows under an active legal hold (Art. 17(3)(e)) are left out by the records' ``expired()``;
contacts restricted under Art. 18(1) are left out here. A rule whose register action is
"review" is never applied automatically: its runs only count (see services.py).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from records.models import (
    CameraRecording,
    Contact,
    Invoice,
    LegalHold,
    NewsletterSubscription,
    ProcessorDataset,
    WebInquiry,
)
from records.models_outbox import OutboxEmail
from records.services import camera_footage_orphans_sweep, records_delete
from registry import periods
from registry.models import RetentionRule


def qn(name: str) -> str:
    """A quoted SQL identifier (table/column names come from model metadata only)."""
    return connection.ops.quote_name(name)


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


# Fields of a contact that identify or reach a person. Anonymising blanks them all;
# minimising (while invoices must be kept) blanks the channels and keeps who the customer is.
CONTACT_CHANNELS = (
    "email",
    "email_normalised",
    "phone",
    "phone_e164",
    "mobile",
    "mobile_e164",
    "url",
)
CONTACT_PERSONAL = (
    *CONTACT_CHANNELS,
    "first_name",
    "last_name",
    "street",
    "postal_code",
    "city",
    "vat_number",
    "kbo_number",
)


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

    def held_count(self, now: datetime, rule: RetentionRule) -> int:
        """Rows that would be expired but for a legal hold or a restriction (Art. 18).

        The records' ``expired()`` leaves held rows out in SQL, so the count is taken by
        asking the same query once more with the holds lifted — inside a savepoint that is
        always rolled back, so nothing is ever written.
        """
        with transaction.atomic():
            savepoint = transaction.savepoint()
            try:
                LegalHold.objects.active(now).update(released_at=now)
                unheld = self.expired_ignoring_restriction(now, rule).count()
            finally:
                transaction.savepoint_rollback(savepoint)
        return max(unheld - self.expired(now, rule).count(), 0)

    def expired_ignoring_restriction(self, now: datetime, rule: RetentionRule):
        return self.expired(now, rule)

    def lock_batch(self, locked: models.QuerySet) -> tuple[list, set | None]:
        """Run the batch's locking SELECT; return its pks and, when it could tell in the same
        round trip (PostgreSQL, bulk-deleting targets), the pks that have dependants."""
        if not self.bulk_delete or connection.vendor != "postgresql":
            return list(locked), None
        sql, params = locked.query.get_compiler(connection.alias).as_sql()
        checks, check_params = _dependants_exists_sql(self.model, "p.pk")
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
        """Delete the rows. Rows with dependants (rows pointing at them, legal-hold entries)
        go through records_delete, which handles those explicitly; the rest — nearly all —
        go in one ``DELETE … WHERE pk = ANY(%s)``: no per-row signals, no ORM collector."""
        if special is None:
            special = rows_with_dependants(self.model, pks)
        plain = [pk for pk in pks if pk not in special]
        affected = delete_by_pks(self.model, plain)
        if special:
            affected += records_delete(model=self.model, pks=sorted(special))
        return BatchResult(affected=affected)

    def after_batches(self, *, now: datetime, rule: RetentionRule) -> int:
        """Work after the batches (e.g. an orphan-file sweep); returns files removed."""
        return 0


def _foreign_keys_to(model: type[models.Model]) -> list:
    """Every concrete foreign key (from any app) that points at ``model``."""
    return [
        rel.field
        for rel in model._meta.related_objects
        if rel.field.concrete and not rel.many_to_many
    ]


def rows_with_dependants(model: type[models.Model], pks: list) -> set:
    """The pks among ``pks`` that another row points at (any concrete foreign key to the
    model, from any app) or that have a legal-hold entry (even a released one)."""
    if not pks:
        return set()
    content_type = ContentType.objects.get_for_model(model).pk
    if connection.vendor != "postgresql":
        found = set(
            LegalHold.objects.filter(content_type=content_type, object_id__in=pks).values_list(
                "object_id", flat=True
            )
        )
        for fk in _foreign_keys_to(model):
            rows = fk.model._base_manager.filter(**{f"{fk.attname}__in": pks})
            found.update(rows.values_list(fk.attname, flat=True))
        return found
    # PostgreSQL: one round trip, the pks bound once per part as an array.
    parts = []
    for fk in _foreign_keys_to(model):
        column, table = qn(fk.column), qn(fk.model._meta.db_table)
        parts.append(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    holds = qn(LegalHold._meta.db_table)
    hold_filter = "content_type_id = %s AND object_id = ANY(%s)"
    parts.append(f"SELECT object_id FROM {holds} WHERE {hold_filter}")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    params = [pks] * (len(parts) - 1) + [content_type, pks]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params)
        return {row[0] for row in cursor.fetchall()}


def _dependants_exists_sql(model: type[models.Model], outer: str) -> tuple[str, list]:
    """SQL for "some row points at `outer`, or a legal-hold entry names it" (PostgreSQL)."""
    checks = []
    for fk in _foreign_keys_to(model):
        table, column = qn(fk.model._meta.db_table), qn(fk.column)
        checks.append(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = {outer})")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    holds, hold_filter = qn(LegalHold._meta.db_table), "content_type_id = %s AND object_id"
    checks.append(f"EXISTS (SELECT 1 FROM {holds} WHERE {hold_filter} = {outer})")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    return " OR ".join(checks), [ContentType.objects.get_for_model(model).pk]


def delete_by_pks(model: type[models.Model], pks: list) -> int:
    """One bulk ``DELETE`` of these rows (only for rows nothing points at)."""
    if not pks:
        return 0
    if connection.vendor != "postgresql":
        return model._base_manager.filter(pk__in=pks)._raw_delete(connection.alias)
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} = ANY(%s)", [pks])  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
        return cursor.rowcount


class DeleteTarget(PurgeTarget):
    def __init__(self, rule_code: str, model: type[models.Model]) -> None:
        self.rule_code = rule_code
        self.model = model


class CameraTarget(DeleteTarget):
    """Camera law of 21 March 2007: images at most one month; C-DOT keeps 14 days."""

    # Each row goes through records_delete (files): smaller batches keep each under 250 ms.
    max_batch_size = 500

    bulk_delete = False

    def apply(self, pks: list, *, now: datetime, rule: RetentionRule, **_) -> BatchResult:
        # Every recording has a file: records_delete unlinks them after the commit.
        deleted = records_delete(model=self.model, pks=pks)
        return BatchResult(affected=deleted, files=deleted)

    def after_batches(self, *, now: datetime, rule: RetentionRule) -> int:
        # Files the index never saw (recorder wrote them while the scan was down) and older
        # than the rule's period: nothing keeps them, no hold can name them.
        return camera_footage_orphans_sweep(now=now, min_age=now - rule.cutoff(now))


class NewsletterTarget(DeleteTarget):
    """Art. 7(3), 21(3): the withdrawn consent goes, its address hash stays suppressed."""

    bulk_delete = False

    def apply(self, pks: list, *, now: datetime, rule: RetentionRule, **_) -> BatchResult:
        # records_delete leaves the SuppressionEntry behind: always through it.
        return BatchResult(affected=records_delete(model=self.model, pks=pks))


class ContactTarget(DeleteTarget):
    """Prospects and loose contacts: delete (their web inquiries go with them)."""

    def __init__(self, rule_code: str) -> None:
        super().__init__(rule_code, Contact)

    def expired(self, now: datetime, rule: RetentionRule) -> models.QuerySet:
        return super().expired(now, rule).exclude(restricted=True)  # Art. 18(1)

    def expired_ignoring_restriction(self, now: datetime, rule: RetentionRule):
        return super().expired(now, rule)


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

    def _ended_with_kept_invoice(self, now: datetime, rule: RetentionRule) -> models.QuerySet:
        if rule.anchor == RetentionRule.Anchor.LAST_INVOICE_FISCAL_YEAR_END:
            return Contact.objects.none()  # same anchor as the invoices: nothing to minimise
        cutoff = rule.cutoff(now)
        held = LegalHold.objects.active(now).for_model(Contact).values("object_id")
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

    def expired_ignoring_restriction(self, now: datetime, rule: RetentionRule):
        ended = Contact.objects.expired(now, rule)
        if rule.action == RetentionRule.Action.ANONYMISE:
            ended = ended.filter(_any_filled(CONTACT_PERSONAL))
        minimise = self._ended_with_kept_invoice(now, rule)
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
            affected += records_delete(model=Contact, pks=ended)
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
        today = now.astimezone(periods.BRUSSELS).date()
        affected = ProcessorDataset.objects.filter(
            pk__in=pks, deletion_requested_on__isnull=True
        ).update(deletion_requested_on=today)
        return BatchResult(affected=affected)


# In purge order: invoices before the customers they keep, dependants before contacts.
TARGETS: dict[str, PurgeTarget] = {
    target.rule_code: target
    for target in (
        CameraTarget("camera-footage", CameraRecording),
        DeleteTarget("web-inquiry", WebInquiry),
        NewsletterTarget("newsletter", NewsletterSubscription),
        DeleteTarget("invoice", Invoice),
        ContactTarget("prospect"),
        ContactTarget("loose-contact"),
        CustomerContactTarget(),
        ProcessorDataTarget(),
        DeleteTarget("email-outbox", OutboxEmail),
    )
}


def target_for(rule_code: str) -> PurgeTarget:
    try:
        return TARGETS[rule_code]
    except KeyError:
        known = ", ".join(TARGETS)
        raise UnknownRule(f"no purge target for rule {rule_code!r} (known: {known})") from None


def rule_codes() -> list[str]:
    """Every rule code the purge knows, in purge order."""
    return list(TARGETS)
