"""Admin of the breach register: the 72-hour clock in the list, history, PDF for the GBA/APD."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from records.admin import ErasingDeleteMixin

from .models import Breach, BreachAuthorityUpdate, BreachClientNotification
from .report import breach_report_pdf


def countdown(delta) -> str:
    """'41 h left', '2 d 5 h overdue' — whole hours, the precision a 72-hour clock needs."""
    hours = int(abs(delta.total_seconds()) // 3600)
    text = f"{hours // 24} d {hours % 24} h" if hours >= 48 else f"{hours} h"
    return (
        _("%(t)s left") % {"t": text}
        if delta.total_seconds() > 0
        else _("%(t)s overdue") % {"t": text}
    )


class ClientNoticeInline(admin.TabularInline):
    """Art. 33(2): the client controllers whose data are affected, and when each was told."""

    model = BreachClientNotification
    extra = 1  # one empty row: works without JavaScript
    fields = ("client", "clock", "notified_at", "channel", "note")
    readonly_fields = ("clock",)

    @admin.display(description=_("clock"))
    def clock(self, obj: BreachClientNotification) -> str:
        if not obj.pk:
            return "—"
        if obj.notified_at:
            return _("notified")
        local = timezone.localtime(obj.deadline)
        return f"{local:%d-%m-%Y %H:%M} · {countdown(obj.time_left(timezone.now()))}"


class AuthorityUpdateInline(admin.TabularInline):
    """Art. 33(4): information given to the GBA/APD in phases, as a dated timeline."""

    model = BreachAuthorityUpdate
    extra = 0
    fields = ("sent_at", "reference", "content")


@admin.register(Breach)
class BreachAdmin(ErasingDeleteMixin, SimpleHistoryAdmin):  # deletes through records_delete
    list_display = (
        "reference_display",
        "title",
        "discovered_at",
        "clock",
        "risk",
        "subjects_display",
        "closed_at",
    )
    list_filter = ("risk", ("closed_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "facts")
    date_hierarchy = "discovered_at"
    filter_horizontal = ("activities", "data_categories", "subject_categories")
    inlines = (ClientNoticeInline, AuthorityUpdateInline)
    readonly_fields = ("reference_display", "deadline_display", "reported_by", "pdf_link")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference_display",
                    "title",
                    "discovered_at",
                    "deadline_display",
                    "occurred_at",
                    "type_confidentiality",
                    "type_integrity",
                    "type_availability",
                    "cause",
                    "facts",
                )
            },
        ),
        (
            _("What was affected (Art. 33(3)(a))"),
            {
                "fields": (
                    "activities",
                    "data_categories",
                    "data_categories_note",
                    "subject_categories",
                    "subjects_affected_approx",
                    "records_affected_approx",
                )
            },
        ),
        (_("Consequences and measures"), {"fields": ("risk", "consequences", "measures")}),
        (
            _("GBA/APD (Art. 33)"),
            {
                "fields": (
                    "authority_notified_at",
                    "authority_reference",
                    "late_notification_reason",
                    "authority_not_notified_reason",
                )
            },
        ),
        (
            _("Data subjects (Art. 34)"),
            {
                "fields": (
                    "subjects_informed_at",
                    "subjects_channel",
                    "subjects_message",
                    "subjects_exemption",
                    "subjects_not_informed_reason",
                )
            },
        ),
        (None, {"fields": ("closed_at", "reported_by", "pdf_link")}),
    )

    class Media:
        css = {"all": ["cdot_privacy/staff.css"]}

    @admin.display(description=_("reference"))
    def reference_display(self, obj: Breach) -> str:
        return obj.reference if obj.pk else "—"

    @admin.display(description=_("GBA/APD"))
    def clock(self, obj: Breach) -> str:
        now = timezone.now()
        status = obj.authority_status(now)
        if status == Breach.AuthorityStatus.PENDING:
            return format_html('<span class="clock">{}</span>', countdown(obj.time_left(now)))
        if status == Breach.AuthorityStatus.OVERDUE:
            return format_html(
                '<span class="clock clock-overdue">{}</span>', countdown(obj.time_left(now))
            )
        return Breach.AuthorityStatus(status).label

    @admin.display(description=_("data subjects"))
    def subjects_display(self, obj: Breach) -> str:
        return Breach.SubjectsStatus(obj.subjects_status()).label

    @admin.display(description=_("72-hour deadline"))
    def deadline_display(self, obj: Breach) -> str:
        if not obj.pk:
            return _("72 hours after the discovery")
        local = timezone.localtime(obj.notification_deadline)
        return f"{local:%d-%m-%Y %H:%M} · {self.clock(obj)}"

    @admin.display(description=_("report for the authority"))
    def pdf_link(self, obj: Breach) -> str:
        if not obj.pk:
            return "—"
        url = reverse("admin:breaches_breach_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download PDF"))

    def save_model(self, request, obj, form, change):
        if not change and obj.reported_by_id is None:
            obj.reported_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="breaches_breach_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The report for the GBA/APD; anyone who may view the breach may download it."""
        breach = get_object_or_404(Breach, pk=pk)
        if not self.has_view_permission(request, breach):
            raise PermissionDenied
        response = HttpResponse(breach_report_pdf(breach=breach), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="breach-{breach.reference}.pdf"'
        return response
