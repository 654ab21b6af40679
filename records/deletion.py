"""The one way to delete personal data: ``records_delete`` (issue 13, point 5).

The purge (retention/), the erasure (requests_app/) and the admin all call it; the purge
targets only select rows. What a delete must also do happens here and nowhere else:

- refuse rows under an active legal hold, and contacts with an invoice that must still be
  kept (Art. 17(3)(b), (e)), and rows another app keeps by a PROTECT link (a staff account
  that handled a data-subject request) — nothing is deleted then;
- rows of any app that point at the deleted rows go with them (recursively; links declared
  with ``related_name="+"`` count too); a nullable link is unlinked instead (the row is not
  the deleted row's data: a register change a deleted staff account made); models that
  declare ``PSEUDONYMISE_WITH_PARENT`` lose their ``PERSONAL_FIELDS`` and keep the rest (the
  request audit trail keeps action, time and reference; Art. 5(2));
- a newsletter subscription leaves its pseudonymous consent proof and a keyed suppression
  entry (Art. 7(1), 21(3));
- an invoice takes along the contact that asked for erasure once no invoice keeps it;
- legal-hold entries of the deleted rows (released or lapsed) go;
- files of models that declare ``STORED_FILE_FIELD`` / ``stored_file_root()`` are removed
  after the transaction commits (also those of rows that go along: dependants, an erased
  contact following its last invoice);
- with ``erasure=True`` (a data subject's erasure, a staff member deleting in the admin) the
  rows are written to the erasure ledger, so a restored backup cannot bring them back
  (records/ledger.py); the purge does not write there (it runs again after a restore).

Rows nothing points at go in one bulk ``DELETE … WHERE pk = ANY(…)`` (no per-row signals,
no ORM collector): that is the purge's fast path.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from .ledger import ledger_erased
from .models import (
    Contact,
    Invoice,
    LegalHold,
    NewsletterConsentProof,
    NewsletterSubscription,
    SuppressionEntry,
    WebInquiry,
)
from .normalise import email_hash

logger = logging.getLogger(__name__)


class RecordsDeleteRefused(Exception):
    """A delete that would break a legal hold or a legal obligation to keep (Art. 17(3))."""


class RecordsStillLinked(RecordsDeleteRefused):
    """A row of another app keeps this one by a PROTECT link (Django's own meaning: not while
    it points here) — e.g. a staff account that handled a data-subject request stays until that
    request goes by its own rule. Within one app records_delete takes such rows along."""


def qn(name: str) -> str:
    """A quoted SQL identifier (table/column names come from model metadata only)."""
    return connection.ops.quote_name(name)


def records_delete(
    *,
    model: type[models.Model],
    pks: Iterable,
    now: datetime | None = None,
    with_dependants: set | None = None,
    erasure: bool = False,
) -> int:
    """Delete rows of `model` by primary key; return how many rows of `model` went.

    One transaction. ``with_dependants``: the pks among ``pks`` that other rows point at or
    that have a legal-hold entry, when the caller already knows them (the purge asks in the
    same round trip as its locking SELECT); computed here otherwise. ``erasure``: a person or
    a staff member chose to delete these rows (not the purge): they go into the erasure
    ledger, written after the commit (Art. 17; a restore must not bring them back). Raises
    RecordsDeleteRefused, deleting nothing, for an active legal hold or a kept invoice.
    """
    pks = sorted(set(pks))
    if not pks:
        return 0
    now = now or timezone.now()
    files: list[Path] = []
    # The purge (which passes with_dependants) calls this inside its own batch transaction:
    # no savepoint round trips there; a refusal fails the whole batch, as it should.
    with transaction.atomic(savepoint=with_dependants is None):
        if erasure:
            ledger_erased(model=model, pks=pks)  # after the commit; gone with a refusal
        deleted = _delete_rows(model, pks, now, files, with_dependants)
        if model is Invoice:
            _erased_contacts_follow(now, files)
        if files:
            transaction.on_commit(lambda: stored_files_unlink(paths=files))
    logger.info("records_delete model=%s deleted=%s", model._meta.label, deleted)
    return deleted


def records_delete_refusal(*, model: type[models.Model], pk, now: datetime | None = None) -> str:
    """Why records_delete would refuse this row ('' when it would not): an active legal hold
    or, for a contact, an invoice that must still be kept. Reads only."""
    now = now or timezone.now()
    try:
        _refuse_held(model, [pk], now)
        if model is Invoice:
            _refuse_kept_invoice_rows([pk], now)
        if model is Contact:
            _refuse_kept_invoices([pk], now)
            for child in (Invoice, WebInquiry):
                rows = child.objects.filter(contact_id=pk).values_list("pk", flat=True)
                _refuse_held(child, list(rows), now)
    except RecordsDeleteRefused as refusal:
        return str(refusal)
    return ""


def _delete_rows(
    model: type[models.Model], pks: list, now: datetime, files: list[Path], special: set | None
) -> int:
    if special is None:
        special = rows_with_dependants(model, pks)
    special_pks = [pk for pk in pks if pk in special]
    if model is Invoice:
        _refuse_kept_invoice_rows(pks, now)
    if special_pks:
        _refuse_held(model, special_pks, now)
        _refuse_protected(model, special_pks)
        if model is Contact:
            _refuse_kept_invoices(special_pks, now)
    before = _BEFORE_DELETE.get(model)
    if before is not None:
        before(pks, now)
    files.extend(stored_files(model, pks))
    _history_goes_too(model, pks, now, files)
    if special_pks:
        for fk in foreign_keys_to(model):
            child = fk.model
            child_rows = child._base_manager.filter(**{f"{fk.attname}__in": special_pks})
            child_pks = list(child_rows.values_list("pk", flat=True))
            if not child_pks:
                continue
            if getattr(child, "PSEUDONYMISE_WITH_PARENT", False):
                _pseudonymise_children(model, special_pks, child, fk)
            elif fk.null and fk.name not in getattr(child, "DELETED_WITH", ()):
                # SET_NULL and the like: the child is not the parent's data (a breach that
                # a deleted staff account registered stays, without the account).
                child._base_manager.filter(pk__in=child_pks).update(**{fk.attname: None})
            else:
                _delete_rows(child, child_pks, now, files, None)
        if holdable(model):
            LegalHold.objects.for_model(model).filter(object_id__in=special_pks)._raw_delete(
                LegalHold.objects.db
            )
    return delete_by_pks(model, pks)


def _history_goes_too(model: type[models.Model], pks: list, now: datetime, files: list) -> None:
    """django-simple-history: the history rows of a deleted row hold the same personal data;
    they go with it (issue 13: history tables of models with personal data)."""
    history = getattr(model, "history", None)
    historical = getattr(history, "model", None)
    if historical is None or historical is model:
        return
    history_pks = list(
        historical._base_manager.filter(id__in=pks).values_list("history_id", flat=True)
    )
    if history_pks:
        _delete_rows(historical, history_pks, now, files, set(history_pks))


def holdable(model: type[models.Model]) -> bool:
    """Only rows with an integer key can carry a LegalHold (object_id is an integer); others
    (sessions: a string key) are never held."""
    return model._meta.pk.get_internal_type() in {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
    }


def _refuse_protected(model: type[models.Model], pks: list) -> None:
    for fk in foreign_keys_to(model):
        if fk.remote_field.on_delete is not models.PROTECT:
            continue
        if fk.model._meta.app_label == model._meta.app_label:
            continue  # the app's own rows: taken along (a request's identity checks)
        linked = fk.model._base_manager.filter(**{f"{fk.attname}__in": pks})
        if linked.exists():
            raise RecordsStillLinked(
                f"{linked.count()} {fk.model._meta.label} row(s) keep {model._meta.label} "
                f"by {fk.name}"
            )


def _refuse_held(model: type[models.Model], pks: list, now: datetime) -> None:
    if not holdable(model):
        return
    held = LegalHold.objects.active(now).for_model(model).filter(object_id__in=pks)
    if held.exists():
        raise RecordsDeleteRefused(f"{held.count()} {model._meta.label} row(s) on legal hold")


def _refuse_kept_invoices(pks: list, now: datetime) -> None:
    kept = Contact.objects.filter(pk__in=pks).filter(Invoice.objects.kept_exists(now, outer="pk"))
    if kept.exists():
        raise RecordsDeleteRefused(f"{kept.count()} contact(s) have invoices that must be kept")


def _refuse_kept_invoice_rows(pks: list, now: datetime) -> None:
    """Accounting law keeps each invoice for the `invoice` rule's period (Art. 17(3)(b)): no
    delete of one before it ends, by the admin or anyone (the purge selects only ended ones)."""
    kept = Invoice.objects.filter(pk__in=pks).kept(now)
    if kept.exists():
        raise RecordsDeleteRefused(f"{kept.count()} invoice(s) must still be kept")


def _erased_contacts_follow(now: datetime, files: list[Path]) -> None:
    """Art. 17(3)(b) ends: a contact erased on request goes once no invoice keeps it; the
    files of the rows that go with it join ``files`` (removed after the commit)."""
    released = list(Contact.objects.erased_and_released(now).values_list("pk", flat=True))
    if released:
        _delete_rows(Contact, released, now, files, None)


def newsletter_consent_proofs_keep(*, subscription_pks: list, now: datetime) -> int:
    """Before subscriptions are deleted: keep a pseudonymous proof of each consent (Art. 7(1):
    keyed hash, consent time, notice shown, withdrawal time) and suppress the address
    (Art. 21(3)). Called by records_delete only. Returns the proofs written."""
    rows = list(
        NewsletterSubscription.objects.filter(pk__in=subscription_pks).values(
            "email_normalised",
            "consent_given_at",
            "consent_text",
            "statement_version",
            "source",
            "withdrawn_at",
        )
    )
    proofs = [
        NewsletterConsentProof(
            email_hash=email_hash(row["email_normalised"]),
            consent_given_at=row["consent_given_at"],
            consent_text=row["consent_text"],
            statement_version=row["statement_version"],
            source=row["source"],
            withdrawn_at=row["withdrawn_at"] or now,
        )
        for row in rows
    ]
    NewsletterConsentProof.objects.bulk_create(proofs)
    entries = [
        SuppressionEntry(
            email_hash=proof.email_hash,
            reason=SuppressionEntry.Reason.WITHDRAWN
            if row["withdrawn_at"]
            else SuppressionEntry.Reason.ERASURE,
        )
        for proof, row in zip(proofs, rows, strict=True)
    ]
    SuppressionEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(proofs)


def _subscriptions_leave_proof(pks: list, now: datetime) -> None:
    newsletter_consent_proofs_keep(subscription_pks=pks, now=now)


_BEFORE_DELETE: dict[type[models.Model], Callable[[list, datetime], None]] = {
    NewsletterSubscription: _subscriptions_leave_proof,
}


def _pseudonymise_children(
    parent: type[models.Model], parent_pks: list, child: type[models.Model], fk
) -> None:
    """Pseudonymise the rows of `child` pointing at the parents; a child that declares
    PSEUDONYMISED_PARENT_KEY = (json_field, parent_field) keeps the parent's non-personal key
    (the request's reference) in that field: {parent_field: value}."""
    keep = getattr(child, "PSEUDONYMISED_PARENT_KEY", None)
    rows = child._base_manager.filter(**{f"{fk.attname}__in": parent_pks})
    if keep is None:
        pseudonymise(model=child, pks=list(rows.values_list("pk", flat=True)))
        return
    json_field, parent_field = keep
    values = parent._base_manager.filter(pk__in=parent_pks).values_list("pk", parent_field)
    for parent_pk, value in values:
        pks = list(rows.filter(**{fk.attname: parent_pk}).values_list("pk", flat=True))
        pseudonymise(model=child, pks=pks, keep={json_field: {parent_field: value}})


def pseudonymise(*, model: type[models.Model], pks: list, keep: dict | None = None) -> int:
    """Blank every field in ``model.PERSONAL_FIELDS`` (NULL, '' or {}), keep the rest;
    ``keep`` sets some of them to a non-personal value instead."""
    values: dict = {}
    for name in model.PERSONAL_FIELDS:  # type: ignore[attr-defined]
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):  # a reverse relation is not a column
            raise TypeError(f"{model._meta.label}.PERSONAL_FIELDS names {name!r}, not a field")
        if isinstance(field, models.JSONField):
            values[field.attname] = {}
        elif field.null:
            values[field.attname] = None
        else:
            values[field.attname] = ""
    values.update(keep or {})
    if not pks:
        return 0
    # _base_manager: append-only models refuse update() on their default manager; this is
    # the one pseudonymisation their database trigger allows too.
    return model._base_manager.filter(pk__in=pks).update(**values)


# --- files ------------------------------------------------------------------------------------


def stored_files(model: type[models.Model], pks: list) -> list[Path]:
    """Absolute paths of the files the rows name (models with STORED_FILE_FIELD)."""
    field = getattr(model, "STORED_FILE_FIELD", None)
    if field is None:
        return []
    root = Path(model.stored_file_root()).resolve()  # type: ignore[attr-defined]
    paths = []
    for value in model._base_manager.filter(pk__in=pks).values_list(field, flat=True):
        path = (root / value).resolve()
        if value and path.is_relative_to(root) and path != root:
            paths.append(path)
        else:
            logger.warning("stored file outside its root ignored model=%s", model._meta.label)
    return paths


def stored_files_unlink(*, paths: Iterable[Path]) -> int:
    """Remove files; a missing file is fine. Returns the number removed."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


# --- dependants and the bulk path -------------------------------------------------------------


def foreign_keys_to(model: type[models.Model]) -> list[models.ForeignKey]:
    """Every concrete foreign key (from any app, hidden ones too) that points at ``model``,
    including those of the many-to-many tables of its own and of other models' many-to-many
    fields.

    Read from the forward side, every installed model's own columns: the reverse relations
    (``_meta.get_fields``) leave out links declared with ``related_name="+"`` unless asked, and
    miss models registered after the first look (django-simple-history's register tables and
    their ``history_user``), so a deleted staff account left its id behind (issue 13)."""
    cached = _FOREIGN_KEYS.get(model)
    if cached is not None:
        return cached
    found = [
        field
        for other in apps.get_models(include_auto_created=True)
        for field in other._meta.local_fields
        if isinstance(field, models.ForeignKey) and field.related_model is model
    ]
    if apps.ready:  # every model is registered: the answer no longer changes
        _FOREIGN_KEYS[model] = found
    return found


_FOREIGN_KEYS: dict[type[models.Model], list[models.ForeignKey]] = {}


def rows_with_dependants(model: type[models.Model], pks: list) -> set:
    """The pks among ``pks`` that another row points at (any concrete foreign key to the
    model, from any app) or that have a legal-hold entry (even a released one)."""
    if not pks:
        return set()
    content_type = ContentType.objects.get_for_model(model).pk
    if connection.vendor != "postgresql" or not holdable(model):
        found = set()
        if holdable(model):
            found = set(
                LegalHold.objects.filter(content_type=content_type, object_id__in=pks).values_list(
                    "object_id", flat=True
                )
            )
        for fk in foreign_keys_to(model):
            rows = fk.model._base_manager.filter(**{f"{fk.attname}__in": pks})
            found.update(rows.values_list(fk.attname, flat=True))
        return found
    # PostgreSQL: one round trip, the pks bound once per part as an array.
    parts = []
    for fk in foreign_keys_to(model):
        column, table = qn(fk.column), qn(fk.model._meta.db_table)
        parts.append(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    holds = qn(LegalHold._meta.db_table)
    hold_filter = "content_type_id = %s AND object_id = ANY(%s)"
    parts.append(f"SELECT object_id FROM {holds} WHERE {hold_filter}")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    params: Sequence[Any] = [pks] * (len(parts) - 1) + [content_type, pks]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params)
        return {row[0] for row in cursor.fetchall()}


def dependants_exists_sql(model: type[models.Model], outer: str) -> tuple[str, list]:
    """SQL for "some row points at `outer`, or a legal-hold entry names it" (PostgreSQL)."""
    checks = []
    for fk in foreign_keys_to(model):
        table, column = qn(fk.model._meta.db_table), qn(fk.column)
        checks.append(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = {outer})")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    if not holdable(model):
        return " OR ".join(checks) or "FALSE", []
    holds, hold_filter = qn(LegalHold._meta.db_table), "content_type_id = %s AND object_id"
    checks.append(f"EXISTS (SELECT 1 FROM {holds} WHERE {hold_filter} = {outer})")  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
    return " OR ".join(checks), [ContentType.objects.get_for_model(model).pk]


def delete_by_pks(model: type[models.Model], pks: list) -> int:
    """One bulk ``DELETE`` of these rows (their dependants are already gone)."""
    if not pks:
        return 0
    if connection.vendor != "postgresql":
        return model._base_manager.filter(pk__in=pks)._raw_delete(connection.alias)
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column or model._meta.pk.attname)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} = ANY(%s)", [pks])  # noqa: S608  # nosec B608 - identifiers from model metadata, values bound
        return cursor.rowcount
