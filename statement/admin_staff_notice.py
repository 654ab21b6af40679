"""Staff side of the staff privacy notice (issue 16, purpose G): staff-only, never public.

Privacy officers and auditors (``view_staffnoticeversion``) list the versions and download each
language's PDF; only privacy officers (``publish_staffnoticeversion``) publish a new version,
which is stored only when the register changed what the notice says.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import LANGUAGE_CODES, StaffNoticeVersion, staff_name_display
from .pdfs import version_pdf
from .staff_notice import StaffNoticeIncomplete, staff_notice_publish

PUBLISH_PERMISSION = "statement.publish_staffnoticeversion"


@admin.register(StaffNoticeVersion)
class StaffNoticeVersionAdmin(admin.ModelAdmin):
    list_display = ("label", "published_at", "publisher", "pdfs")
    fields = ("number", "published_at", "publisher", "pdfs")
    readonly_fields = fields
    change_list_template = "admin/statement/staffnoticeversion/change_list.html"

    # Versions are immutable and come from the register: nobody edits one by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .only("number", "published_at", "published_by_name", "content_hash")
        )

    @admin.display(description=_("version"), ordering="number")
    def label(self, obj: StaffNoticeVersion) -> str:
        return str(obj.number)

    @admin.display(description=_("published by (name)"))
    def publisher(self, obj: StaffNoticeVersion) -> str:
        return staff_name_display(obj.published_by_name)

    @admin.display(description=_("PDF"))
    def pdfs(self, obj: StaffNoticeVersion) -> str:
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:statement_staffnoticeversion_pdf", args=[obj.pk, lang]), lang)
                for lang in LANGUAGE_CODES
            ),
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm(PUBLISH_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "publish/",
                self.admin_site.admin_view(self.publish_view),
                name="statement_staffnoticeversion_publish",
            ),
            path(
                "<int:pk>/pdf/<str:language>/",
                self.admin_site.admin_view(self.pdf_view),
                name="statement_staffnoticeversion_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int, language: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if language not in LANGUAGE_CODES:
            raise Http404
        version = get_object_or_404(
            StaffNoticeVersion.objects.only("number", f"pdf_{language}"), pk=pk
        )
        pdf = version_pdf(version=version, language=language)  # rendered now if still missing
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="staff-privacy-notice-v{version.number}-{language}.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._publish)(request)

    def _publish(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        try:
            result = staff_notice_publish(published_by=request.user)
        except StaffNoticeIncomplete:
            messages.error(
                request,
                _(
                    "Nothing published: the register lacks the organisation, the supervisory "
                    "authority or an active activity whose data subjects are employees."
                ),
            )
        else:
            if result.created:
                messages.success(
                    request,
                    _("Version %(n)s of the staff privacy notice is published.")
                    % {"n": result.version.number},
                )
            else:
                messages.info(
                    request,
                    _("The register says the same as version %(n)s: no new version was made.")
                    % {"n": result.version.number},
                )
        return HttpResponseRedirect(reverse("admin:statement_staffnoticeversion_changelist"))
