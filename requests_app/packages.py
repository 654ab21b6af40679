"""Access report (Art. 15) as PDF and portable data (Art. 20) as a JSON + CSV zip, handed out
through a signed, expiring download link (never as an e-mail attachment)."""

import csv
import io
import json
import zipfile
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from records.models import (
    Contact,
    Invoice,
    NewsletterSubscription,
    WebInquiry,
    personal_fields_shown,
)
from registry.models import Organisation, ProcessingActivity, RetentionRule, SupervisoryAuthority

from .models import AccessPackage, AuditEntry, DataSubjectRequest
from .services import _locked, audit_record
from .services_records import confirmed_pks
from .uploads import random_name, store_private_file

# What the subject gave us (Art. 20(1): "provided by" the subject), per model: the personal
# fields a person enters (the model's PERSONAL_FIELDS, declared once, issue 13) and these.
PROVIDED_BESIDES: dict[type[Model], tuple[str, ...]] = {
    Contact: ("country",),
    WebInquiry: ("source", "received_at"),
    NewsletterSubscription: ("consent_given_at", "source", "withdrawn_at"),
}


def provided_fields(model: type[Model]) -> tuple[str, ...]:
    return (*personal_fields_shown(model), *PROVIDED_BESIDES[model])


def held_fields(model: type[Model]) -> tuple[str, ...]:
    """Art. 15(3): every value held of a record, by construction: first the model's personal
    fields (PERSONAL_FIELDS, declared once on the model), then every other stored field (a
    field added to the model appears without anyone remembering it); not the primary key,
    links to other rows, or the search keys derived from a shown field."""
    personal = personal_fields_shown(model)
    declared = set(model.PERSONAL_FIELDS)  # type: ignore[attr-defined]
    return personal + tuple(
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.is_relation and field.name not in declared
    )


# The register's categories of data subjects each kind of record puts the subject in
# (registry DataSubjectCategory codes, as the seed and the statement name them).
SUBJECT_CATEGORY_BY_CONTACT_KIND = {
    Contact.Kind.CUSTOMER: "customers",
    Contact.Kind.PROSPECT: "prospects",
    Contact.Kind.LOOSE: "loose-contacts",
}
SUBJECT_CATEGORY_BY_MODEL: dict[type[Model], str] = {
    Invoice: "customers",
    WebInquiry: "web-inquirers",
    NewsletterSubscription: "newsletter-subscribers",
}
REQUESTERS = "requesters"  # whoever makes a request is in the register's request handling

EXPORT_NAMES = {
    Contact: "contacts",
    WebInquiry: "web_inquiries",
    NewsletterSubscription: "newsletter_subscriptions",
    Invoice: "invoices",
}


def _records(dsr: DataSubjectRequest, model: type[Model]):
    pks = confirmed_pks(dsr, model)
    if model is Invoice:  # invoices of the confirmed contacts belong to the subject as well
        rows = Invoice.objects.filter(pk__in=pks) | Invoice.objects.filter(
            contact_id__in=confirmed_pks(dsr, Contact)
        )
    else:
        rows = model._default_manager.filter(pk__in=pks)
    return rows.order_by("pk")


def _rows(dsr: DataSubjectRequest, model: type[Model], fields: tuple[str, ...]) -> list[dict]:
    return list(_records(dsr, model).values(*fields))


def _subject_categories(dsr: DataSubjectRequest) -> set[str]:
    codes = {REQUESTERS}
    kinds = Contact.objects.filter(pk__in=confirmed_pks(dsr, Contact)).values_list(
        "kind", flat=True
    )
    codes |= {SUBJECT_CATEGORY_BY_CONTACT_KIND[kind] for kind in kinds}
    for model, code in SUBJECT_CATEGORY_BY_MODEL.items():
        if _records(dsr, model).exists():
            codes.add(code)
    return codes


def _rule_codes(dsr: DataSubjectRequest) -> set[str]:
    kinds = Contact.objects.filter(pk__in=confirmed_pks(dsr, Contact)).values_list(
        "kind", flat=True
    )
    codes = {Contact.retention_rule_code_by_kind[kind] for kind in kinds}
    for model in (Invoice, WebInquiry, NewsletterSubscription):
        if _records(dsr, model).exists():
            codes.add(model.retention_rule_code)
    return codes


def _relevant_activities(dsr: DataSubjectRequest):
    """Every activity of the register whose data the subject appears in: by the categories of
    data subjects the records put them in (a customer is in A's marketing as well as C and D)
    and by the retention rules governing the records; the whole register when nothing was
    found (the subject then learns what we could hold)."""
    activities = ProcessingActivity.objects.active().filter(role="controller")
    found = any(_records(dsr, model).exists() for model in EXPORT_NAMES)
    if found:
        activities = activities.filter(
            Q(data_subject_categories__code__in=_subject_categories(dsr))
            | Q(retention_rules__code__in=_rule_codes(dsr))
        ).distinct()
    return activities.prefetch_related(
        "data_categories", "recipients", "retention_rules", "transfers__recipient"
    ).order_by("position", "code")


def _shown(record: Model, name: str) -> str:
    """A value as the subject reads it: choice labels, yes/no, local time, "—" when empty."""
    field = record._meta.get_field(name)
    value = getattr(record, name)
    if value is None or value == "":
        return "—"
    if getattr(field, "choices", None):
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _record_blocks(dsr: DataSubjectRequest) -> list[dict]:
    """Art. 15(3): per kind of record, each record as label/value rows (values wrap on A4)."""
    blocks = []
    for model in (Contact, Invoice, WebInquiry, NewsletterSubscription):
        fields = held_fields(model)
        labels = [str(model._meta.get_field(name).verbose_name) for name in fields]
        records = [
            [(label, _shown(record, name)) for label, name in zip(labels, fields, strict=True)]
            for record in _records(dsr, model)
        ]
        if records:
            blocks.append({"title": str(model._meta.verbose_name_plural), "records": records})
    return blocks


def _activity_bases(activity: ProcessingActivity) -> list[str]:
    return [str(ProcessingActivity.LegalBasis(basis).label) for basis in activity.legal_bases]


def access_report_context(dsr: DataSubjectRequest) -> dict:
    sources = sorted(
        {row["source"] for row in _rows(dsr, Contact, ("source",)) if row["source"]}
        | {
            str(WebInquiry.Source(row["source"]).label)
            for row in _rows(dsr, WebInquiry, ("source",))
        }
    )
    activities = list(_relevant_activities(dsr))
    for activity in activities:
        activity.bases_shown = _activity_bases(activity)
    transfers = [transfer for activity in activities for transfer in activity.transfers.all()]
    return {
        "dsr": dsr,
        "generated_at": timezone.now(),
        "organisation": Organisation.objects.current(),
        "authority": SupervisoryAuthority.objects.current(),
        "activities": activities,
        "transfers": transfers,  # Art. 15(2): the section appears only when one applies
        "retention_rules": RetentionRule.objects.active().filter(activity__in=activities),
        "data": _record_blocks(dsr),
        "sources": sources,
    }


def access_report_pdf(dsr: DataSubjectRequest) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is slow (not an import cycle)

    with translation.override(dsr.language):
        html = render_to_string("requests_app/access_report.html", access_report_context(dsr))
    return HTML(string=html).write_pdf()


def portability_zip(dsr: DataSubjectRequest) -> bytes:
    """Art. 20: the data the subject provided, as JSON and as one CSV per kind of record."""
    provided = {model: provided_fields(model) for model in PROVIDED_BESIDES}
    export = {
        EXPORT_NAMES[model]: _rows(dsr, model, fields) for model, fields in provided.items()
    }  # Art. 20(1): what the subject provided (Art. 15(3) gives everything, in the PDF)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps({"reference": dsr.reference, **export}, cls=DjangoJSONEncoder, indent=2),
        )
        for model, fields in provided.items():
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(fields))
            writer.writeheader()
            for row in export[EXPORT_NAMES[model]]:
                writer.writerow({key: "" if value is None else value for key, value in row.items()})
            archive.writestr(f"{EXPORT_NAMES[model]}.csv", out.getvalue())
    return buffer.getvalue()


def access_package_create(*, dsr: DataSubjectRequest, actor, kind: str) -> AccessPackage:
    """Build the access report or the portability zip for the confirmed records.

    The file is written inside the transaction and removed again if anything fails.
    """
    extension, content_type = (
        ("pdf", "application/pdf")
        if kind == AccessPackage.Kind.ACCESS_REPORT
        else ("zip", "application/zip")
    )
    name = random_name(extension)
    try:
        with transaction.atomic():
            dsr = _locked(dsr)
            dsr.require_step(
                DataSubjectRequest.Step.ACCESS_REPORT
                if kind == AccessPackage.Kind.ACCESS_REPORT
                else DataSubjectRequest.Step.PORTABILITY
            )
            content = access_report_pdf(dsr) if extension == "pdf" else portability_zip(dsr)
            store_private_file(AccessPackage.directory(), name, content)
            package = AccessPackage.objects.create(
                request=dsr,
                kind=kind,
                stored_name=name,
                filename=f"{dsr.reference}-{kind.replace('_', '-')}.{extension}",
                content_type=content_type,
                size_bytes=len(content),
                expires_at=timezone.now() + AccessPackage.LIFETIME,
            )
            audit_record(
                action=AuditEntry.Action.ACCESS_PACKAGE_CREATED,
                dsr=dsr,
                actor=actor,
                details={"package_id": package.pk, "kind": kind, "bytes": package.size_bytes},
            )
    except BaseException:
        (AccessPackage.directory() / name).unlink(missing_ok=True)
        raise
    return package
