"""Access report (Art. 15) as PDF and portable data (Art. 20) as a JSON + CSV zip, handed out
through a signed, expiring download link (never as an e-mail attachment)."""

import csv
import io
import json
import zipfile
from datetime import datetime

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from records.models import Contact, Invoice, NewsletterSubscription, WebInquiry
from registry.models import Organisation, ProcessingActivity, RetentionRule, SupervisoryAuthority

from .models import AccessPackage, AuditEntry, DataSubjectRequest
from .services import _locked, audit_record
from .services_records import confirmed_pks
from .uploads import random_name, store_private_file

DOWNLOAD_SALT = "requests_app.download"

# What the subject gave us (Art. 20(1): "provided by" the subject), per model.
PROVIDED_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Contact: (
        "first_name", "last_name", "company", "street", "postal_code", "city", "country",
        "phone", "mobile", "email", "vat_number", "kbo_number", "url",
    ),
    WebInquiry: ("name", "email", "phone", "company", "message", "source", "received_at"),
    NewsletterSubscription: ("email", "consent_given_at", "source", "withdrawn_at"),
}  # fmt: skip
# Everything held (Art. 15(3): a copy of the data), per model.
HELD_FIELDS: dict[type[Model], tuple[str, ...]] = {
    **PROVIDED_FIELDS,
    Contact: PROVIDED_FIELDS[Contact]
    + ("kind", "first_contact_at", "became_customer_on", "last_activity_at", "source",
       "marketing_opt_out", "restricted"),
    Invoice: ("number", "issue_date", "fiscal_year", "total_excl_vat", "vat_amount",
              "total_incl_vat", "billing_name", "billing_address", "billing_vat_number"),
    NewsletterSubscription: PROVIDED_FIELDS[NewsletterSubscription]
    + ("consent_text", "statement_version"),
}  # fmt: skip
EXPORT_NAMES = {
    Contact: "contacts",
    WebInquiry: "web_inquiries",
    NewsletterSubscription: "newsletter_subscriptions",
    Invoice: "invoices",
}


def package_token(package: AccessPackage) -> str:
    return signing.dumps({"p": package.pk, "n": package.stored_name[:8]}, salt=DOWNLOAD_SALT)


def package_download_path(package: AccessPackage) -> str:
    with translation.override(package.request.language):
        return reverse("requests:download", args=[package_token(package)])


def package_for_token(token: str, now: datetime) -> AccessPackage | None:
    """The live package a download link points at, or None (bad, expired or deleted)."""
    try:
        payload = signing.loads(token, salt=DOWNLOAD_SALT, max_age=AccessPackage.LIFETIME)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    package = AccessPackage.objects.live(now).filter(pk=payload.get("p")).first()
    if package is None or package.stored_name[:8] != payload.get("n"):
        return None
    return package


def _rows(request: DataSubjectRequest, model: type[Model], fields: tuple[str, ...]) -> list[dict]:
    pks = confirmed_pks(request, model)
    if model is Invoice:  # invoices of the confirmed contacts belong to the subject as well
        rows = Invoice.objects.filter(pk__in=pks) | Invoice.objects.filter(
            contact_id__in=confirmed_pks(request, Contact)
        )
    else:
        rows = model._default_manager.filter(pk__in=pks)
    return list(rows.order_by("pk").values(*fields))


def _labels(model: type[Model], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, str(model._meta.get_field(name).verbose_name)) for name in fields]


def _relevant_activities(request: DataSubjectRequest):
    """The register's activities behind the subject's records (via their retention rules);
    every active controller activity when nothing was found."""
    codes = set()
    kinds = Contact.objects.filter(pk__in=confirmed_pks(request, Contact)).values_list(
        "kind", flat=True
    )
    codes |= {Contact.retention_rule_code_by_kind[kind] for kind in kinds}
    if _rows(request, Invoice, ("pk",)):
        codes.add(Invoice.retention_rule_code)
    for model in (WebInquiry, NewsletterSubscription):
        if confirmed_pks(request, model):
            codes.add(model.retention_rule_code)
    activities = ProcessingActivity.objects.active().filter(role="controller")
    if codes:
        linked = activities.filter(retention_rules__code__in=codes).distinct()
        if linked.exists():
            activities = linked
    return activities.prefetch_related(
        "data_categories", "recipients", "retention_rules", "transfers__recipient"
    ).order_by("position", "code")


def _shown(value):
    """A value as the subject reads it: yes/no for flags, local time for moments."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


def access_report_context(request: DataSubjectRequest) -> dict:
    data = []
    for model in (Contact, Invoice, WebInquiry, NewsletterSubscription):
        fields = HELD_FIELDS[model]
        rows = _rows(request, model, fields)
        if rows:
            data.append(
                {
                    "title": str(model._meta.verbose_name_plural),
                    "labels": _labels(model, fields),
                    "rows": [[_shown(row[name]) for name in fields] for row in rows],
                }
            )
    sources = sorted(
        {row["source"] for row in _rows(request, Contact, ("source",)) if row["source"]}
        | {row["source"] for row in _rows(request, WebInquiry, ("source",))}
    )
    activities = list(_relevant_activities(request))
    return {
        "dsr": request,
        "generated_at": timezone.now(),
        "organisation": Organisation.objects.current(),
        "authority": SupervisoryAuthority.objects.current(),
        "activities": activities,
        "retention_rules": RetentionRule.objects.active().filter(activity__in=activities),
        "data": data,
        "sources": sources,
    }


def access_report_pdf(request: DataSubjectRequest) -> bytes:
    from weasyprint import HTML

    with translation.override(request.language):
        html = render_to_string("requests_app/access_report.html", access_report_context(request))
    return HTML(string=html).write_pdf()


def portability_zip(request: DataSubjectRequest) -> bytes:
    """Art. 20: the data the subject provided, as JSON and as one CSV per kind of record."""
    export = {
        EXPORT_NAMES[model]: _rows(request, model, fields)
        for model, fields in PROVIDED_FIELDS.items()
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps({"reference": request.reference, **export}, cls=DjangoJSONEncoder, indent=2),
        )
        for model, fields in PROVIDED_FIELDS.items():
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(fields))
            writer.writeheader()
            for row in export[EXPORT_NAMES[model]]:
                writer.writerow({key: "" if value is None else value for key, value in row.items()})
            archive.writestr(f"{EXPORT_NAMES[model]}.csv", out.getvalue())
    return buffer.getvalue()


def access_package_create(*, request: DataSubjectRequest, actor, kind: str) -> AccessPackage:
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
            dsr = _locked(request)
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
                request=dsr,
                actor=actor,
                details={"package_id": package.pk, "kind": kind, "bytes": package.size_bytes},
            )
    except BaseException:
        (AccessPackage.directory() / name).unlink(missing_ok=True)
        raise
    return package
