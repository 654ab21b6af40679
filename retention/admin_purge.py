"""Staff pages of the purge (issue 17): per rule what it would purge (masked rows, paginated),
a dry run and "run now" behind a confirmation page, and the review queue of review rules.

The rules page and the confirmation page show each rule's counts as last counted
(RuleBacklog, with the time of the count): counting every rule takes seconds at 300 000
contacts (issue 19). The rows page queries the one rule asked for, one page at a time.

Starting a purge and deciding on a review row are for the privacy officer
(``retention.add_purgerun``); auditors see the counts and the masked rows.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.models import RetentionRule

from .models import PurgeRun, ReviewDecision, RuleBacklog
from .reviews import (
    ReviewRefused,
    mask,
    preview_count,
    preview_rows,
    purge_run_start_by_staff,
    review_queue,
    review_row_delete,
    review_row_keep,
    rule_target,
)
from .targets import file_store_rule_codes

PAGE_SIZE = 25
# The rows page counts exactly up to this many rows and says "more than" beyond: a full count
# of a large rule would take seconds (issue 19); the pages go on as long as rows come.
COUNT_CAP = 1000


def may_purge(request: HttpRequest) -> bool:
    """Only the privacy officer starts a purge or decides on a review row."""
    return request.user.has_perm("retention.add_purgerun")


def rule_how_long(rule: RetentionRule) -> str:
    """'1 jaar na het eerste contact', or the anchor alone for a rule without a fixed period
    ('tot de intrekking van de toestemming'), as the register says it."""
    if rule.period_value == 0:
        return _("until %(anchor)s") % {"anchor": rule.get_anchor_display()}
    return rule.summary()


def overview_rows() -> list[dict]:
    """Every active rule of the register, with its last counts when this system holds its data."""
    last_runs = PurgeRun.objects.latest_per_rule()
    backlogs = RuleBacklog.objects.by_rule()
    rows = []
    for rule in RetentionRule.objects.filter(is_active=True).select_related("activity"):
        rows.append(
            {
                "rule": rule,
                "how_long": rule_how_long(rule),
                "review": rule.action == RetentionRule.Action.REVIEW,
                "here": rule_target(rule) is not None,
                "file_store": rule.code in file_store_rule_codes(),
                "backlog": backlogs.get(rule.code),
                "last_run": last_runs.get(rule.code),
            }
        )
    return rows


def _context(admin, request, title: str, **extra) -> dict:
    return {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "title": title,
        "may_purge": may_purge(request),
        **extra,
    }


def _rule(code: str) -> RetentionRule:
    rule = get_object_or_404(RetentionRule, code=code)
    if rule_target(rule) is None:
        raise Http404(_("This system holds no data of that rule."))
    return rule


def overview_view(admin, request: HttpRequest) -> HttpResponse:
    if not admin.has_view_permission(request):
        raise PermissionDenied
    context = _context(admin, request, _("Retention rules and what they purge"))
    context["rows"] = overview_rows()
    return TemplateResponse(request, "admin/retention/purgerun/preview.html", context)


def rows_view(admin, request: HttpRequest, code: str) -> HttpResponse:
    """The rows the purge of one rule would select now, masked, 25 a page (by record number)."""
    if not admin.has_view_permission(request):
        raise PermissionDenied
    rule = _rule(code)
    now = timezone.now()
    number = _page_number(request.GET.get("p"))
    start = (number - 1) * PAGE_SIZE
    # One row more than the page: whether a next page exists, without counting them all.
    rows = preview_rows(rule=rule, now=now, start=start, stop=start + PAGE_SIZE + 1)
    if number > 1 and not rows:  # past the last page (rows purged meanwhile): the first page
        return HttpResponseRedirect(request.path)
    total = preview_count(rule=rule, now=now, cap=COUNT_CAP)
    context = _context(
        admin,
        request,
        _("What the purge of “%(rule)s” would remove now") % {"rule": rule.name or rule.code},
        rule=rule,
        how_long=rule_how_long(rule),
        rows=rows[:PAGE_SIZE],
        page={
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if len(rows) > PAGE_SIZE else None,
            "count": None if total > COUNT_CAP else -(-total // PAGE_SIZE),
        },
        total=total,
        more_than=COUNT_CAP if total > COUNT_CAP else None,
        now=now,
    )
    return TemplateResponse(request, "admin/retention/purgerun/rows.html", context)


MAX_PAGE = 100_000  # a larger ?p= is read as this page: an OFFSET the database accepts


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def run_view(admin, request: HttpRequest, code: str) -> HttpResponse:
    """GET: the confirmation page; POST: run it (or a dry run), recorded with the officer."""
    if not may_purge(request):
        raise PermissionDenied
    rule = _rule(code)
    dry_run = request.POST.get("dry_run", request.GET.get("dry_run")) == "1"
    if request.method == "POST":
        run = purge_run_start_by_staff(rule_code=rule.code, dry_run=dry_run, user=request.user)
        level = messages.SUCCESS if run.status == PurgeRun.Status.SUCCEEDED else messages.WARNING
        messages.add_message(
            request,
            level,
            _("%(what)s of “%(rule)s”: %(status)s, %(selected)s selected, %(done)s processed.")
            % {
                "what": _("Dry run") if run.dry_run else _("Purge"),
                "rule": rule.name or rule.code,
                "status": run.get_status_display(),
                "selected": run.selected,
                "done": run.deleted,
            },
        )
        return HttpResponseRedirect(reverse("admin:retention_purgerun_change", args=[run.pk]))
    context = _context(
        admin,
        request,
        _("Dry run of “%(rule)s”") % {"rule": rule.name or rule.code}
        if dry_run
        else _("Run the purge of “%(rule)s” now") % {"rule": rule.name or rule.code},
        rule=rule,
        how_long=rule_how_long(rule),
        dry_run=dry_run,
        review=rule.action == RetentionRule.Action.REVIEW,
        backlog=RuleBacklog.objects.filter(rule_code=rule.code).first(),
    )
    return TemplateResponse(request, "admin/retention/purgerun/confirm.html", context)


class KeepForm(forms.Form):
    pk = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    next_review_on = forms.DateField(
        label=gettext_lazy("Next review on"), widget=forms.DateInput(attrs={"type": "date"})
    )


def review_view(admin, request: HttpRequest, code: str) -> HttpResponse:
    """The review queue of one review rule: keep each due row (reason, next review) or delete it."""
    if not admin.has_view_permission(request):
        raise PermissionDenied
    rule = _rule(code)
    if rule.action != RetentionRule.Action.REVIEW:
        raise Http404(_("This rule is applied by the purge, not reviewed."))
    now = timezone.now()
    errors = {}
    if request.method == "POST":
        if not may_purge(request):
            raise PermissionDenied
        done = _decide(request, rule, now, errors)
        if done:
            return HttpResponseRedirect(request.get_full_path())
    queue = review_queue(rule=rule, now=now)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("p"))
    context = _context(
        admin,
        request,
        _("Review queue of “%(rule)s”") % {"rule": rule.name or rule.code},
        rule=rule,
        how_long=rule_how_long(rule),
        rows=[{"pk": row.pk, "label": mask(row)} for row in page],
        page=page,
        errors=errors,
        today=timezone.localdate(now),
        decisions=ReviewDecision.objects.filter(rule_code=rule.code).select_related("decided_by")[
            :10
        ],
    )
    return TemplateResponse(request, "admin/retention/purgerun/review.html", context)


def _decide(request: HttpRequest, rule: RetentionRule, now, errors: dict) -> bool:
    pk = request.POST.get("pk", "")
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("decision") == "delete":
            review_row_delete(rule=rule, pk=pk, reason=reason, user=request.user, now=now)
            messages.success(request, _("Record %(pk)s deleted.") % {"pk": pk})
            return True
        form = KeepForm(request.POST)
        if not form.is_valid():
            errors[pk] = _("Give a reason and a next review date.")
            return False
        review_row_keep(
            rule=rule,
            pk=pk,
            reason=form.cleaned_data["reason"],
            next_review_on=form.cleaned_data["next_review_on"],
            user=request.user,
            now=now,
        )
        messages.success(request, _("Record %(pk)s kept until the next review.") % {"pk": pk})
        return True
    except ReviewRefused as exc:
        errors[pk] = {
            "reason": _("Give a reason and a next review date."),
            "date": _("The next review date must lie in the future."),
            "refused": _("Not deleted: a legal hold or a kept invoice protects this record."),
            "linked": _(
                "Not deleted: records that must still be kept, such as data-subject requests "
                "this account handled, still name it. It can go once they have gone by their "
                "own rules; keep it until then."
            ),
            "gone": _("This record is no longer due for review (decided or deleted meanwhile)."),
        }.get(str(exc), _("This decision could not be taken."))
        return False
