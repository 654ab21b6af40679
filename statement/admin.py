"""Staff side of the privacy statement: the versions (read-only), publish now, diff two versions.

Registered from ``RegistryConfig.ready`` so it stays out of the register's own ``admin.py``.
"""

from __future__ import annotations

import difflib
import re

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import LANGUAGE_CODES, StatementVersion

_BLOCK_END = re.compile(r"</(p|li|h[1-6]|dt|dd|tr|caption|address)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def statement_text_lines(html: str) -> list[str]:
    """The statement's visible text, one block (paragraph, row, list item) per line."""
    text = strip_tags(_BLOCK_END.sub("\n", html))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def statement_diff_table(*, old: StatementVersion, new: StatementVersion, language: str) -> str:
    """A side-by-side diff (difflib) of two versions' text in one language, changes in context."""
    return difflib.HtmlDiff(wrapcolumn=70).make_table(
        statement_text_lines(old.body(language)),
        statement_text_lines(new.body(language)),
        fromdesc=f"v{old.number}",
        todesc=f"v{new.number}",
        context=True,
        numlines=2,
    )


def _enqueue_publish(request: HttpRequest) -> None:
    from .tasks import statement_publish_task

    transaction.on_commit(
        lambda: statement_publish_task.delay(trigger=StatementVersion.Trigger.STAFF)
    )
    messages.success(
        request,
        _(
            "Publishing queued: the statement is rendered from the register within a minute. "
            "A new version appears only if its content changed."
        ),
    )


@admin.register(StatementVersion)
class StatementVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "published_at", "trigger", "changes", "links")
    list_filter = ("trigger",)
    fields = ("number", "published_at", "trigger", "content_hash", "render_seconds", "changes")
    readonly_fields = fields
    actions = ["publish_now"]
    change_list_template = "admin/statement/statementversion/change_list.html"

    # Versions are immutable: nobody adds, edits or deletes one by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        fields = ("number", "published_at", "trigger", "content_hash", "render_seconds")
        return super().get_queryset(request).only(*fields, "change_summary")

    @admin.display(description=_("what changed"))
    def changes(self, obj: StatementVersion) -> str:
        return format_html("{}", " ".join(obj.summary("nl") or obj.summary("en")))

    @admin.display(description=_("view"))
    def links(self, obj: StatementVersion) -> str:
        diff = reverse("admin:statement_statementversion_diff")
        return format_html(
            '<a href="/nl/privacy/versions/{n}/">nl</a> · <a href="/fr/privacy/versions/{n}/">fr'
            '</a> · <a href="/en/privacy/versions/{n}/">en</a> · '
            '<a href="{diff}?new={n}">{label}</a>',
            n=obj.number,
            diff=diff,
            label=_("diff with previous"),
        )

    @admin.action(description=_("Publish the statement now (from the current register)"))
    def publish_now(self, request: HttpRequest, queryset) -> None:
        _enqueue_publish(request)

    def get_urls(self):
        return [
            path(
                "publish/",
                self.admin_site.admin_view(self.publish_view),
                name="statement_statementversion_publish",
            ),
            path(
                "diff/",
                self.admin_site.admin_view(self.diff_view),
                name="statement_statementversion_diff",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._publish)(request)

    def _publish(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        _enqueue_publish(request)
        return HttpResponseRedirect(reverse("admin:statement_statementversion_changelist"))

    def diff_view(self, request: HttpRequest) -> HttpResponse:
        """Staff compare two versions (default: a version with the one before it)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        numbers = list(StatementVersion.objects.order_by("number").values_list("number", flat=True))
        language = request.GET.get("language", "nl")
        if language not in LANGUAGE_CODES:
            language = "nl"
        new_number = _int_or(request.GET.get("new"), numbers[-1] if numbers else None)
        earlier = [n for n in numbers if new_number is not None and n < new_number]
        old_number = _int_or(request.GET.get("old"), earlier[-1] if earlier else new_number)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Compare versions of the privacy statement"),
            "numbers": numbers,
            "languages": LANGUAGE_CODES,
            "language": language,
            "old_number": old_number,
            "new_number": new_number,
            "table": None,
            "error": None,
        }
        pair = {
            v.number: v
            for v in StatementVersion.objects.filter(number__in=[old_number, new_number]).only(
                "number", f"body_{language}", "published_at"
            )
        }
        if old_number not in pair or new_number not in pair:
            context["error"] = _("Choose two published versions.") if numbers else None
        else:
            context["table"] = statement_diff_table(
                old=pair[old_number], new=pair[new_number], language=language
            )
            context["old"], context["new"] = pair[old_number], pair[new_number]
        return TemplateResponse(request, "admin/statement/statementversion/diff.html", context)


def _int_or(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value else default
    except ValueError:
        return default
