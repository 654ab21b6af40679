"""The record of processing activities (ROPA, GDPR Art. 30) as PDF, XLSX, CSV and JSON.

One function gathers the register (`ropa_data`), live or as it stood at a past instant (from
django-simple-history); every format renders that same structure, so they cannot disagree.
Art. 30(3): the record is kept in writing, electronic form included; 30(4): it is shown to the
GBA/APD on request — that is what these exports are for.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import models as m
from .periods import BRUSSELS, end_of_day

FORMATS = ("pdf", "xlsx", "csv", "json")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


# --- reading the register, now or as of a past instant -------------------------------------


class Snapshot:
    """The register's rows and links, live (when=None) or as they were at `when`."""

    def __init__(self, when: datetime | None = None) -> None:
        self.when = when

    def rows(self, model: type[models.Model]) -> list[models.Model]:
        if self.when is None:
            return list(model.objects.all())
        return list(model.history.as_of(self.when))

    def first(self, model: type[models.Model]) -> models.Model | None:
        rows = sorted(self.rows(model), key=lambda r: r.pk)
        return rows[0] if rows else None

    def linked_ids(self, obj: models.Model, field: str) -> set[int]:
        """Primary keys of the objects `obj` was linked to through many-to-many `field`."""
        target = obj._meta.get_field(field).related_model._meta.model_name
        if self.when is None:
            return set(getattr(obj, field).values_list("pk", flat=True))
        record = (
            type(obj)
            .history.filter(id=obj.pk, history_date__lte=self.when)
            .order_by("-history_date", "-history_id")
            .first()
        )
        if record is None:
            return set()
        return set(getattr(record, field).values_list(f"{target}_id", flat=True))


def as_of_instant(day: date) -> datetime:
    """'--as-of 2025-03-01' means the register at the end of that Brussels day."""
    return end_of_day(day)


def _d(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(BRUSSELS).isoformat(timespec="seconds")
    return value.isoformat()


def _yes_no(value: bool | None) -> str:
    if value is None:
        return _("not assessed")
    return _("yes") if value else _("no")


def _controller(org: m.Organisation | None) -> dict[str, Any]:
    if org is None:
        return {}
    return {
        "legal_name": org.legal_name,
        "kbo_number": org.kbo_display,
        "vat_number": org.vat_number,
        "address": ", ".join(line for line in org.address_lines() if line),
        "country": org.country,
        "email": org.email,
        "phone": org.phone,
        "website": org.website,
        "privacy_contact": " ".join(
            p for p in (org.privacy_contact_name, org.privacy_contact_email) if p
        ),
        "dpo": " ".join(p for p in (org.dpo_name, org.dpo_email) if p),
        "representative": org.representative,
        "joint_controllers": org.joint_controllers,
    }


def _authority(auth: m.SupervisoryAuthority | None) -> dict[str, Any]:
    if auth is None:
        return {}
    return {
        "name": auth.name,
        "address": auth.address,
        "phone": auth.phone,
        "email": auth.email,
        "website": auth.website,
    }


def _recipient(r: m.Recipient) -> dict[str, Any]:
    return {
        "name": r.name,
        "kind": r.get_kind_display(),
        "service": r.service,
        "country": r.country,
        "inside_eea": r.inside_eea,
        "agreement_signed_on": _d(r.agreement_signed_on),
    }


def _measure(s: m.SecurityMeasure) -> dict[str, Any]:
    return {"name": s.name, "kind": s.get_kind_display(), "description": s.description}


def _transfer(t: m.Transfer, recipients: dict[int, m.Recipient]) -> dict[str, Any]:
    recipient = recipients.get(t.recipient_id)
    return {
        "recipient": recipient.name if recipient else "",
        "country": t.country,
        "safeguard": t.get_safeguard_display(),
        "safeguard_details": t.safeguard_details,
        "document": t.document_reference or (t.document.name if t.document else ""),
    }


def _rule(r: m.RetentionRule, categories: dict[int, m.DataCategory]) -> dict[str, Any]:
    category = categories.get(r.data_category_id)
    return {
        "code": r.code,
        "data_category": category.name if category else "",
        "period": r.period_display(),
        "summary": r.summary(),
        "counted_from": r.get_anchor_display(),
        "action": r.get_action_display(),
        "criterion": r.criterion,
        "legal_reference": r.legal_reference,
        "statement_text": r.statement_text,
    }


def _cookie(c: m.Cookie, recipients: dict[int, m.Recipient]) -> dict[str, Any]:
    """A website cookie serving the activity (issue 15: the ROPA lists them under F)."""
    third = recipients.get(c.recipient_id) if c.recipient_id else None
    party = f"{c.get_party_display()}: {third.name}" if third else c.get_party_display()
    return {
        "name": c.name,
        "category": str(m.CookieCategory(c.category).label),
        "party": party,
        "lifetime": c.lifetime_display() or "—",
        "purpose": c.purpose,
    }


def _pick(rows: dict[int, Any], ids: set[int]) -> list[Any]:
    return [rows[i] for i in sorted(ids) if i in rows]


def _activity(a: m.ProcessingActivity, snap: Snapshot, ctx: dict) -> dict[str, Any]:
    subjects = _pick(ctx["subjects"], snap.linked_ids(a, "data_subject_categories"))
    categories = _pick(ctx["categories"], snap.linked_ids(a, "data_categories"))
    recipients = _pick(ctx["recipients"], snap.linked_ids(a, "recipients"))
    measures = _pick(ctx["measures"], snap.linked_ids(a, "security_measures"))
    transfers = [t for t in ctx["transfers"] if t.activity_id == a.pk]
    rules = [r for r in ctx["rules"] if r.activity_id == a.pk and r.is_active]
    return {
        "code": a.code,
        "name": a.name,
        "purpose": a.purpose,
        "role": a.get_role_display(),
        "status": a.get_status_display(),
        "started_on": _d(a.started_on),
        "ended_on": _d(a.ended_on),
        "legal_basis": a.get_legal_basis_display(),
        "additional_legal_basis": a.get_additional_legal_basis_display()
        if a.additional_legal_basis
        else "",
        "legal_basis_explanation": a.legal_basis_explanation,
        "legitimate_interest": a.legitimate_interest,
        "special_category_condition": a.get_special_category_condition_display()
        if a.special_category_condition
        else "",
        "consent_record_mechanism": a.consent_record_mechanism,
        "data_subject_categories": [s.name for s in subjects],
        "data_categories": [
            {"name": c.name, "special_category": c.is_special_category} for c in categories
        ],
        "data_source": a.data_source,
        "provision_requirement": a.get_provision_requirement_display(),
        "consequence_of_not_providing": a.consequence_of_not_providing,
        "automated_decision_making": a.get_automated_decision_making_display(),
        "recipients": [_recipient(r) for r in recipients],
        "transfers_outside_eea": _yes_no(a.transfers_outside_eea),
        "transfers": [_transfer(t, ctx["recipients"]) for t in transfers],
        "retention": [_rule(r, ctx["categories"]) for r in rules],
        "security_measures": [_measure(s) for s in measures],
        "cookies": [_cookie(c, ctx["recipients"]) for c in ctx["cookies"] if c.activity_id == a.pk],
        "dpia": m.dpia_state(a.pk),
        "dpia_reference": "",
        "owner": a.owner,
    }


def _client(c: m.ProcessorClient, snap: Snapshot, ctx: dict) -> dict[str, Any]:
    categories = _pick(ctx["processing_categories"], snap.linked_ids(c, "processing_categories"))
    subs = _pick(ctx["recipients"], snap.linked_ids(c, "sub_processors"))
    measures = _pick(ctx["measures"], snap.linked_ids(c, "security_measures"))
    return {
        "name": c.name,
        "kbo_number": m.format_kbo(c.kbo_number),
        "contact": " ".join(p for p in (c.contact_name, c.contact_email) if p),
        "representative": c.representative,
        "services": c.services,
        "processing_categories": [p.name for p in categories],
        "sub_processors": [_recipient(r) for r in subs],
        "transfers_outside_eea": _yes_no(c.transfers_outside_eea),
        "transfers": [
            _transfer(t, ctx["recipients"])
            for t in ctx["transfers"]
            if t.processor_client_id == c.pk
        ],
        "security_measures": [_measure(s) for s in measures],
        "agreement_signed_on": _d(c.agreement_signed_on),
        "agreement": c.agreement_reference
        or (c.agreement_document.name if c.agreement_document else ""),
        "contract_start": _d(c.contract_start),
        "contract_end": _d(c.contract_end),
    }


def ropa_data(*, as_of: datetime | None = None, language: str = "nl") -> dict[str, Any]:
    """The whole register (Art. 30(1) and 30(2)) as plain data, now or as of `as_of`."""
    snap = Snapshot(as_of)
    with translation.override(language):

        def by_pk(model):
            return {r.pk: r for r in snap.rows(model)}

        ctx = {
            "subjects": by_pk(m.DataSubjectCategory),
            "categories": by_pk(m.DataCategory),
            "recipients": by_pk(m.Recipient),
            "measures": by_pk(m.SecurityMeasure),
            "processing_categories": by_pk(m.ProcessingCategory),
            "transfers": sorted(snap.rows(m.Transfer), key=lambda t: t.pk),
            "rules": sorted(snap.rows(m.RetentionRule), key=lambda r: r.code),
            "cookies": sorted(snap.rows(m.Cookie), key=lambda c: c.name),
        }
        activities = [
            a
            for a in snap.rows(m.ProcessingActivity)
            if a.status != m.ProcessingActivity.Status.DRAFT
        ]
        activities.sort(key=lambda a: (a.position, a.code))
        clients = sorted(snap.rows(m.ProcessorClient), key=lambda c: c.name)
        return {
            "title": _("Record of processing activities"),
            "generated_at": _d(timezone.now()),
            "as_of": _d(as_of) if as_of else "",
            "language": language,
            "controller": _controller(snap.first(m.Organisation)),
            "supervisory_authority": _authority(snap.first(m.SupervisoryAuthority)),
            "activities": [_activity(a, snap, ctx) for a in activities],
            "processor_register": [_client(c, snap, ctx) for c in clients],
        }


# --- columns after the GBA/APD model register ----------------------------------------------


def _join(items: list[str]) -> str:
    return "; ".join(i for i in items if i)


def _names(items: list[dict]) -> str:
    return _join([i["name"] for i in items])


def controller_columns() -> list[tuple[str, Any]]:
    """(header, value getter) for the controller register, one row per activity."""
    return [
        (_("Code"), lambda a: a["code"]),
        (_("Processing activity"), lambda a: a["name"]),
        (_("Purposes (Art. 30(1)(b))"), lambda a: a["purpose"]),
        (
            _("Legal basis (Art. 6)"),
            lambda a: _join([a["legal_basis"], a["additional_legal_basis"]]),
        ),
        (_("Legitimate interest"), lambda a: a["legitimate_interest"]),
        (_("Art. 9(2) condition"), lambda a: a["special_category_condition"]),
        (
            _("Categories of data subjects (Art. 30(1)(c))"),
            lambda a: _join(a["data_subject_categories"]),
        ),
        (
            _("Categories of personal data (Art. 30(1)(c))"),
            lambda a: _join(
                [
                    c["name"] + (" (Art. 9)" if c["special_category"] else "")
                    for c in a["data_categories"]
                ]
            ),
        ),
        (_("Source of the data"), lambda a: a["data_source"]),
        (
            _("Categories of recipients (Art. 30(1)(d))"),
            lambda a: _join(
                [
                    f"{r['name']} ({r['kind']}, {r['service']}, {r['country']})"
                    for r in a["recipients"]
                ]
            ),
        ),
        (
            _("Transfers to third countries and safeguards (Art. 30(1)(e))"),
            lambda a: _join(
                [a["transfers_outside_eea"]]
                + [f"{t['recipient']} - {t['country']} - {t['safeguard']}" for t in a["transfers"]]
            ),
        ),
        (
            _("Time limits for erasure (Art. 30(1)(f))"),
            lambda a: _join(
                [
                    f"{r['data_category'] or r['code']}: {r['summary']} ({r['action']})"
                    + (f" - {r['criterion']}" if r["criterion"] else "")
                    for r in a["retention"]
                ]
            ),
        ),
        (
            _("Technical and organisational security measures (Art. 30(1)(g))"),
            lambda a: _names(a["security_measures"]),
        ),
        (
            capfirst(_("cookies (website)")),
            lambda a: _join(
                [
                    f"{c['name']} ({c['category']}, {c['party']}, {_('lifetime')}: {c['lifetime']})"
                    for c in a["cookies"]
                ]
            ),
        ),
        (_("Automated decision-making"), lambda a: a["automated_decision_making"]),
        (_("DPIA"), lambda a: _join([a["dpia"], a["dpia_reference"]])),
        (_("Status"), lambda a: a["status"]),
        (_("Start"), lambda a: a["started_on"]),
        (_("End"), lambda a: a["ended_on"]),
        (_("Owner"), lambda a: a["owner"]),
    ]


def processor_columns() -> list[tuple[str, Any]]:
    """(header, value getter) for the processor register (Art. 30(2)), one row per client."""
    return [
        (_("Controller we process for (Art. 30(2)(a))"), lambda c: c["name"]),
        (_("Company number"), lambda c: c["kbo_number"]),
        (_("Contact"), lambda c: c["contact"]),
        (_("Representative / DPO"), lambda c: c["representative"]),
        (
            _("Categories of processing (Art. 30(2)(b))"),
            lambda c: _join(c["processing_categories"]),
        ),
        (_("Services"), lambda c: c["services"]),
        (_("Sub-processors"), lambda c: _names(c["sub_processors"])),
        (
            _("Transfers to third countries and safeguards (Art. 30(2)(c))"),
            lambda c: _join(
                [c["transfers_outside_eea"]]
                + [f"{t['recipient']} - {t['country']} - {t['safeguard']}" for t in c["transfers"]]
            ),
        ),
        (_("Security measures (Art. 30(2)(d))"), lambda c: _names(c["security_measures"])),
        (_("Agreement signed on"), lambda c: c["agreement_signed_on"]),
        (_("Agreement"), lambda c: c["agreement"]),
        (_("Contract start"), lambda c: c["contract_start"]),
        (_("Contract end"), lambda c: c["contract_end"]),
    ]


def controller_lines(data: dict) -> list[tuple[str, str]]:
    """The controller block (Art. 30(1)(a)) as label/value pairs."""
    c = data["controller"]
    return [
        (_("Controller (Art. 30(1)(a))"), c.get("legal_name", "")),
        (_("Company number"), c.get("kbo_number", "")),
        (_("VAT number"), c.get("vat_number", "")),
        (_("Address"), c.get("address", "")),
        (_("E-mail"), c.get("email", "")),
        (_("Phone"), c.get("phone", "")),
        (_("Website"), c.get("website", "")),
        (_("Privacy contact"), c.get("privacy_contact", "")),
        (_("Data protection officer"), c.get("dpo", "") or _("none designated")),
        (_("Representative"), c.get("representative", "") or _("not applicable")),
        (_("Joint controllers"), c.get("joint_controllers", "") or _("none")),
        (_("Supervisory authority"), data["supervisory_authority"].get("name", "")),
        (_("Register as of"), data["as_of"] or data["generated_at"]),
    ]


def processor_lines(data: dict) -> list[tuple[str, str]]:
    """The processor block (Art. 30(2)(a)): C-DOT acts here as processor; each client row
    below names the controller it acts for."""
    c = data["controller"]
    return [
        (_("Processor (Art. 30(2)(a))"), c.get("legal_name", "")),
        (_("Company number"), c.get("kbo_number", "")),
        (_("Address"), c.get("address", "")),
        (_("E-mail"), c.get("email", "")),
        (_("Phone"), c.get("phone", "")),
        (_("Privacy contact"), c.get("privacy_contact", "")),
        (_("Data protection officer"), c.get("dpo", "") or _("none designated")),
        (_("Representative"), c.get("representative", "") or _("not applicable")),
        (_("Supervisory authority"), data["supervisory_authority"].get("name", "")),
        (_("Register as of"), data["as_of"] or data["generated_at"]),
    ]


# --- dates as people read them ---------------------------------------------------------------

# The data's dates are ISO 8601 (JSON and CSV keep them so: data for machines and spreadsheets);
# the PDF and the XLSX are read by people, in the export's language ("5 december 2026").
_DATE_KEYS = {
    "activities": ("started_on", "ended_on"),
    "processor_register": ("agreement_signed_on", "contract_start", "contract_end"),
}


def human_date(value: str) -> str:
    """'2026-12-05' -> '5 december 2026' in the active language; a date-time keeps its
    Brussels time ('5 december 2026 14:03'); '' stays ''."""
    if not value:
        return ""
    if "T" in value:
        moment = datetime.fromisoformat(value).astimezone(BRUSSELS)
        return formats.date_format(moment, "j F Y H:i")
    return formats.date_format(date.fromisoformat(value), "j F Y")


def for_people(data: dict) -> dict:
    """A copy of `data` with its dates in the active language (call inside the override)."""
    shown = {**data, "generated_at": human_date(data["generated_at"])}
    shown["as_of"] = human_date(data["as_of"][:10])  # the end of that Brussels day: its date
    for group in ("activities", "processor_register"):
        shown[group] = [
            {**row, **{key: human_date(row[key]) for key in _DATE_KEYS[group]}}
            for row in data[group]
        ]
    return shown


# --- renderers -------------------------------------------------------------------------------


def render_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def render_csv(data: dict) -> bytes:
    """One CSV: the controller register rows, then the processor register rows."""
    with translation.override(data["language"]):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([data["title"]])
        for label, value in controller_lines(data):
            writer.writerow([label, value])
        writer.writerow([])
        cols = controller_columns()
        writer.writerow([_("Register"), *(h for h, _g in cols)])
        for a in data["activities"]:
            writer.writerow([_("controller"), *(g(a) for _h, g in cols)])
        writer.writerow([])
        for label, value in processor_lines(data):
            writer.writerow([label, value])
        writer.writerow([])
        pcols = processor_columns()
        writer.writerow([_("Register"), *(h for h, _g in pcols)])
        for c in data["processor_register"]:
            writer.writerow([_("processor"), *(g(c) for _h, g in pcols)])
        return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 correctly


def render_xlsx(data: dict) -> bytes:
    """One sheet per register (controller Art. 30(1), processor Art. 30(2))."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    with translation.override(data["language"]):
        data = for_people(data)
        wb = Workbook()
        sheets = [
            (
                wb.active,
                _("Controller"),
                controller_columns(),
                data["activities"],
                controller_lines(data),
            ),
            (
                wb.create_sheet(),
                _("Processor"),
                processor_columns(),
                data["processor_register"],
                processor_lines(data),
            ),
        ]
        bold = Font(bold=True)
        wrap = Alignment(wrap_text=True, vertical="top")
        for ws, title, cols, rows, lines in sheets:
            ws.title = title[:31]
            ws.append([data["title"]])
            ws["A1"].font = Font(bold=True, size=14)
            for label, value in lines:
                ws.append([label, value])
            ws.append([])
            header_row = ws.max_row + 1
            ws.append([h for h, _g in cols])
            for cell in ws[header_row]:
                cell.font = bold
                cell.alignment = wrap
            for row in rows:
                ws.append([g(row) for _h, g in cols])
            for i in range(1, len(cols) + 1):
                ws.column_dimensions[get_column_letter(i)].width = 12 if i == 1 else 40
            for row in ws.iter_rows(min_row=header_row + 1):
                for cell in row:
                    cell.alignment = wrap
            ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def render_html(data: dict) -> str:
    with translation.override(data["language"]):
        data = for_people(data)
        return render_to_string(
            "registry/ropa.html",
            {
                "ropa": data,
                "controller_lines": controller_lines(data),
                "processor_lines": processor_lines(data),
            },
        )


def render_pdf(data: dict) -> bytes:
    """A4, dated, paginated, the controller in the running header, one section per activity."""
    from weasyprint import HTML  # imported here: loading Pango is slow

    return HTML(string=render_html(data)).write_pdf()


RENDERERS = {"pdf": render_pdf, "xlsx": render_xlsx, "csv": render_csv, "json": render_json}


def ropa_export(*, fmt: str, as_of: datetime | None = None, language: str = "nl") -> bytes:
    """The ROPA in one format ('pdf', 'xlsx', 'csv', 'json'), now or as of `as_of`."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return RENDERERS[fmt](ropa_data(as_of=as_of, language=language))


def ropa_filename(*, fmt: str, as_of: datetime | None = None) -> str:
    day = timezone.localdate(as_of)  # None: today
    return f"ropa-{day.isoformat()}.{fmt}"
