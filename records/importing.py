"""CSV import of contacts and invoices: validate everything, then save everything or nothing.

Idempotent on natural keys (a contact by normalised e-mail, else VAT number; an invoice by its
number): importing the same file twice changes nothing the second time. An empty cell never
erases what the record already holds. Addresses on the suppression list are not imported back
(an erased or objecting person must not return through an old export; Art. 17, 21(3)).
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from registry import periods

from .models import Contact, Invoice, SuppressionEntry, personal_fields_shown
from .normalise import email_hash, normalise_email, normalise_vat

# Personal columns come from the models' PERSONAL_FIELDS (declared once, issue 13), so a field
# added there is importable at once; the others are what a file carries besides.
CONTACT_OTHER_COLUMNS = (
    "country",
    "first_contact_at",
    "became_customer_on",
    "last_activity_at",
    "marketing_opt_out",
)
INVOICE_OTHER_COLUMNS = (
    "number",
    "customer_email",  # the customer, found by e-mail or VAT number (not stored on the invoice)
    "customer_vat",
    "issue_date",
    "fiscal_year",
    "total_excl_vat",
    "vat_amount",
    "total_incl_vat",
)


def contact_columns() -> tuple[str, ...]:
    return ("kind", *personal_fields_shown(Contact), *CONTACT_OTHER_COLUMNS)


def invoice_columns() -> tuple[str, ...]:
    return (*INVOICE_OTHER_COLUMNS, *personal_fields_shown(Invoice))


KINDS: dict[str, Callable[[], tuple[str, ...]]] = {
    "contacts": contact_columns,
    "invoices": invoice_columns,
}
TRUE = {"1", "true", "yes", "ja", "oui", "y", "j"}
FALSE = {"", "0", "false", "no", "nee", "non", "n"}


@dataclass(frozen=True)
class ImportProblem:
    row: int  # the line in the file (the header is row 1)
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_suppressed: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    saved: bool = False

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row, column, str(message)))


class CellError(ValueError):
    pass


def _datetime(value: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CellError(_("Enter a date and time like 2026-03-01T10:15 or 2026-03-01."))
        parsed = datetime(day.year, day.month, day.day)
    if parsed.tzinfo is None:  # the office's wall clock
        parsed = parsed.replace(tzinfo=periods.BRUSSELS)
    return parsed


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CellError(_("Enter a date like 2026-03-01."))
    return parsed


def _bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise CellError(_("Enter yes or no."))


def _decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation as exc:
        raise CellError(_("Enter an amount like 1234.56.")) from exc


def _int(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise CellError(_("Enter a whole number."))
    return int(value)


CONTACT_PARSERS: dict[str, Callable] = {
    "first_contact_at": _datetime,
    "last_activity_at": _datetime,
    "became_customer_on": _date,
    "marketing_opt_out": _bool,
}
INVOICE_PARSERS: dict[str, Callable] = {
    "issue_date": _date,
    "fiscal_year": _int,
    "total_excl_vat": _decimal,
    "vat_amount": _decimal,
    "total_incl_vat": _decimal,
}


def _field_values(model, instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}


def _apply(report, row_number, instance, row, parsers, columns, skip=()) -> set[str]:
    """Copy the row's non-empty cells onto `instance`; record problems; return bad columns."""
    bad: set[str] = set()
    for column in columns:
        if column in skip:
            continue
        raw = (row.get(column) or "").strip()
        if "\x00" in raw:
            report.problem(row_number, column, _("This cell contains a NUL character."))
            bad.add(column)
            continue
        try:
            value = parsers[column](raw) if column in parsers else raw
        except CellError as exc:
            report.problem(row_number, column, str(exc))
            bad.add(column)
            continue
        if raw != "":  # an empty cell never erases (nor clears an opt-out)
            setattr(instance, column, value)
    return bad


def _full_clean(report, row_number, instance, exclude=()) -> bool:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        for column, messages in exc.message_dict.items():
            for message in messages:
                report.problem(row_number, column, message)
        return False
    return True


def _read(file: TextIO, kind: str, report: ImportReport) -> list[tuple[int, dict]]:
    reader = csv.DictReader(file)
    header = reader.fieldnames or []
    if not header:
        report.problem(1, "", _("The file is empty or has no header row."))
        return []
    for column in header:
        if column not in KINDS[kind]():
            report.problem(1, column, _("Unknown column."))
    rows = [(reader.line_num, row) for row in reader]
    for row_number, row in rows:
        if None in row:
            report.problem(row_number, "", _("This row has more cells than the header."))
    return rows


def records_import_csv(
    *, kind: str, file: TextIO, progress: Callable[[Iterable], Iterable] | None = None
) -> ImportReport:
    """Import a CSV of `kind` ('contacts' or 'invoices'); saved only if every row is valid."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}")
    report = ImportReport(kind=kind)
    rows = _read(file, kind, report)
    report.rows = len(rows)
    progress = progress or (lambda items: items)
    planner = _plan_contacts if kind == "contacts" else _plan_invoices
    plan = planner(rows, report, progress)
    if report.problems:
        return report
    with transaction.atomic():
        for instance, created in plan:
            instance.save()
            if created:
                report.created += 1
            else:
                report.updated += 1
        if kind == "invoices":
            _mark_customers([instance for instance, _created in plan])
    report.saved = True
    return report


def _plan_contacts(rows, report, progress):
    emails = {normalise_email(row.get("email")) for _n, row in rows} - {""}
    vats = set()
    for _n, row in rows:
        try:
            vats.add(normalise_vat(row.get("vat_number")))
        except ValidationError:
            continue
    vats.discard("")
    by_email = {c.email_normalised: c for c in Contact.objects.filter(email_normalised__in=emails)}
    by_vat = {c.vat_number: c for c in Contact.objects.filter(vat_number__in=vats)}
    suppressed = set(
        SuppressionEntry.objects.filter(email_hash__in=[email_hash(e) for e in emails]).values_list(
            "email_hash", flat=True
        )
    )
    columns = contact_columns()
    seen: dict[str, int] = {}
    plan = []
    for row_number, row in progress(rows):
        email = normalise_email(row.get("email"))
        if email and email_hash(email) in suppressed:
            report.skipped_suppressed += 1
            continue
        try:
            vat = normalise_vat(row.get("vat_number"))
        except ValidationError:
            vat = ""
        key = f"email:{email}" if email else f"vat:{vat}" if vat else ""
        if not key and not (row.get("vat_number") or "").strip():
            report.problem(row_number, "email", _("Each contact needs an e-mail or a VAT number."))
            continue
        if key and key in seen:
            report.problem(
                row_number,
                "email" if email else "vat_number",
                _("Same contact as row %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = row_number
        existing = by_email.get(email) if email else by_vat.get(vat)
        contact = existing or Contact()
        before = _field_values(Contact, contact) if existing else None
        bad = _apply(report, row_number, contact, row, CONTACT_PARSERS, columns)
        if not _full_clean(report, row_number, contact, exclude=bad) or bad:
            continue
        if before is not None and _field_values(Contact, contact) == before:
            report.unchanged += 1
            continue
        plan.append((contact, existing is None))
    return plan


def _plan_invoices(rows, report, progress):
    numbers = [(row.get("number") or "").strip() for _n, row in rows]
    existing = {i.number: i for i in Invoice.objects.filter(number__in=numbers)}
    emails = {normalise_email(row.get("customer_email")) for _n, row in rows} - {""}
    customers_by_email = {
        c.email_normalised: c for c in Contact.objects.filter(email_normalised__in=emails)
    }
    vats = set()
    for _n, row in rows:
        try:
            vats.add(normalise_vat(row.get("customer_vat")))
        except ValidationError:
            continue
    customers_by_vat = {c.vat_number: c for c in Contact.objects.filter(vat_number__in=vats)}
    columns = invoice_columns()
    seen: dict[str, int] = {}
    plan = []
    for row_number, row in progress(rows):
        number = (row.get("number") or "").strip()
        if number in seen:
            report.problem(
                row_number, "number", _("Same invoice as row %(row)s.") % {"row": seen[number]}
            )
            continue
        seen[number] = row_number
        customer = _customer(report, row_number, row, customers_by_email, customers_by_vat)
        invoice = existing.get(number) or Invoice()
        before = _field_values(Invoice, invoice) if invoice.pk else None
        bad = _apply(
            report,
            row_number,
            invoice,
            row,
            INVOICE_PARSERS,
            columns,
            skip={"customer_email", "customer_vat"},
        )
        if customer is None:
            continue
        invoice.contact = customer
        if not _full_clean(report, row_number, invoice, exclude=bad) or bad:
            continue
        if invoice.total_excl_vat + invoice.vat_amount != invoice.total_incl_vat:
            report.problem(
                row_number, "total_incl_vat", _("Total excl. VAT plus VAT is not the total.")
            )
            continue
        if before is not None and _field_values(Invoice, invoice) == before:
            report.unchanged += 1
            continue
        plan.append((invoice, before is None))
    return plan


def _customer(report, row_number, row, by_email, by_vat) -> Contact | None:
    email = normalise_email(row.get("customer_email"))
    if email:
        found = by_email.get(email)
        if found is None:
            report.problem(row_number, "customer_email", _("No contact has this e-mail."))
        return found
    try:
        vat = normalise_vat(row.get("customer_vat"))
    except ValidationError as exc:
        report.problem(row_number, "customer_vat", exc.messages[0])
        return None
    if not vat:
        report.problem(row_number, "customer_email", _("Give the customer's e-mail or VAT number."))
        return None
    found = by_vat.get(vat)
    if found is None:
        report.problem(row_number, "customer_vat", _("No contact has this VAT number."))
    return found


def _mark_customers(invoices: list[Invoice]) -> None:
    """An invoiced contact is a customer, from the date of their first invoice."""
    first: dict[int, date] = {}
    for invoice in invoices:
        known = first.get(invoice.contact_id)
        first[invoice.contact_id] = min(known, invoice.issue_date) if known else invoice.issue_date
    for contact in Contact.objects.filter(pk__in=first):
        changed = contact.kind != Contact.Kind.CUSTOMER
        contact.kind = Contact.Kind.CUSTOMER
        if contact.became_customer_on is None or contact.became_customer_on > first[contact.pk]:
            contact.became_customer_on = first[contact.pk]
            changed = True
        if changed:
            contact.save(update_fields=["kind", "became_customer_on"])
