"""Reads for the staff dashboard: cookie choices per category per week."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.models import Cookie, CookieCategory

from .models import ConsentRecord

BRUSSELS = ZoneInfo("Europe/Brussels")
CHART_TITLE = gettext_lazy("Cookie choices per week")
CHART_SOURCE = gettext_lazy("the cookie banner")


def week_starts(now: datetime, count: int) -> list[date]:
    """The Monday of each of the last `count` weeks (Brussels calendar), oldest first."""
    monday = timezone.localtime(now, BRUSSELS).date()
    monday -= timedelta(days=monday.weekday())
    return [monday - timedelta(weeks=count - 1 - i) for i in range(count)]


def _week(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return (
            timezone.localtime(value, BRUSSELS).date() if timezone.is_aware(value) else value.date()
        )
    return value


def weekly_choices(weeks: list[date]) -> tuple[list[int], list[dict]]:
    """Choices per week, and per offered category how many accepted and refused (one query).

    A withdrawal counts as a refusal in its week: every record is one decision.
    """
    offered = set(Cookie.objects.needing_consent().values_list("category", flat=True))
    categories = [c for c in CookieCategory.optional() if c.value in offered]
    since = datetime.combine(weeks[0], datetime.min.time(), tzinfo=BRUSSELS)
    rows = (
        ConsentRecord.objects.filter(recorded_at__gte=since)
        .annotate(week=TruncWeek("recorded_at", tzinfo=BRUSSELS))
        .values("week")
        .annotate(
            n=Count("pk"), **{c.value: Count("pk", filter=Q(**{c.value: True})) for c in categories}
        )
    )
    index = {week: i for i, week in enumerate(weeks)}
    totals = [0] * len(weeks)
    accepted = {c.value: [0] * len(weeks) for c in categories}
    for row in rows:
        position = index.get(_week(row["week"]))
        if position is None:
            continue
        totals[position] += row["n"]
        for c in categories:
            accepted[c.value][position] += row[c.value]
    per_category = []
    for c in categories:
        yes = accepted[c.value]
        name = str(c.label).capitalize()
        per_category.append(
            {
                "name": name,
                "title": _("%(category)s: accepted and refused per week") % {"category": name},
                "accepted": yes,
                "refused": [t - g for t, g in zip(totals, yes, strict=True)],
                "rates": [
                    f"{round(100 * g / t)} %" if t else "-"
                    for g, t in zip(yes, totals, strict=True)
                ],
                "series": {
                    _("accepted"): yes,
                    _("refused"): [t - g for t, g in zip(totals, yes, strict=True)],
                },
            }
        )
    return totals, per_category
