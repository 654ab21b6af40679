"""Consent records for staff: look up a consent ID and print its proof (Art. 7(1)).

Records are append-only: no one adds, changes or deletes them here; the retention purge ends
them under the register's `cookie-consent` rule. The list and the proof write the first choices
still queued in Redis first (consent/services.py): a choice the visitor was just told is recorded
is found at once, not after the next flush.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registry.models import CookieCategory

from .models import BannerVersion, ConsentRecord
from .services import consent_queue_flush_for_reading


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "consent_id",
        "kind",
        "recorded_at",
        "preferences",
        "statistics",
        "marketing",
        "language",
        "origin",
        "proof_link",
    ]
    list_filter = ["kind", "language", "statistics", "marketing", "preferences"]
    search_fields = ["=consent_id"]
    search_help_text = _("Enter the exact consent ID from the visitor's consent cookie.")
    date_hierarchy = "recorded_at"
    list_select_related = ["banner_version"]
    show_full_result_count = False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        consent_queue_flush_for_reading()
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        proof = path(
            "proof/<str:consent_id>/",
            self.admin_site.admin_view(self.proof_view),
            name="consent_consentrecord_proof",
        )
        return [proof, *super().get_urls()]

    @admin.display(description=_("proof"))
    def proof_link(self, obj: ConsentRecord) -> str:
        url = reverse("admin:consent_consentrecord_proof", args=[obj.consent_id])
        return format_html('<a href="{}">{}</a>', url, _("print the proof"))

    def proof_view(self, request: HttpRequest, consent_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        consent_queue_flush_for_reading()
        records = list(
            ConsentRecord.objects.for_consent_id(consent_id).select_related("banner_version")
        )
        if not records:
            raise Http404(_("No consent record with this ID."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Proof of consent"),
            "consent_id": consent_id,
            "rows": [_proof_row(record) for record in records],
        }
        return TemplateResponse(request, "admin/consent/consentrecord/proof.html", context)


def _proof_row(record: ConsentRecord) -> dict:
    texts = record.banner_version.content.get("texts", {}).get(record.language, {})
    shown = {c["key"]: c for c in texts.get("categories", [])}
    return {
        "record": record,
        "ui": texts.get("ui", {}),
        "necessary": texts.get("necessary", []),
        "choices": [
            {
                "label": str(category.label).capitalize(),
                "given": getattr(record, category.value),
                "shown": shown.get(category.value),
            }
            for category in CookieCategory.optional()
            if category.value in shown
        ],
    }


@admin.register(BannerVersion)
class BannerVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["version", "first_served_at", "record_count"]
    fields = ["version", "first_served_at"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(n=Count("records"))

    @admin.display(description=_("consent records"), ordering="n")
    def record_count(self, obj: BannerVersion) -> int:
        return obj.n
