"""The register in the staff admin, for a privacy officer rather than a developer.

Every screen says which GDPR article a field answers; the hints of `registry.hints` show on the
page of the object they are about and on one overview page; every change is kept
(django-simple-history: "History" button on each page). The ROPA export is one click away on
the processing activities list.
"""

from __future__ import annotations

import threading
from datetime import date

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from simple_history.admin import SimpleHistoryAdmin

from .hints import Level, findings_for, register_findings
from .models import (
    DataCategory,
    DataSubjectCategory,
    Organisation,
    ProcessingActivity,
    ProcessingCategory,
    ProcessorClient,
    Recipient,
    RetentionRule,
    SecurityMeasure,
    SupervisoryAuthority,
    Transfer,
    normalise_kbo,
    normalise_vat,
)
from .models_dpia import dpia_state
from .ropa import CONTENT_TYPES, FORMATS, as_of_instant, ropa_export, ropa_filename

_list_state = threading.local()

CHECKBOXES = {
    models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    # three languages per text: keep each box short, it grows with its content
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})},
    models.URLField: {"assume_scheme": "https"},
}


def hints_html(findings) -> str:
    if not findings:
        return format_html('<p class="register-ok">{}</p>', _("Nothing missing."))
    return format_html(
        '<ul class="register-hints">{}</ul>',
        format_html_join(
            "",
            "<li><strong>{}</strong> (Art. {}): {}</li>",
            (
                (_("Error") if f.level == Level.ERROR else _("Warning"), f.article, f.message)
                for f in findings
            ),
        ),
    )


class CompanyNumberForm(forms.ModelForm):
    """Accepts '0403.170.701' or 'BE 0403 170 701' as people type them; stores the digits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kbo_number", "vat_number"):
            field = self.fields.get(name)
            if field is None:
                continue
            field.max_length = 20
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]
            field.widget.attrs["maxlength"] = "20"

    def clean_kbo_number(self) -> str:
        return normalise_kbo(self.cleaned_data.get("kbo_number", ""))

    def clean_vat_number(self) -> str:
        return normalise_vat(self.cleaned_data.get("vat_number", ""))


class HintsMixin:
    """Checkboxes for links, and the hints about this object on its page."""

    formfield_overrides = CHECKBOXES

    @admin.display(description=_("What is missing"))
    def register_hints(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "-"
        return hints_html(findings_for(obj))


class DpiaStateMixin:
    """The activity's DPIA state comes from its screening (registry/admin_duties.py)."""

    @admin.display(description=_("DPIA (Art. 35)"))
    def dpia_screening_state(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "-"
        return dpia_state(obj.pk)


class RegisterAdmin(HintsMixin, SimpleHistoryAdmin, TranslationAdmin):
    """Translated fields per language, history kept, hints on the page."""


class SingletonMixin:
    """One row: the list page opens it directly; it cannot be deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        obj = self.model.objects.order_by("pk").first()
        if obj is not None and "_popup" not in request.GET:
            meta = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            )
        return super().changelist_view(request, extra_context)


@admin.register(Organisation)
class OrganisationAdmin(SingletonMixin, HintsMixin, SimpleHistoryAdmin):
    form = CompanyNumberForm
    readonly_fields = ["register_hints"]
    fieldsets = [
        (None, {"fields": ["register_hints"]}),
        (
            _("Who we are (Art. 30(1)(a), 13(1)(a))"),
            {
                "fields": [
                    "legal_name",
                    "legal_form",
                    ("kbo_number", "vat_number"),
                    "street",
                    ("postal_code", "city", "country"),
                    ("email", "phone"),
                    "website",
                ]
            },
        ),
        (
            _("Privacy contact, DPO, representative (Art. 13(1)(b), 27, 37)"),
            {
                "fields": [
                    ("privacy_contact_name", "privacy_contact_email"),
                    ("dpo_name", "dpo_email"),
                    "representative",
                    "joint_controllers",
                ]
            },
        ),
        (
            _("Fiscal year (used by the invoice retention rule)"),
            {"fields": [("fiscal_year_end_day", "fiscal_year_end_month")]},
        ),
        (
            _("Privacy statement"),
            {"fields": ["statement_review_days"]},
        ),
        (_("Internal"), {"fields": ["note"]}),
    ]


@admin.register(SupervisoryAuthority)
class SupervisoryAuthorityAdmin(SingletonMixin, RegisterAdmin):
    fields = ["name", "short_name", "address", "phone", "email", "website"]


class ActivityCountMixin:
    """A column 'used by N activities', from one annotated query."""

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(n_activities=Count("activities", distinct=True))
        )

    @admin.display(description=_("activities"), ordering="n_activities")
    def used_by(self, obj) -> int:
        return obj.n_activities


@admin.register(DataSubjectCategory)
class DataSubjectCategoryAdmin(ActivityCountMixin, RegisterAdmin):
    list_display = ["name", "used_by"]
    search_fields = ["code", "name_nl", "name_fr", "name_en"]
    fields = ["code", "name", "description"]


@admin.register(DataCategory)
class DataCategoryAdmin(ActivityCountMixin, RegisterAdmin):
    list_display = ["name", "is_special_category", "is_criminal_data", "used_by"]
    list_filter = ["is_special_category", "is_criminal_data"]
    search_fields = ["code", "name_nl", "name_fr", "name_en", "description_nl"]
    fields = ["code", "name", "description", "is_special_category", "is_criminal_data"]


class AgreementFilter(admin.SimpleListFilter):
    title = _("processing agreement")
    parameter_name = "agreement"

    def lookups(self, request, model_admin):
        return [("yes", _("recorded")), ("no", _("not recorded"))]

    def queryset(self, request, queryset):
        recorded = (
            ~Q(agreement_signed_on=None) | ~Q(agreement_reference="") | ~Q(agreement_document="")
        )
        if self.value() == "yes":
            return queryset.filter(recorded)
        if self.value() == "no":
            return queryset.exclude(recorded)
        return queryset


@admin.register(Recipient)
class RecipientAdmin(ActivityCountMixin, RegisterAdmin):
    list_display = [
        "name",
        "kind",
        "service",
        "country",
        "inside_eea",
        "agreement",
        "used_by",
    ]
    list_filter = ["kind", "inside_eea", AgreementFilter]
    search_fields = ["code", "name_nl", "name_fr", "name_en", "service_nl", "notes"]
    readonly_fields = ["register_hints"]
    fieldsets = [
        (None, {"fields": ["register_hints", "code", "name", "kind", "service"]}),
        (
            _("Where (Art. 30(1)(d)-(e), 44)"),
            {"fields": [("country", "inside_eea")]},
        ),
        (
            _("Processing agreement (Art. 28(3))"),
            {
                "fields": [
                    "agreement_signed_on",
                    "agreement_document",
                    "agreement_reference",
                    "notes",
                ]
            },
        ),
    ]

    @admin.display(description=_("agreement"), ordering="agreement_signed_on")
    def agreement(self, obj: Recipient) -> str:
        if obj.agreement_signed_on:
            return obj.agreement_signed_on.isoformat()
        if obj.has_agreement:
            return str(_("recorded"))
        return str(_("missing")) if obj.needs_agreement else "-"


@admin.register(SecurityMeasure)
class SecurityMeasureAdmin(ActivityCountMixin, RegisterAdmin):
    list_display = ["name", "kind", "last_reviewed_on", "used_by"]
    list_filter = ["kind"]
    search_fields = ["code", "name_nl", "name_fr", "name_en", "description_nl"]
    fields = ["code", "name", "kind", "description", "last_reviewed_on"]


@admin.register(ProcessingCategory)
class ProcessingCategoryAdmin(RegisterAdmin):
    list_display = ["name", "code"]
    search_fields = ["code", "name_nl", "name_fr", "name_en"]
    fields = ["code", "name", "description"]


class RetentionRuleForm(forms.ModelForm):
    class Meta:
        model = RetentionRule
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.instance.pk and code != self.instance.code:
            # The purge and the records find a rule by its code.
            raise forms.ValidationError(
                _(
                    "The code of a saved rule cannot change: the purge finds the rule by it. "
                    "Make a new rule and deactivate this one instead."
                )
            )
        return code


class RetentionRuleInline(TranslationStackedInline):
    model = RetentionRule
    form = RetentionRuleForm
    formfield_overrides = CHECKBOXES
    extra = 0
    show_change_link = True
    classes = ["collapse"]  # each rule folds open on demand (issue 17: a page half as tall)
    fields = [
        ("code", "is_active"),
        "name",
        ("period_value", "period_unit", "anchor", "action"),
        "data_category",
        "criterion",
        "legal_reference",
        "statement_text",
    ]
    verbose_name_plural = _("Retention rules (Art. 30(1)(f), 13(2)(a))")


class TransferInline(TranslationStackedInline):
    model = Transfer
    formfield_overrides = CHECKBOXES
    fk_name = "activity"
    extra = 0
    classes = ["collapse"]
    fields = [
        ("recipient", "country"),
        "safeguard",
        "safeguard_details",
        ("document", "document_reference"),
    ]
    verbose_name_plural = _("Transfers outside the EEA (Art. 30(1)(e), 44-49)")


class ClientTransferInline(TransferInline):
    fk_name = "processor_client"
    verbose_name_plural = _("Transfers outside the EEA (Art. 30(2)(c))")


class RopaForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("pdf", _("PDF (to print or send to the GBA/APD)")),
            ("xlsx", _("Excel (columns of the GBA/APD model register)")),
            ("csv", "CSV"),
            ("json", "JSON"),
        ],
        initial="pdf",
    )
    as_of = forms.DateField(
        label=_("Register as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today. A past date shows the register as it was then."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="nl")

    def clean_as_of(self) -> date | None:
        day = self.cleaned_data.get("as_of")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Choose today or a date in the past."))
        return day


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(DpiaStateMixin, RegisterAdmin):
    change_list_template = "admin/registry/processingactivity/change_list.html"
    list_display = [
        "code",
        "name",
        "legal_basis",
        "status",
        "retention",
        "recipient_list",
        "hint_count",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "status",
        "legal_basis",
        "role",
        "transfers_outside_eea",
        "data_categories__is_special_category",
        "recipients",
    ]
    search_fields = ["code", "name_nl", "name_fr", "name_en", "purpose_nl", "owner"]
    readonly_fields = ["register_hints", "dpia_screening_state"]
    inlines = [RetentionRuleInline, TransferInline]
    fieldsets = [
        (None, {"fields": ["register_hints", ("code", "status"), "name", "owner"]}),
        (
            _("Purpose and legal basis (Art. 30(1)(b), 6, 13(1)(c)-(d))"),
            {
                "fields": [
                    "purpose",
                    "role",
                    ("legal_basis", "additional_legal_basis"),
                    "legal_basis_explanation",
                    "legitimate_interest",
                    "consent_record_mechanism",
                    "special_category_condition",
                ]
            },
        ),
        (
            _("Whose data, which data (Art. 30(1)(c), 14(2)(f))"),
            {"fields": ["data_subject_categories", "data_categories", "data_source"]},
        ),
        (
            _("Recipients and transfers (Art. 30(1)(d)-(e))"),
            {"fields": ["recipients", "transfers_outside_eea"]},
        ),
        (_("Security (Art. 30(1)(g), 32)"), {"fields": ["security_measures"]}),
        (
            _("What the statement must also say (Art. 13(2)(e)-(f))"),
            {
                "fields": [
                    "provision_requirement",
                    "consequence_of_not_providing",
                    "automated_decision_making",
                    "automated_decision_logic",
                    "monitors_staff_communications",
                ]
            },
        ),
        (
            _("Period, risk and notes (Art. 35)"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("started_on", "ended_on"),
                    "dpia_screening_state",
                    "position",
                    "notes",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("retention_rules", "recipients")

    @admin.display(description=_("kept"))
    def retention(self, obj: ProcessingActivity) -> str:
        rules = [r for r in obj.retention_rules.all() if r.is_active]
        return "; ".join(r.summary() for r in rules) or "-"

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj: ProcessingActivity) -> str:
        return ", ".join(r.name for r in obj.recipients.all()) or "-"

    @admin.display(description=_("what is missing"))
    def hint_count(self, obj: ProcessingActivity) -> str:
        found = [f for f in getattr(_list_state, "findings", []) if f.obj == obj]
        if not found:
            return "-"
        errors = sum(f.level == Level.ERROR for f in found)
        return format_html(
            "{} {}, {} {}",
            errors,
            _("error(s)"),
            len(found) - errors,
            _("warning(s)"),
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # The admin object is shared by all threads: the list's findings live per thread.
        findings = _list_state.findings = register_findings()
        context = {
            "register_errors": sum(f.level == Level.ERROR for f in findings),
            "register_warnings": sum(f.level == Level.WARNING for f in findings),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("ropa/", view(self.ropa_view), name="registry_ropa"),
            path("hints/", view(self.hints_view), name="registry_hints"),
            *super().get_urls(),
        ]

    def ropa_view(self, request: HttpRequest) -> HttpResponse:
        """Export the whole register (Art. 30(4): on request of the GBA/APD)."""
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = RopaForm(request.GET if "format" in request.GET else None)
        if form.is_bound and form.is_valid():
            fmt = form.cleaned_data["format"]
            day = form.cleaned_data["as_of"]
            as_of = as_of_instant(day) if day else None
            content = ropa_export(fmt=fmt, as_of=as_of, language=form.cleaned_data["language"])
            response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
            name = ropa_filename(fmt=fmt, as_of=as_of)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export the register (ROPA)"),
            "form": form,
            "formats": FORMATS,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/registry/ropa_export.html", context)

    def hints_view(self, request: HttpRequest) -> HttpResponse:
        """Everything the register still lacks, with a link to the page that fixes it."""
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("What the register still lacks"),
            "findings": register_findings(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/registry/hints.html", context)


@admin.register(RetentionRule)
class RetentionRuleAdmin(RegisterAdmin):
    form = RetentionRuleForm
    list_display = [
        "name",  # the staff read the rule's name; its code is the purge's key (change page)
        "activity",
        "data_category",
        "period",
        "anchor",
        "action",
        "is_active",
        "legal_reference",
    ]
    list_filter = ["is_active", "action", "anchor", "activity"]
    search_fields = ["code", "name_nl", "name_fr", "name_en", "legal_reference"]
    list_select_related = ["activity", "data_category"]
    readonly_fields = ["register_hints"]
    fieldsets = [
        (None, {"fields": ["register_hints", ("code", "is_active"), "name"]}),
        (
            _("What and how long (Art. 5(1)(e), 30(1)(f))"),
            {
                "fields": [
                    "activity",
                    "data_category",
                    ("period_value", "period_unit"),
                    "anchor",
                    "action",
                    "criterion",
                    "legal_reference",
                ]
            },
        ),
        (_("In the privacy statement (Art. 13(2)(a))"), {"fields": ["statement_text"]}),
    ]

    @admin.display(description=_("period"), ordering="period_value")
    def period(self, obj: RetentionRule) -> str:
        return obj.period_display()

    def get_readonly_fields(self, request, obj=None):
        # The purge finds rules by code: once saved, the code stays.
        return [*super().get_readonly_fields(request, obj), *(["code"] if obj else [])]


@admin.register(ProcessorClient)
class ProcessorClientAdmin(HintsMixin, SimpleHistoryAdmin):
    form = CompanyNumberForm
    list_display = ["name", "categories", "agreement_signed_on", "contract_end", "is_running"]
    list_filter = [AgreementFilter, "processing_categories", "contract_end"]
    search_fields = ["name", "kbo_number", "contact_name", "contact_email", "services"]
    inlines = [ClientTransferInline]
    readonly_fields = ["register_hints"]
    fieldsets = [
        (None, {"fields": ["register_hints"]}),
        (
            _("The client (controller) (Art. 30(2)(a))"),
            {
                "fields": [
                    "name",
                    "kbo_number",
                    ("contact_name", "contact_email"),
                    "representative",
                ]
            },
        ),
        (
            _("What we do for them (Art. 30(2)(b)-(d))"),
            {
                "fields": [
                    "services",
                    "processing_categories",
                    "sub_processors",
                    "security_measures",
                    "transfers_outside_eea",
                ]
            },
        ),
        (
            _("Agreement and contract (Art. 28(3))"),
            {
                "fields": [
                    "agreement_signed_on",
                    "agreement_document",
                    "agreement_reference",
                    ("contract_start", "contract_end"),
                    "notes",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("processing_categories")

    @admin.display(description=_("categories of processing"))
    def categories(self, obj: ProcessorClient) -> str:
        return ", ".join(c.name for c in obj.processing_categories.all()) or "-"

    @admin.display(description=_("contract running"), boolean=True)
    def is_running(self, obj: ProcessorClient) -> bool:
        today = timezone.localdate()
        return obj.contract_end is None or obj.contract_end >= today


@admin.register(Transfer)
class TransferAdmin(RegisterAdmin):
    list_display = ["recipient", "country", "safeguard", "activity", "processor_client"]
    list_filter = ["safeguard", "country"]
    search_fields = ["country", "recipient__name_nl", "document_reference"]
    readonly_fields = ["register_hints"]
    fields = [
        "register_hints",
        "activity",
        "processor_client",
        "recipient",
        "country",
        "safeguard",
        "safeguard_details",
        "document",
        "document_reference",
    ]


# The cookie inventory's pages (issue 15) live in their own module, which imports this one.
from . import admin_cookies, admin_duties  # noqa: E402, F401
