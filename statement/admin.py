"""Staff side of the privacy statement: drafts to review and publish, versions, comparisons.

A register change makes a draft (``statement.services.statement_draft``). A privacy officer
reads its side-by-side word diff per language and approves it; only users holding
``statement.publish_statementversion`` (the privacy officer role) may publish or ask for a
draft; auditors and staff read, and get 403 on those actions.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .diff import word_diff
from .models import LANGUAGE_CODES, NAME_ENDED, ROLE_INSTEAD_OF_NAME, StatementVersion
from .rendering import statement_change_summary
from .services import DraftGone, statement_draft_publish

PUBLISH_PERMISSION = "statement.publish_statementversion"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def can_publish(request: HttpRequest) -> bool:
    return request.user.has_perm(PUBLISH_PERMISSION)


def _language(request: HttpRequest) -> str:
    language = request.GET.get("language") or (get_language() or "nl")[:2]
    return language if language in LANGUAGE_CODES else LANGUAGE_CODES[0]


def _languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGE_CODES]


@admin.register(StatementVersion)
class StatementVersionAdmin(admin.ModelAdmin):
    list_display = ("label", "status", "published_at", "approved", "changes", "links")
    list_filter = ("status", "trigger", "approval")
    fields = (
        "status",
        "number",
        "drafted_at",
        "publish_after",
        "published_at",
        "trigger",
        "approved",
        "changes",
    )
    readonly_fields = fields
    change_list_template = "admin/statement/statementversion/change_list.html"

    # Versions are immutable and drafts come from the register: nobody edits one by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        fields = (
            "status",
            "number",
            "drafted_at",
            "publish_after",
            "published_at",
            "trigger",
            "approval",
            "approved_by_name",
        )
        return (
            super()
            .get_queryset(request)
            .only(*fields, "change_summary")
            .order_by("-status", "-number")  # the pending draft ("draft" > "published") first
        )

    @admin.display(description=_("version"))
    def label(self, obj: StatementVersion) -> str:
        return str(obj.number) if obj.number else str(_("draft"))

    @admin.display(description=_("approval"))
    def approved(self, obj: StatementVersion) -> str:
        if obj.is_draft:
            return format_html(
                "{} {}",
                _("publishes itself on"),
                _local(obj.publish_after),
            )
        if obj.approval == StatementVersion.Approval.OFFICER:
            if obj.approved_by_name == ROLE_INSTEAD_OF_NAME:
                return format_html("{} ({})", obj.get_approval_display(), NAME_ENDED)
            return format_html("{}: {}", obj.get_approval_display(), obj.approved_by_name)
        return obj.get_approval_display()

    @admin.display(description=_("what changed"))
    def changes(self, obj: StatementVersion) -> str:
        language = (get_language() or "nl")[:2]
        return " ".join(obj.summary(language) or obj.summary("nl"))

    @admin.display(description=_("view"))
    def links(self, obj: StatementVersion) -> str:
        if obj.is_draft:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:statement_statementversion_review", args=[obj.pk]),
                _("review and publish"),
            )
        diff = reverse("admin:statement_statementversion_diff")
        return format_html(
            '<a href="/nl/privacy/versions/{n}/">nl</a> · <a href="/fr/privacy/versions/{n}/">fr'
            '</a> · <a href="/en/privacy/versions/{n}/">en</a> · '
            '<a href="{diff}?new={n}">{label}</a>',
            n=obj.number,
            diff=diff,
            label=_("compare with the previous version"),
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": can_publish(request),
            "pending": StatementVersion.objects.pending_draft(),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "draft/",
                self.admin_site.admin_view(self.draft_view),
                name="statement_statementversion_draft",
            ),
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="statement_statementversion_review",
            ),
            path(
                "diff/",
                self.admin_site.admin_view(self.diff_view),
                name="statement_statementversion_diff",
            ),
            *super().get_urls(),
        ]

    def draft_view(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._draft)(request)

    def _draft(self, request: HttpRequest) -> HttpResponse:
        """Render the register into a draft now (the officer need not wait for the debounce)."""
        if not can_publish(request):
            raise PermissionDenied
        from .tasks import statement_draft_task

        transaction.on_commit(
            lambda: statement_draft_task.delay(trigger=StatementVersion.Trigger.STAFF)
        )
        messages.success(
            request,
            _(
                "A draft is being made from the register; it appears here within a minute, "
                "unless the register says the same as the published statement."
            ),
        )
        return HttpResponseRedirect(reverse("admin:statement_statementversion_changelist"))

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The pending draft against the published version, per language; officers publish."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        draft = get_object_or_404(StatementVersion.objects.drafts(), pk=pk)
        if request.method == "POST":
            return self._publish(request, draft)
        language = _language(request)
        current = StatementVersion.objects.newest_first().first()
        old_body = current.body(language) if current else ""
        summary = statement_change_summary(
            old=current.facts.get(language) if current else None,
            new=draft.facts.get(language, {}),
            language=language,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Review the draft of the privacy statement"),
            "draft": draft,
            "summary": summary,
            "languages": _languages(),
            "language": language,
            "rows": word_diff(old_body, draft.body(language)),
            "caption": _("Published text and draft, side by side"),
            "old_label": (
                _("Published now (version %(n)s)") % {"n": current.number}
                if current
                else _("Nothing published yet")
            ),
            "new_label": _("Draft"),
            "can_publish": can_publish(request),
        }
        return TemplateResponse(request, "admin/statement/statementversion/review.html", context)

    def _publish(self, request: HttpRequest, draft: StatementVersion) -> HttpResponse:
        if not can_publish(request):
            raise PermissionDenied
        try:
            version = statement_draft_publish(
                draft=draft,
                approval=StatementVersion.Approval.OFFICER,
                approved_by=request.user,
            )
        except DraftGone:
            messages.warning(request, _("This draft was published or replaced meanwhile."))
        else:
            messages.success(
                request,
                _("Version %(n)s of the privacy statement is published.") % {"n": version.number},
            )
        return HttpResponseRedirect(reverse("admin:statement_statementversion_changelist"))

    def diff_view(self, request: HttpRequest) -> HttpResponse:
        """Staff compare two published versions (default: the newest with the one before)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        numbers = list(
            StatementVersion.objects.published().order_by("number").values_list("number", flat=True)
        )
        language = _language(request)
        new_number = _int_or(request.GET.get("new"), numbers[-1] if numbers else None)
        earlier = [n for n in numbers if new_number is not None and n < new_number]
        old_number = _int_or(request.GET.get("old"), earlier[-1] if earlier else new_number)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Compare versions of the privacy statement"),
            "numbers": numbers,
            "languages": _languages(),
            "language": language,
            "old_number": old_number,
            "new_number": new_number,
            "rows": [],
            "error": None,
        }
        pair = {
            v.number: v
            for v in StatementVersion.objects.published()
            .filter(number__in=[old_number, new_number])
            .only("number", f"body_{language}", "published_at")
        }
        if old_number not in pair or new_number not in pair:
            context["error"] = _("Choose two published versions.") if numbers else None
        else:
            old, new = pair[old_number], pair[new_number]
            context.update(
                old=old,
                new=new,
                rows=word_diff(old.body(language), new.body(language)),
                caption=_("Two versions side by side"),
                old_label=_("Version %(n)s") % {"n": old.number},
                new_label=_("Version %(n)s") % {"n": new.number},
            )
        return TemplateResponse(request, "admin/statement/statementversion/diff.html", context)


def _local(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""


def _int_or(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value else default
    except ValueError:
        return default


# The staff privacy notice (issue 16) has its own admin module; importing it registers it.
from . import admin_staff_notice  # noqa: E402, F401
