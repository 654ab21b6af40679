"""Staff views of the purge: PurgeRuns (read-only) and what expires in the next 7 / 30 days.

The purge schedules themselves are django-celery-beat's PeriodicTasks ("cdot: purge …"),
listed under Periodic tasks in the admin.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import RetentionRule

from .models import PurgeRun
from .services import purge_preview
from .targets import rule_codes


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin):
    change_list_template = "admin/retention/purgerun/change_list.html"
    list_display = (
        "rule_code",
        "status",
        "dry_run",
        "started_at",
        "finished_at",
        "selected",
        "deleted",
        "skipped_held",
        "batches",
        "longest_batch_ms",
        "remaining_after",
    )
    list_filter = ("status", "rule_code", "dry_run", "trigger")
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in PurgeRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the purge log is evidence (Art. 5(2) accountability)

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="retention_purgerun_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """Per rule: expired now, held, and expiring in the next 7 and 30 days (counts only)."""
        now = timezone.now()
        rules = {rule.code: rule for rule in RetentionRule.objects.filter(code__in=rule_codes())}
        last_runs = PurgeRun.objects.latest_per_rule()
        rows = [
            {
                "rule": rules[code],
                "preview": purge_preview(rule_code=code, now=now),
                "last_run": last_runs.get(code),
            }
            for code in rule_codes()
            if code in rules
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("What expires next"),
            "rows": rows,
            "now": now,
        }
        return TemplateResponse(request, "admin/retention/purgerun/preview.html", context)
