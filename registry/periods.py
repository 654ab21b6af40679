"""Calendar arithmetic for retention periods, in Europe/Brussels terms.

A period is counted on the Brussels calendar and wall clock (the calendar rule of Regulation
1182/71): "1 year after 3 March 10:15" is 3 March of the next year, 10:15 Brussels time,
whatever DST did in between.

Month and year ends: adding months clamps to the last day of a shorter month
(31 Jan + 1 month = 28/29 Feb). The engine asks the opposite question, "which anchors have
expired by now?", as one indexed query `anchor <= cutoff(now)` with cutoff = now - period.
Adding the period and that cutoff differ where clamping happens and around the clock changes:
an anchor of 29 Feb 2024 with a one-year period expires on **1 March 2025, 00:00** (the first
instant at which now - 1 year >= the anchor), never early; a wall-clock time the clocks skip
(spring) expires at the jump; an anchor in the second run of the hour the clocks repeat
(autumn) at that hour's end plus the period. `expires_at()` is defined as the first instant at
which the cutoff passes the anchor, so both views agree everywhere (tests/test_periods.py).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils.translation import gettext_lazy as _

BRUSSELS = ZoneInfo("Europe/Brussels")


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")


def period_delta(value: int, unit: str) -> relativedelta:
    if unit == PeriodUnit.DAYS:
        return relativedelta(days=value)
    if unit == PeriodUnit.MONTHS:
        return relativedelta(months=value)
    if unit == PeriodUnit.YEARS:
        return relativedelta(years=value)
    raise ValueError(f"unknown period unit: {unit!r}")


def cutoff(now: datetime, value: int, unit: str) -> datetime:
    """The latest anchor that has expired at `now`: anchor <= cutoff means expired."""
    if value == 0:
        # A period of nothing ends at once. Said outright: wall-clock arithmetic would drop
        # the fold of the hour the clocks repeat (the second 02:30 on the last Sunday of
        # October) and cut one hour before `now`.
        return now
    aware = now.astimezone(BRUSSELS)
    local = aware.replace(tzinfo=None)
    delta = period_delta(value, unit)
    # relativedelta on a naive wall-clock time; re-localised afterwards for DST.
    shifted = local - delta
    if shifted + delta != local:
        # Clamped: `now`'s day does not exist in the target month (31 May - 1 month). Every
        # anchor of the clamped day (30 April) has expired by now, so the cutoff is that day's
        # end; cutting at the same wall-clock time would un-expire rows that expired yesterday.
        shifted = datetime.combine(shifted.date(), time.max)
    if _skipped(shifted):
        # A wall-clock time the clocks skip (02:00-03:00 on the last Sunday of March): the
        # anchors before the jump have expired, none after it (their wall-clock time, 03:00 or
        # later, is still ahead of `now` minus the period). Read as a time, it would be a later
        # instant and expire up to an hour of anchors early.
        # Counted in UTC: aware Brussels minus a timedelta counts on the wall clock, into the gap.
        return (_jump(shifted).astimezone(UTC) - timedelta(microseconds=1)).astimezone(BRUSSELS)
    result = shifted.replace(tzinfo=BRUSSELS, fold=0)  # a repeated wall-clock time: its first run
    if aware.fold and _repeated(aware):
        # `now` is in the second run of the hour the clocks repeat: every anchor whose expiry
        # fell in that hour's first run has expired, whatever its minute (the whole first run
        # came before `now`), so the cutoff is the end of its wall-clock hour. When the cutoff's
        # own hour is a repeated one, that is its first run's end: none of its second run has
        # expired until `now`'s wall-clock time reaches 03:00 (see `expires_at`). Cutting at the
        # same minute would un-expire anchors with a later minute for up to an hour.
        result = result.replace(minute=59, second=59, microsecond=999999)
    return result


def _repeated(moment: datetime) -> bool:
    """Is this Brussels wall-clock time in the hour the clocks repeat (autumn: the last Sunday
    of October since 1996)? Its first run has the summer offset, its second the winter one."""
    first, second = (moment.replace(tzinfo=BRUSSELS, fold=fold).utcoffset() for fold in (0, 1))
    return first > second


def _skipped(moment: datetime) -> bool:
    """Is this Brussels wall-clock time one the clocks skip (spring: 02:00-03:00 on the last
    Sunday of March)? zoneinfo gives fold 0 the offset before the jump (winter), fold 1 the one
    after."""
    first, second = (moment.replace(tzinfo=BRUSSELS, fold=fold).utcoffset() for fold in (0, 1))
    return first < second


def _jump(skipped: datetime) -> datetime:
    """The instant the clocks jump over this skipped wall-clock time: 03:00 summer time (the
    skipped hour is a whole hour, as every jump of Europe/Brussels since 1977 is)."""
    start = skipped.replace(minute=0, second=0, microsecond=0, tzinfo=BRUSSELS, fold=0)
    return start.astimezone(UTC).astimezone(BRUSSELS)  # 02:00 read with winter time = 03:00


def expires_at(anchor: datetime, value: int, unit: str) -> datetime:
    """The first instant at which a record anchored at `anchor` has expired.

    The inverse of `cutoff`: expires_at(a) is the smallest t with cutoff(t) >= a. Adding the
    period gives it, except when the anchor's day does not exist in the target month
    (29 Feb + 1 year): then expiry is 00:00 on the first day of the next month, because every
    instant of the clamped day (28 Feb) minus the period still falls before the anchor; and
    around the clock changes (below).
    """
    if value == 0:
        return anchor  # expired at once (see `cutoff`)
    aware = anchor.astimezone(BRUSSELS)
    local = aware.replace(tzinfo=None)
    if aware.fold and _repeated(aware):
        # The second run of the hour the clocks repeat (last Sunday of October). `cutoff` never
        # reaches into that hour's second run (at most the first run's end: never early), so it
        # passes these anchors only at the hour's end (03:00).
        local = local.replace(minute=0, second=0, microsecond=0, fold=0) + timedelta(hours=1)
    delta = period_delta(value, unit)
    candidate = local + delta
    if candidate - delta != local:  # clamped: day did not exist in the target month
        first_of_next = (candidate.replace(day=1) + relativedelta(months=1)).date()
        candidate = datetime.combine(first_of_next, time.min)
    if _skipped(candidate):
        # Its wall-clock time is skipped (the last Sunday of March): expired when the clocks
        # jump past it, at 03:00 (`cutoff` passes it then). Read as a time, it would be up to an
        # hour later.
        return _jump(candidate)
    return candidate.replace(tzinfo=BRUSSELS)


def fiscal_year_end(day: date, *, end_month: int = 12, end_day: int = 31) -> date:
    """The last day of the fiscal year that contains `day` (default: calendar year)."""
    candidate = _fiscal_end_in_year(day.year, end_month, end_day)
    if day <= candidate:
        return candidate
    return _fiscal_end_in_year(day.year + 1, end_month, end_day)


def _fiscal_end_in_year(year: int, end_month: int, end_day: int) -> date:
    first_of_next = date(year, end_month, 1) + relativedelta(months=1)
    last_day_of_month = (first_of_next - timedelta(days=1)).day
    return date(year, end_month, min(end_day, last_day_of_month))


def end_of_day(day: date) -> datetime:
    """The last instant of a Brussels calendar day (for anchors that are dates)."""
    return datetime.combine(day, time.max).replace(tzinfo=BRUSSELS)
