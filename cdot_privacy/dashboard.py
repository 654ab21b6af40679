"""The staff dashboard on the admin index: "what needs me today" at a glance.

Each section reads one app and shows only what exists: a model that has not been migrated yet
gives a clear "not available yet" instead of an error, and a section the user may not view is
left out. No personal data is shown: requests by reference, purge runs by rule, counts.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp import user_has_device

from breaches.models import Breach

from .charts import stacked_bars
from .models import Heartbeat

logger = logging.getLogger(__name__)
BRUSSELS = ZoneInfo("Europe/Brussels")
EXPIRY_HORIZON_DAYS = 30
CHART_MONTHS = 12
CONSENT_WEEKS = 12
MAX_ROWS = 12


@dataclass
class Section:
    key: str
    title: str
    available: bool = True
    missing: str = ""
    rows: list = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def _model(app_label: str, model_name: str):
    """The model when its app is installed *and* migrated, else None."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    if model._meta.db_table not in _tables():
        return None
    return model


_table_cache: dict[str, set[str]] = {}


def _tables() -> set[str]:
    """Tables of the database, read once per dashboard (see dashboard_sections)."""
    if "tables" not in _table_cache:
        _table_cache["tables"] = set(connection.introspection.table_names())
    return _table_cache["tables"]


def _unavailable(key: str, title: str, what: str) -> Section:
    return Section(key, title, available=False, missing=what)


def _admin_url(name: str, *args) -> str:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""


def _month_starts(now: datetime, count: int) -> list[date]:
    """The first day of each of the last `count` months (Brussels calendar), oldest first."""
    local = timezone.localtime(now, BRUSSELS).date().replace(day=1)
    months = []
    for _index in range(count):
        months.append(local)
        local = (local - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def _month_label(month: date) -> str:
    return date_format(month, "M y")


# --- sections ---------------------------------------------------------------------------------


def requests_section(now: datetime) -> Section:
    """Open, verified requests by effective due date: overdue first, then the nearest deadline."""
    title = _("Open data-subject requests")
    model = _model("requests_app", "DataSubjectRequest")
    if model is None:
        return _unavailable("requests", title, _("the request workflow"))
    today = timezone.localdate(now)
    open_requests = model.objects.open().with_effective_due().select_related("assignee")
    ordered = open_requests.order_by("due_effective", "received_at")
    rows = []
    for dsr in ordered[: MAX_ROWS * 2]:
        days_left = dsr.days_left(today)
        rows.append(
            {
                "reference": dsr.reference,
                "type": dsr.get_type_display(),
                "status": dsr.get_status_display(),
                "due": dsr.effective_due,
                "days_left": days_left,
                "overdue": days_left is not None and days_left < 0,
                "overdue_days": -days_left if days_left is not None and days_left < 0 else 0,
                "soon": days_left is not None and 0 <= days_left <= 7,
                "extended": dsr.extended_until is not None,
                "assignee": dsr.assignee.get_username() if dsr.assignee else "",
                "url": _admin_url("requests_app_datasubjectrequest_change", dsr.pk),
            }
        )
    rows.sort(key=lambda r: (r["days_left"] is None, r["days_left"] or 0))
    total = open_requests.count()
    overdue = open_requests.filter(due_effective__lt=today).count()
    due_soon = open_requests.filter(
        due_effective__gte=today, due_effective__lte=today + timedelta(days=7)
    ).count()
    return Section(
        "requests",
        title,
        rows=rows[:MAX_ROWS],
        data={
            "total": total,
            "overdue": overdue,
            "due_soon": due_soon,
            "unassigned": open_requests.filter(assignee__isnull=True).count(),
            "more": max(total - MAX_ROWS, 0),
            "list_url": _admin_url("requests_app_datasubjectrequest_changelist"),
        },
    )


def webhooks_section(now: datetime) -> Section:
    """Deliveries to processors that failed for good (a withdrawal or objection the newsletter
    or webshop platform never received, Art. 7(3) / 21(3)); retried ones are not listed yet."""
    title = _("Processor notifications that failed")
    model = _model("requests_app", "WebhookDelivery")
    if model is None:
        return _unavailable("webhooks", title, _("the processor webhooks"))
    failed = model.objects.filter(status=model.Status.FAILED)
    rows = [
        {
            "processor": delivery.webhook.name,
            "event": delivery.get_event_display(),
            "reference": delivery.request.reference,
            "url": _admin_url("requests_app_datasubjectrequest_change", delivery.request_id),
            "attempts": delivery.attempts,
            "error": delivery.last_error,
            "at": delivery.created_at,
        }
        for delivery in failed.select_related("webhook", "request").order_by("-created_at")[
            :MAX_ROWS
        ]
    ]
    list_url = _admin_url("requests_app_webhookdelivery_changelist")
    return Section(
        "webhooks",
        title,
        rows=rows,
        data={
            "failed": failed.count(),
            "list_url": f"{list_url}?status__exact={model.Status.FAILED}" if list_url else "",
        },
    )


def purge_section(now: datetime) -> Section:
    """The last real run of every retention rule; a rule never run is listed too."""
    title = _("Last purge per retention rule")
    purge_run = _model("retention", "PurgeRun")
    if purge_run is None:
        return _unavailable("purges", title, _("the retention engine"))
    latest = purge_run.objects.latest_per_rule()
    rule_model = _model("registry", "RetentionRule")
    codes = list(latest)
    rules = {}
    if rule_model is not None:
        rules = {r.code: r for r in rule_model.objects.filter(is_active=True)}
        codes = sorted(set(codes) | set(rules))
    rows = []
    for code in codes:
        run = latest.get(code)
        problem = run is None or run.status == "failed" or bool(run.remaining_after)
        rows.append(
            {
                "code": code,
                "name": _rule_name(rules.get(code), code),
                "period": rules[code].summary() if code in rules else "",
                "run": run,
                "age_hours": None if run is None else (now - run.started_at).total_seconds() / 3600,
                "problem": problem and run is not None,
                "never": run is None,
                "url": _admin_url("retention_purgerun_change", run.pk) if run else "",
            }
        )
    rows.sort(key=lambda r: (not r["problem"], not r["never"], r["code"]))
    return Section(
        "purges",
        title,
        rows=rows,
        data={
            "failed": sum(1 for r in rows if r["problem"]),
            "never": sum(1 for r in rows if r["never"]),
            "list_url": _admin_url("retention_purgerun_changelist"),
        },
    )


def schedule_section(now: datetime) -> Section:
    """What runs when: each enabled beat job in words, its rhythm and next run in Brussels time.

    The schedules themselves (django-celery-beat) are a technical app for superusers; the
    officer reads here what each job does and when, in the staff's language.
    """
    from django_celery_beat.models import PeriodicTask

    from .periodic import NAME_PREFIX

    rows = []
    tasks = PeriodicTask.objects.filter(enabled=True).select_related("crontab", "interval")
    rule_names = _rule_names()
    for task in tasks.exclude(name=f"{NAME_PREFIX}heartbeat"):
        rows.append(
            {
                "key": task.name.removeprefix(NAME_PREFIX),
                "name": _job_label(task, rule_names),
                "when": _job_rhythm(task, now),
                "next_run": _next_run(task, now),
                "last_run": task.last_run_at,
                "url": _admin_url("django_celery_beat_periodictask_change", task.pk),
            }
        )
    rows.sort(key=lambda r: (r["next_run"] is None, r["next_run"] or now))
    beat_age = Heartbeat.age_seconds(now=now)
    return Section(
        "schedule",
        _("What runs when"),
        rows=rows,  # every job: about fifteen, each worth knowing
        data={
            "beat_age_minutes": None if beat_age is None else int(beat_age // 60),
            "beat_stale": beat_age is None or beat_age > 180,
            "paused": PeriodicTask.objects.filter(enabled=False).count(),
        },
    )


# What each beat task does, in the staff's words (the task path is the key, not the name).
JOB_LABELS = {
    "records.email_outbox_flush": gettext_lazy("Send the queued e-mails"),
    "consent.queue_flush": gettext_lazy("Store the queued cookie choices"),
    "records.camera_footage_scan": gettext_lazy("Index new camera footage"),
    "records.camera_footage_orphans_sweep": gettext_lazy("Remove footage files the index missed"),
    "records.idempotency_records_prune": gettext_lazy("Forget stored API answers older than a day"),
    "requests_app.send_deadline_reminders": gettext_lazy("Remind assignees of request deadlines"),
    "requests_app.delete_expired_packages": gettext_lazy("Delete expired access packages"),
    "statement.publish": gettext_lazy("Publish the privacy statement when the register changed"),
    "statement.draft": gettext_lazy("Draft the privacy statement when the register changed"),
    "statement.publish_due": gettext_lazy("Publish statement drafts whose review period ended"),
    "retention.rule_backlogs_refresh": gettext_lazy(
        "Count per retention rule what has expired and what expires soon"
    ),
}


def _rule_names() -> dict[str, str]:
    from registry.models import RetentionRule

    return {rule.code: _rule_name(rule, rule.code) for rule in RetentionRule.objects.all()}


def _rule_name(rule, code: str) -> str:
    """A retention rule as the staff know it: its name in their language, else its code."""
    return (rule.name if rule is not None else "") or code


def _job_label(task, rule_names: dict[str, str]) -> str:
    if task.task == "retention.purge_rule":
        code = json.loads(task.kwargs or "{}").get("rule_code", "")
        return _("Purge: %(rule)s") % {"rule": rule_names.get(code, code)}
    label = JOB_LABELS.get(task.task)
    return str(label) if label else _("Technical job (%(name)s)") % {"name": task.task}


def _job_rhythm(task, now: datetime) -> str:
    """ "every 10 minutes", "every hour at :07", "every day at 03:05" (Brussels time)."""
    if task.interval is not None:
        seconds = task.interval.every * {"days": 86400, "hours": 3600, "minutes": 60}.get(
            task.interval.period, 1
        )
        if seconds % 60:
            return ngettext("every %(n)d second", "every %(n)d seconds", seconds) % {"n": seconds}
        minutes = seconds // 60
        return ngettext("every minute", "every %(n)d minutes", minutes) % {"n": minutes}
    cron = task.crontab
    if cron is None or not cron.minute.isdigit():
        return _("on a custom schedule")
    if cron.hour == "*":
        return _("every hour at :%(minute)02d") % {"minute": int(cron.minute)}
    if not cron.hour.isdigit() or (cron.day_of_week, cron.day_of_month) != ("*", "*"):
        return _("on a custom schedule")
    utc_day = now.astimezone(UTC).date()
    at = datetime(utc_day.year, utc_day.month, utc_day.day, int(cron.hour), int(cron.minute))
    local = timezone.localtime(at.replace(tzinfo=UTC), BRUSSELS)
    return _("every day at %(time)s") % {"time": local.strftime("%H:%M")}


def _next_run(task, now: datetime) -> datetime | None:
    try:
        schedule = task.schedule
        last = task.last_run_at or now
        estimate = now + schedule.remaining_estimate(last)
    except (AttributeError, ValueError, TypeError):  # a one-off or a broken schedule: no estimate
        logger.warning("event=dashboard_next_run_unknown task_id=%s", task.pk)
        return None
    # The estimate lands a fraction of a second before the due minute: show that minute.
    return (estimate + timedelta(seconds=30)).replace(second=0, microsecond=0)


def expiry_section(now: datetime) -> Section:
    """Per rule: rows expired and waiting for the purge, held, and expiring in the next 7 and
    30 days, as the last count found them (retention.RuleBacklog), with the time of that count.

    Counting here would take seconds at 300 000 contacts (issue 19): the purge of each rule and
    an hourly beat task recount; this section reads two small tables, whatever the data size.
    """
    title = _("Records expiring in the next 30 days")
    if _model("retention", "RuleBacklog") is None or _model("records", "Contact") is None:
        return _unavailable("expiry", title, _("the records and the retention engine"))
    from registry.models import RetentionRule
    from retention.models import RuleBacklog
    from retention.targets import rule_codes

    present = {rule.code: rule for rule in RetentionRule.objects.filter(is_active=True)}
    backlogs = RuleBacklog.objects.filter(rule_code__in=list(present)).by_rule()
    rows = [
        _expiry_row(code, present[code], backlogs.get(code))
        for code in rule_codes()
        if code in present
    ]
    counted = [r for r in rows if r["counted"]]
    return Section(
        "expiry",
        title,
        rows=rows,
        data={
            "expired_now": sum(r["expired_now"] for r in counted),
            "within_30_days": sum(r["within_30_days"] for r in counted),
        },
    )


def _expiry_row(code: str, rule, backlog) -> dict:
    row = {"code": code, "name": _rule_name(rule, code), "counted": backlog is not None}
    if backlog is None:  # never counted yet (a new rule before the next hourly count)
        return row
    return {
        **row,
        "expired_now": backlog.expired_now,
        "held_now": backlog.held_now,
        "within_7_days": backlog.within_7_days,
        "within_30_days": backlog.within_30_days,
        "computed_at": timezone.localtime(backlog.computed_at, BRUSSELS),
    }


def statement_section(now: datetime, staff_notice: list | None = None) -> Section:
    """A statement draft awaiting review (statement.dashboard); ``staff_notice``: the staff
    notice's register hints, when the register card has computed them already."""
    from statement.dashboard import statement_dashboard

    if _model("statement", "StatementVersion") is None:  # not migrated yet: nothing to say
        return Section("statement", "", available=False)
    part = statement_dashboard(now, staff_notice=staff_notice)
    return Section("statement", part["title"], rows=part["rows"], data=part["data"])


def restrictions_section(now: datetime) -> Section:
    """Contacts whose restriction (Art. 18) has passed its end: staff lift it (the contact then
    follows its retention rule) or set a new end. Never silently for ever (Art. 5(1)(e))."""
    title = _("Restrictions past their end: decide")
    contact = _model("records", "Contact")
    if contact is None:
        return _unavailable("restrictions", title, _("the records"))
    ended = contact.objects.restriction_ended(now).order_by("restricted_until", "pk")
    rows = [
        {
            "label": f"#{c.pk}",  # no personal data on the dashboard
            "reason": c.get_restriction_reason_display(),
            "until": c.restricted_until,
            "url": _admin_url("records_contact_change", c.pk),
        }
        for c in ended[:MAX_ROWS]
    ]
    return Section("restrictions", title, rows=rows, data={"total": ended.count()})


def register_findings_or_missing() -> tuple[list | None, str]:
    """The register's hints (registry.hints.register_findings), or None and what is missing."""
    try:
        from registry.hints import register_findings
    except ImportError:
        return None, _("the register checks")
    if _model("registry", "ProcessingActivity") is None:
        return None, _("the register")
    return list(register_findings()), ""


def register_section(findings: list | None, missing: str) -> Section:
    """Completeness warnings of the register, as ``register_findings_or_missing`` gave them."""
    title = _("Register hints")
    if findings is None:
        return _unavailable("register", title, missing)
    return Section(
        "register",
        title,
        rows=[_finding(f) for f in findings[:MAX_ROWS]],
        data={"total": len(findings)},
    )


def _finding(finding) -> dict:
    """A finding as level / text / link, whatever shape registry.hints gives it."""
    get = finding.get if isinstance(finding, dict) else lambda k, d=None: getattr(finding, k, d)
    text = get("message") or get("text") or get("title") or str(finding)
    level = str(get("level") or get("severity") or "warning").lower()
    article = get("article") or ""
    return {
        "text": f"{text} ({article})" if article else text,
        "level": level,
        "url": get("url") or get("admin_url") or "",
    }


def breach_section(now: datetime) -> Section:
    """Open breaches, the undecided ones first with the 72-hour clock (Art. 33(1))."""
    rows = []
    for breach in Breach.objects.open().by_urgency().prefetch_related("activities"):
        status = breach.authority_status(now)
        rows.append(
            {
                "breach": breach,
                "status": status,
                "status_label": Breach.AuthorityStatus(status).label,
                "hours_left": breach.time_left(now).total_seconds() / 3600,
                "deadline": breach.notification_deadline,
                "subjects": Breach.SubjectsStatus(breach.subjects_status()).label,
                "url": _admin_url("breaches_breach_change", breach.pk),
            }
        )
    undecided = {Breach.AuthorityStatus.PENDING, Breach.AuthorityStatus.OVERDUE}
    rows.sort(key=lambda r: (r["status"] not in undecided, r["deadline"]))
    return Section(
        "breaches",
        _("Open breaches"),
        rows=rows,
        data={
            "clock_running": sum(1 for r in rows if r["status"] == "pending"),
            "overdue": sum(1 for r in rows if r["status"] == "overdue"),
            "add_url": _admin_url("breaches_breach_add"),
            "list_url": _admin_url("breaches_breach_changelist"),
        },
    )


def client_notices_section(now: datetime) -> Section:
    """Client controllers affected by an open breach and not told yet (breaches.dashboard)."""
    if _model("breaches", "BreachClientNotification") is None:
        return Section("client_notices", "", available=False)
    from breaches.dashboard import client_notices_dashboard

    part = client_notices_dashboard(now)
    return Section("client_notices", part["title"], rows=part["rows"], data=part["data"])


def screenings_section(now: datetime) -> Section:
    """DPIA screenings still open (registry.dashboard_duties)."""
    if _model("registry", "DpiaScreening") is None:
        return Section("screenings", "", available=False)
    from registry.dashboard_duties import screenings_dashboard

    part = screenings_dashboard(now)
    return Section("screenings", part["title"], rows=part["rows"], data=part["data"])


def cameras_section(now: datetime) -> Section:
    """Police declarations of the cameras and their yearly validation."""
    if _model("registry", "Camera") is None:
        return Section("cameras", "", available=False)
    from registry.dashboard_duties import cameras_dashboard

    part = cameras_dashboard(now)
    return Section("cameras", part["title"], rows=part["rows"], data=part["data"])


# --- charts -----------------------------------------------------------------------------------


def requests_chart(now: datetime) -> Section:
    """Verified requests received per month, stacked by type (last 12 months)."""
    title = _("Requests per month by type")
    model = _model("requests_app", "DataSubjectRequest")
    if model is None:
        return _unavailable("requests_chart", title, _("the request workflow"))
    months = _month_starts(now, CHART_MONTHS)
    series = _per_month(
        model.objects.verified(),
        months,
        field="received_at",
        key="type",
        measure=partial(Count, "pk"),
        names=dict(model.Type.choices),
    )
    return _chart_section("requests_chart", title, months, series)


def purge_chart(now: datetime) -> Section:
    """Rows purged per month, stacked by retention rule (real runs only)."""
    title = _("Rows purged per month per rule")
    model = _model("retention", "PurgeRun")
    if model is None:
        return _unavailable("purge_chart", title, _("the retention engine"))
    months = _month_starts(now, CHART_MONTHS)
    series = _per_month(
        model.objects.filter(dry_run=False),
        months,
        field="started_at",
        key="rule_code",
        measure=partial(Sum, "deleted"),
        names=_rule_names(),
    )
    return _chart_section("purge_chart", title, months, series)


def consent_chart(now: datetime) -> Section:
    """Cookie-banner choices per week: accepted and refused, one chart per offered category
    (the first choices still queued in Redis written first)."""
    from consent import selectors
    from consent.services import consent_queue_flush_for_reading

    title = str(selectors.CHART_TITLE)
    if _model("consent", "ConsentRecord") is None:
        return _unavailable("consent_chart", title, str(selectors.CHART_SOURCE))
    consent_queue_flush_for_reading()
    weeks = selectors.week_starts(now, CONSENT_WEEKS)
    totals, categories = selectors.weekly_choices(weeks)
    labels = [date_format(week, "j M") for week in weeks]
    for category in categories:
        category["svg"] = stacked_bars(
            title=category["title"], labels=labels, series=category["series"]
        )
    return Section(
        "consent_chart", title, data={"charts": categories, "labels": labels, "total": sum(totals)}
    )


def _per_month(
    rows: QuerySet, months: list[date], *, field: str, key: str, measure, names: dict
) -> dict[str, list]:
    """Per value of ``key``, ``measure`` of the rows whose ``field`` falls in each month (Brussels
    calendar: from midnight on the 1st), oldest first; only the keys that have rows in the months.

    One query, a filtered aggregate per month: comparing the timestamps with the months' bounds
    costs the database nothing, where truncating each row's timestamp to its month is a Python
    function call per row in SQLite (a year of daily purge runs is thousands of rows).
    """
    following = (months[-1] + timedelta(days=31)).replace(day=1)
    bounds = [datetime.combine(m, datetime.min.time(), tzinfo=BRUSSELS) for m in months]
    bounds.append(datetime.combine(following, datetime.min.time(), tzinfo=BRUSSELS))
    per_month = {
        f"month_{i}": measure(
            filter=Q(**{f"{field}__gte": bounds[i], f"{field}__lt": bounds[i + 1]})
        )
        for i in range(len(months))
    }
    in_window = rows.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[-1]})
    series: dict[str, list[int]] = {}
    for row in in_window.order_by().values(key).annotate(**per_month):
        name = str(names.get(row[key], row[key]))
        values = series.setdefault(name, [0] * len(months))
        for i in range(len(months)):
            values[i] += row[f"month_{i}"] or 0
    return dict(sorted(series.items()))


def _chart_section(key: str, title: str, months: list[date], series: dict) -> Section:
    labels = [_month_label(m) for m in months]
    return Section(
        key,
        title,
        data={
            "svg": stacked_bars(title=title, labels=labels, series=series),
            "labels": labels,
            "series": series,
            "total": sum(sum(values) for values in series.values()),
        },
    )


# --- assembly ---------------------------------------------------------------------------------

# Section → the permission a user needs to see it.
SECTIONS = [
    ("requests", "requests_app.view_datasubjectrequest", requests_section),
    ("webhooks", "requests_app.view_webhookdelivery", webhooks_section),
    ("breaches", "breaches.view_breach", breach_section),
    ("purges", "retention.view_purgerun", purge_section),
    ("expiry", "retention.view_purgerun", expiry_section),
    ("restrictions", "records.view_contact", restrictions_section),
    ("schedule", "retention.view_purgerun", schedule_section),
    ("requests_chart", "requests_app.view_datasubjectrequest", requests_chart),
    ("purge_chart", "retention.view_purgerun", purge_chart),
    ("consent_chart", "consent.view_consentrecord", consent_chart),
    ("statement", "statement.view_statementversion", statement_section),
    ("client_notices", "breaches.view_breachclientnotification", client_notices_section),
    ("screenings", "registry.view_dpiascreening", screenings_section),
    ("cameras", "registry.view_camera", cameras_section),
]


def dashboard_sections(user, now: datetime) -> dict[str, Section]:
    """Every section this user may see, keyed by name."""
    _table_cache.clear()  # a migration may have added tables since the last view
    existing = _existing_permissions()
    shows_register = user.is_superuser or user.has_module_perms("registry")
    findings, missing = register_findings_or_missing() if shows_register else (None, "")
    # The register's hints hold the staff notice's: the statement card takes them from there
    # rather than render the notice a second time.
    extra = {"statement": {"staff_notice": _staff_notice_among(findings)}}
    sections = {}
    for key, permission, build in SECTIONS:
        # A section of an app not migrated yet shows its "not available yet" note to everyone.
        if user.has_perm(permission) or permission not in existing:
            sections[key] = build(now, **extra.get(key, {}))
    if shows_register:
        sections["register"] = register_section(findings, missing)
    return sections


def _staff_notice_among(findings: list | None) -> list | None:
    if findings is None:
        return None
    from statement.hints import staff_notice_among

    return staff_notice_among(findings)


def _existing_permissions() -> set[str]:
    from django.contrib.auth.models import Permission

    labels = {permission.split(".")[0] for _key, permission, _build in SECTIONS}
    rows = Permission.objects.filter(content_type__app_label__in=labels).values_list(
        "content_type__app_label", "codename"
    )
    return {f"{app_label}.{codename}" for app_label, codename in rows}


def today_summary(sections: dict[str, Section]) -> list[dict]:
    """The tiles at the top: each a count that needs someone, with where to look."""
    tiles = []

    def add(key, count, label, severity):
        tiles.append({"key": key, "count": count, "label": label, "severity": severity})

    if (s := sections.get("requests")) and s.available:
        add(
            "requests",
            s.data["overdue"],
            _("requests overdue"),
            "bad" if s.data["overdue"] else "ok",
        )
        add(
            "requests",
            s.data["due_soon"],
            _("requests due within 7 days"),
            "warn" if s.data["due_soon"] else "ok",
        )
    if (s := sections.get("webhooks")) and s.available and s.data["failed"]:
        add("webhooks", s.data["failed"], _("processor notifications failed"), "bad")
    if s := sections.get("breaches"):
        running = s.data["clock_running"] + s.data["overdue"]
        add(
            "breaches",
            running,
            _("breaches awaiting a notification decision"),
            "bad" if running else "ok",
        )
    if (s := sections.get("purges")) and s.available:
        add(
            "purges",
            s.data["failed"],
            _("purge rules failing or leaving rows"),
            "bad" if s.data["failed"] else "ok",
        )
    if (s := sections.get("expiry")) and s.available:
        add(
            "expiry",
            s.data["expired_now"],
            _("expired rows waiting for the purge"),
            "warn" if s.data["expired_now"] else "ok",
        )
    if (s := sections.get("restrictions")) and s.available:
        total = s.data["total"]
        add("restrictions", total, _("restrictions past their end"), "warn" if total else "ok")
    if (s := sections.get("statement")) and s.available:
        drafts = s.data["drafts"]
        add("statement", drafts, s.data["tile_label"], "warn" if drafts else "ok")
    if (s := sections.get("client_notices")) and s.available:
        total, late = s.data["total"], s.data["overdue"]
        severity = "bad" if late else "warn" if total else "ok"
        add("client_notices", total, s.data["tile_label"], severity)
    if (s := sections.get("screenings")) and s.available:
        total = s.data["total"]
        add("screenings", total, s.data["tile_label"], "warn" if total else "ok")
    if (s := sections.get("cameras")) and s.available:
        count, late = s.data["attention"], s.data["late"]
        add("cameras", count, s.data["tile_label"], "bad" if late else "warn" if count else "ok")
    if (s := sections.get("register")) and s.available:
        add("register", s.data["total"], _("register hints"), "warn" if s.data["total"] else "ok")
    return tiles


def dashboard_context(request: HttpRequest) -> dict:
    """Context for templates/admin/index.html."""
    now = timezone.now()
    sections = dashboard_sections(request.user, now)
    return {
        "dashboard": sections,
        "today_tiles": today_summary(sections),
        "dashboard_now": now,
        "otp_enrolled": user_has_device(request.user, confirmed=True),
    }
