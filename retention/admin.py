"""Staff views of the purge: PurgeRuns (read-only), the rules with what they would purge, a dry
run and "run now" per rule, and the review queue of review rules (retention/admin_purge.py).

The purge schedules themselves are django-celery-beat's PeriodicTasks ("cdot: purge …"); the
dashboard shows them as "what runs when" (the beat tables are for superusers).
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registry.models import RetentionRule

from . import admin_purge
from .models import PurgeRun, ReviewDecision


class RuleFilter(admin.SimpleListFilter):
    """Filter by retention rule, listed by name (the code is the purge's key, not a label)."""

    title = _("retention rule")
    parameter_name = "rule_code"

    def lookups(self, request, model_admin):
        return [(rule.code, rule.name or rule.code) for rule in RetentionRule.objects.all()]

    def queryset(self, request, queryset):
        return queryset.filter(rule_code=self.value()) if self.value() else queryset


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin):
    change_list_template = "admin/retention/purgerun/change_list.html"
    list_display = (
        "started_at",
        "rule",
        "kind",
        "status",
        "selected",
        "deleted",
        "skipped_held",
        "remaining_after",
        "started_by",
    )
    list_display_links = ("started_at",)
    list_filter = ("status", "dry_run", "trigger", RuleFilter)
    date_hierarchy = "started_at"
    readonly_fields = [
        "rule",
        *[f.name for f in PurgeRun._meta.fields if f.name not in {"id", "error", "rule_code"}],
        "error_text",
    ]
    exclude = ("error", "rule_code")  # the rule is shown by name
    list_select_related = ("started_by",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a run is started from the rules page (admin_purge.run_view)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the purge log is evidence (Art. 5(2) accountability)

    @admin.display(description=_("retention rule"), ordering="rule_code")
    def rule(self, run: PurgeRun) -> str:
        return run.rule_name

    @admin.display(description=_("kind"), ordering="dry_run")
    def kind(self, run: PurgeRun) -> str:
        # Words, not the red ✖ of a boolean column: a real run is not a failed dry run.
        return _("dry run (nothing changed)") if run.dry_run else _("purge")

    @admin.display(description=_("error"))
    def error_text(self, run: PurgeRun) -> str:
        if not run.error:
            return "—"
        # The technical message is for the developer: shown as such, under a translated label.
        return format_html('<pre class="tech-error" lang="en">{}</pre>', run.error)

    def get_urls(self):
        routes = [
            ("preview/", admin_purge.overview_view, "retention_purgerun_preview"),
            ("rules/<slug:code>/rows/", admin_purge.rows_view, "retention_purgerun_rows"),
            ("rules/<slug:code>/run/", admin_purge.run_view, "retention_purgerun_run"),
            ("rules/<slug:code>/review/", admin_purge.review_view, "retention_purgerun_review"),
        ]
        return [
            path(route, self.admin_site.admin_view(self._bound(function)), name=name)
            for route, function, name in routes
        ] + super().get_urls()

    def _bound(self, function):
        def bound(request: HttpRequest, **kwargs) -> HttpResponse:
            return function(self, request, **kwargs)

        return bound


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(admin.ModelAdmin):
    """The officer's decisions on review rows: evidence, read-only."""

    list_display = ("decided_at", "rule", "record", "decision", "next_review_on", "decided_by")
    list_filter = ("decision", RuleFilter)
    date_hierarchy = "decided_at"
    readonly_fields = [f.name for f in ReviewDecision._meta.fields if f.name != "id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("retention rule"), ordering="rule_code")
    def rule(self, decision: ReviewDecision) -> str:
        rule = RetentionRule.objects.filter(code=decision.rule_code).first()
        return (rule.name or rule.code) if rule else decision.rule_code

    @admin.display(description=_("record"))
    def record(self, decision: ReviewDecision) -> str:
        from django.apps import apps

        try:
            kind = apps.get_model(decision.model_label)._meta.verbose_name
        except LookupError:
            kind = decision.model_label
        return f"{kind} #{decision.object_id}"
