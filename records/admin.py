"""Staff admin of the records: search by the same keys a data-subject request uses."""

import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .importing import KINDS, records_import_csv
from .models import (
    ApiAuditEntry,
    ApiKey,
    CameraRecording,
    Contact,
    ErasureReplay,
    Invoice,
    LegalHold,
    NewsletterSubscription,
    ProcessorDataset,
    RestrictionLiftReason,
    RestrictionReason,
    SuppressionEntry,
    WebInquiry,
)
from .normalise import email_hash, normalise_email, normalise_phone
from .services import (
    ContactStateRefused,
    RecordsDeleteRefused,
    contact_restrict,
    contact_restriction_lift,
    legal_hold_release,
    legal_hold_set,
    records_delete,
    records_delete_refusal,
)


class LegalHoldInlineForm(forms.ModelForm):
    release = forms.BooleanField(
        label=_("release"),
        required=False,
        help_text=_("The hold ends now; it stays on record as released."),
    )

    class Meta:
        model = LegalHold
        fields = ("reason", "until")


class LegalHoldInline(GenericTabularInline):
    """Holds are set and released through the services (records.services.legal_hold_set /
    legal_hold_release): a released hold is recorded, never deleted (Art. 5(2))."""

    model = LegalHold
    form = LegalHoldInlineForm
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = ("reason", "until", "set_by", "set_at", "released_at", "release")
    readonly_fields = ("set_by", "set_at", "released_at")


class ErasingDeleteMixin:
    """The delete page and "delete selected" go through records_delete, the one way to delete
    personal data (dependants, holds, files, suppression; issue 13), as an erasure: the rows
    are written to the erasure ledger, so a restored backup cannot bring them back (Art. 17)."""

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):  # type: ignore[misc]
            return False
        return obj is None or not records_delete_refusal(model=type(obj), pk=obj.pk)

    def delete_model(self, request, obj):
        records_delete(model=type(obj), pks=[obj.pk], erasure=True)

    def delete_queryset(self, request, queryset):
        refused = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    records_delete(model=queryset.model, pks=[pk], erasure=True)
            except RecordsDeleteRefused:
                refused += 1
        if refused:
            messages.warning(
                request,
                _(
                    "%(count)s row(s) were kept: a legal hold or an invoice that must be kept "
                    "(Art. 17(3) GDPR)."
                )
                % {"count": refused},
            )


class HoldsAdminMixin(ErasingDeleteMixin):
    """Legal holds through their services; deletion through records_delete (ErasingDeleteMixin)."""

    inlines = [LegalHoldInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not LegalHold:
            return super().save_formset(request, form, formset, change)
        # What the admin's history message reads (formset.save() is not used).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for hold_form in formset.forms:
            if not hold_form.has_changed() and hold_form.instance.pk is None:
                continue
            hold = hold_form.instance
            if hold.pk is None:
                legal_hold_set(
                    record=form.instance,
                    reason=hold_form.cleaned_data["reason"],
                    until=hold_form.cleaned_data.get("until"),
                    set_by=request.user,
                )
            elif hold_form.cleaned_data.get("release"):
                legal_hold_release(hold=hold)
            elif hold_form.has_changed():
                hold.save(update_fields=["reason", "until"])
        return None


class SearchKeysMixin:
    """Search also finds a row by its normalised e-mail, phone or VAT/KBO number."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return results, may_have_duplicates
        extra = self.model._default_manager.none()
        if "@" in term and hasattr(self.model, "email_normalised"):
            extra = queryset.filter(email_normalised=normalise_email(term))
        elif (phone := normalise_phone(term)) and self.model is Contact:
            extra = queryset.filter(phone_e164=phone) | queryset.filter(mobile_e164=phone)
        return results | extra, may_have_duplicates


@admin.display(description=_("e-mail address (normalised)"))
def normalised_email(obj) -> str:
    return obj.email_normalised


@admin.display(description=_("phone (international format)"))
def normalised_phone(obj) -> str:
    return obj.phone_e164


@admin.display(description=_("mobile (international format)"))
def normalised_mobile(obj) -> str:
    return obj.mobile_e164


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"),
        choices=[
            (k, {"contacts": _("contacts"), "invoices": _("invoices")}.get(k, k))
            for k in sorted(KINDS)
        ],
    )
    file = forms.FileField(label=_("CSV file (UTF-8)"))


class RestrictForm(forms.Form):
    """Art. 18(1): restrict processing to storage, for a reason and until an end."""

    reason = forms.ChoiceField(
        label=_("reason for the restriction"),
        choices=[c for c in RestrictionReason.choices if c[0] != RestrictionReason.NOT_RECORDED],
        widget=forms.RadioSelect,
    )
    until = forms.DateField(
        label=_("restricted until"),
        help_text=_("When the reason is expected to end (verification done, claim decided)."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError(
                _("The end must be after today: a restriction lasts while its reason does.")
            )
        return until


class LiftRestrictionForm(forms.Form):
    """Art. 18(3): the person is told before the restriction is lifted."""

    reason = forms.ChoiceField(
        label=_("why the restriction is lifted"),
        choices=RestrictionLiftReason.choices,
        widget=forms.RadioSelect,
    )
    informed = forms.BooleanField(
        label=_("The person has been told that the restriction will be lifted (Art. 18(3) GDPR)."),
    )


def _field_labels(*names: str) -> list[str]:
    """Untranslated field labels for the admin history (translated when it is read)."""
    fields = [Contact._meta.get_field(name) for name in names]
    with translation.override(None):
        return [str(field.verbose_name) for field in fields]  # type: ignore[union-attr]


@admin.register(Contact)
class ContactAdmin(HoldsAdminMixin, SearchKeysMixin, admin.ModelAdmin):
    list_display = ("__str__", "company", "kind", "first_contact_at", "restricted")
    list_filter = ("kind", "restricted", "marketing_opt_out", "source")
    search_fields = ("last_name", "first_name", "company", "vat_number", "kbo_number")
    date_hierarchy = "first_contact_at"
    # A restriction (Art. 18) is set and lifted through its services only (the pages below):
    # ticking a box would skip the reason, the end, the marketing stop and the record.
    readonly_fields = (
        normalised_email,
        normalised_phone,
        normalised_mobile,
        "restricted",
        "restriction_reason",
        "restricted_at",
        "restricted_until",
        "restriction_lifted_at",
        "restriction_lift_reason",
        "created_at",
    )
    change_list_template = "admin/records/contact/change_list.html"
    change_form_template = "admin/records/contact/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["restrict", "lift_restriction"]

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="records_contact_import",
            ),
            path(
                "restrict/",
                self.admin_site.admin_view(self.restrict_view),
                name="records_contact_restrict",
            ),
            path(
                "lift-restriction/",
                self.admin_site.admin_view(self.lift_restriction_view),
                name="records_contact_lift_restriction",
            ),
            *super().get_urls(),
        ]

    # --- Restriction (Art. 18) ----------------------------------------------------------------

    @staticmethod
    def _ids_url(name: str, pks) -> str:
        return f"{reverse(name)}?ids={','.join(str(pk) for pk in pks)}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        contact = self.get_object(request, unquote(object_id))
        if contact is not None and self.has_change_permission(request, contact):
            extra_context = {
                **(extra_context or {}),
                "restrict_url": self._ids_url("admin:records_contact_restrict", [contact.pk]),
                "lift_url": self._ids_url("admin:records_contact_lift_restriction", [contact.pk]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Restrict processing of the selected contacts (Art. 18)"))
    def restrict(self, request, queryset):
        pks = queryset.order_by("pk").values_list("pk", flat=True)
        return HttpResponseRedirect(self._ids_url("admin:records_contact_restrict", pks))

    @admin.action(description=_("Lift the restriction of the selected contacts"))
    def lift_restriction(self, request, queryset):
        pks = list(queryset.filter(restricted=True).order_by("pk").values_list("pk", flat=True))
        if not pks:
            messages.warning(request, _("None of the selected contacts is restricted."))
            return None
        return HttpResponseRedirect(self._ids_url("admin:records_contact_lift_restriction", pks))

    def _selected(self, request):
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()]
        return list(self.get_queryset(request).filter(pk__in=ids).order_by("pk"))

    def restrict_view(self, request):
        """Restrict the selected contacts, or give a restricted one a new end or reason."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        contacts = self._selected(request)
        form = RestrictForm(request.POST or None)
        if request.method == "POST" and contacts and form.is_valid():
            pks = [c.pk for c in contacts]
            try:
                contact_restrict(pks=pks, **form.cleaned_data)
            except ContactStateRefused:
                form.add_error("until", _("The end must be after today."))
            else:
                fields = _field_labels("restricted", "restriction_reason", "restricted_until")
                return self._restriction_done(request, contacts, fields, _("Restricted: %(n)s."))
        return self._restriction_page(request, contacts, form, _("Restrict processing"))

    def lift_restriction_view(self, request):
        """Lift the restriction of the selected restricted contacts through the service."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        contacts = [c for c in self._selected(request) if c.restricted]
        form = LiftRestrictionForm(request.POST or None)
        if request.method == "POST" and contacts and form.is_valid():
            contact_restriction_lift(
                pks=[c.pk for c in contacts], reason=form.cleaned_data["reason"]
            )
            fields = _field_labels("restricted", "restriction_lifted_at", "restriction_lift_reason")
            return self._restriction_done(
                request, contacts, fields, _("Restriction lifted: %(n)s.")
            )
        return self._restriction_page(request, contacts, form, _("Lift the restriction"))

    def _restriction_done(self, request, contacts, fields, message):
        for contact in contacts:  # who and when: the contact's history in the admin
            self.log_change(request, contact, [{"changed": {"fields": fields}}])
        messages.success(request, message % {"n": len(contacts)})
        if len(contacts) == 1:
            return HttpResponseRedirect(
                reverse("admin:records_contact_change", args=[contacts[0].pk])
            )
        return HttpResponseRedirect(reverse("admin:records_contact_changelist"))

    def _restriction_page(self, request, contacts, form, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "contacts": contacts,
            "changelist_url": reverse("admin:records_contact_changelist"),
        }
        return TemplateResponse(request, "admin/records/contact/restriction.html", context)

    def import_view(self, request):
        """Upload a CSV of contacts or invoices; all rows or none, with the report shown."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = io.StringIO(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            else:
                report = records_import_csv(kind=form.cleaned_data["kind"], file=text)
                if report.saved:
                    messages.success(
                        request,
                        _(
                            "Imported: %(created)s created, %(updated)s updated, "
                            "%(unchanged)s unchanged, %(skipped)s suppressed addresses skipped."
                        )
                        % {
                            "created": report.created,
                            "updated": report.updated,
                            "unchanged": report.unchanged,
                            "skipped": report.skipped_suppressed,
                        },
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import contacts or invoices"),
            "form": form,
            "report": report,
            "changelist_url": reverse("admin:records_contact_changelist"),
        }
        return TemplateResponse(request, "admin/records/import.html", context)


@admin.register(Invoice)
class InvoiceAdmin(HoldsAdminMixin, admin.ModelAdmin):
    list_display = ("number", "billing_name", "issue_date", "fiscal_year", "total_incl_vat")
    list_filter = ("fiscal_year",)
    search_fields = ("number", "billing_name", "billing_vat_number")
    date_hierarchy = "issue_date"
    raw_id_fields = ("contact",)


@admin.register(WebInquiry)
class WebInquiryAdmin(HoldsAdminMixin, SearchKeysMixin, admin.ModelAdmin):
    list_display = ("__str__", "name", "source", "received_at", "contact")
    list_filter = ("source",)
    search_fields = ("name", "company")
    date_hierarchy = "received_at"
    raw_id_fields = ("contact",)
    readonly_fields = (normalised_email,)


@admin.register(NewsletterSubscription)
class NewsletterSubscriptionAdmin(HoldsAdminMixin, SearchKeysMixin, admin.ModelAdmin):
    list_display = ("__str__", "source", "statement_version", "consent_given_at", "withdrawn_at")
    list_filter = ("source", "statement_version", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("statement_version",)
    readonly_fields = (normalised_email,)


class SuppressionEntryForm(forms.ModelForm):
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("Only a hash of the address is stored.")
    )

    class Meta:
        model = SuppressionEntry
        fields = ("reason",)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email"):
            digest = email_hash(cleaned["email"])
            if SuppressionEntry.objects.filter(email_hash=digest).exists():
                raise forms.ValidationError(_("This address is already suppressed."))
            self.instance.email_hash = digest
        return cleaned


@admin.register(SuppressionEntry)
class SuppressionEntryAdmin(ErasingDeleteMixin, admin.ModelAdmin):
    form = SuppressionEntryForm
    list_display = ("__str__", "reason", "created_at")
    list_filter = ("reason",)

    def get_search_results(self, request, queryset, search_term):
        if search_term.strip():
            return queryset.filter(email_hash=email_hash(search_term)), False
        return queryset, False

    def has_change_permission(self, request, obj=None):
        return False

    search_fields = ("email_hash",)  # shows the box; the lookup is by hash (above)


@admin.register(CameraRecording)
class CameraRecordingAdmin(HoldsAdminMixin, admin.ModelAdmin):
    list_display = ("file_path", "camera", "recorded_from", "recorded_to", "size_bytes")
    list_filter = ("camera",)
    search_fields = ("file_path",)
    date_hierarchy = "recorded_from"
    readonly_fields = ("camera", "file_path", "recorded_from", "recorded_to", "size_bytes")

    def has_add_permission(self, request):
        return False  # the footage scan indexes files


@admin.register(ProcessorDataset)
class ProcessorDatasetAdmin(HoldsAdminMixin, admin.ModelAdmin):
    list_display = (
        "client",
        "service",
        "location",
        "contract_end",
        "deletion_requested_on",
        "deletion_confirmed_on",
    )
    list_filter = ("service", ("deletion_confirmed_on", admin.EmptyFieldListFilter))
    search_fields = ("client__name", "location")


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    list_display = ("__str__", "set_by", "set_at", "until", "released_at")
    list_filter = (
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("released_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("reason",)
    readonly_fields = ("set_by", "set_at", "released_at")
    actions = ["release_holds"]

    @admin.action(description=_("Release the selected legal holds"))
    def release_holds(self, request, queryset):
        now = timezone.now()
        for hold in queryset.filter(released_at__isnull=True):
            legal_hold_release(hold=hold, now=now)

    def has_delete_permission(self, request, obj=None):
        return False  # a hold is released (and stays on record), never deleted (Art. 5(2))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":  # only models that hold personal data
            from django.contrib.contenttypes.models import ContentType

            personal = [
                ct.pk
                for ct in ContentType.objects.all()
                if hasattr(ct.model_class(), "PERSONAL_FIELDS")
            ]
            kwargs["queryset"] = ContentType.objects.filter(pk__in=personal)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.set_by_id is None:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)


# --- API keys ---------------------------------------------------------------------------------


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The endpoints this key may call."),
    )
    revoked = forms.BooleanField(label=_("Revoked"), required=False)

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "rate_limit_per_minute")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoked"].initial = self.instance.is_revoked
        if not self.instance.pk:
            del self.fields["revoked"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are stored hashed: the key itself is shown once, right after creation."""

    form = ApiKeyForm
    list_display = ("name", "prefix", "scope_list", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")

    def get_fields(self, request, obj=None):
        # A new key has nothing to revoke: the form drops the field, so must the page.
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [f for f in fields if f != "revoked"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes or [])

    def save_model(self, request, obj, form, change):
        if not change:
            key, obj.prefix, obj.key_hash = ApiKey.generate()
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                _(
                    "The new API key is %(key)s — copy it now: it is stored only as a hash and "
                    "will not be shown again."
                )
                % {"key": key},
            )
            return
        revoked = form.cleaned_data.get("revoked")
        if revoked and obj.revoked_at is None:
            obj.revoked_at = timezone.now()
        elif not revoked:
            obj.revoked_at = None
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail points at keys


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: written by the code that acts, read by staff, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiAuditEntry)
class ApiAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "api_key", "endpoint", "record_type", "record_id")
    list_filter = ("endpoint", "api_key")
    date_hierarchy = "created_at"


def _replay_count(key: str, label):
    """One column of ErasureReplay.counts (records/replay.py), 0 when that kind was not counted."""

    def column(obj: ErasureReplay) -> int:
        return int(obj.counts.get(key, 0))

    column.short_description = label  # type: ignore[attr-defined]
    return column


@admin.register(ErasureReplay)
class ErasureReplayAdmin(ReadOnlyAdmin):
    """What `manage.py replay_erasures` did after a restore (docs/OPERATIONS.md, "Restore")."""

    facts = _replay_count("facts", _("ledger lines read"))
    skipped = _replay_count("skipped", _("older than the backup (skipped)"))
    erased = _replay_count("erased", _("rows erased again"))
    minimised = _replay_count("minimised", _("contacts minimised again"))
    withdrawn = _replay_count("withdrawn", _("subscriptions withdrawn again"))
    opted_out = _replay_count("opted_out", _("contacts opted out again"))
    suppressed = _replay_count("suppressed", _("suppression entries put back"))
    refused = _replay_count("refused", _("refused (legal hold)"))
    list_display = (
        "at", "facts", "skipped", "erased", "minimised", "withdrawn", "opted_out", "suppressed",
        "refused",
    )  # fmt: skip
    fields = list_display
    readonly_fields = list_display
    date_hierarchy = "at"
