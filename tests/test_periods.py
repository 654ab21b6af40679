"""Retention periods on the Brussels calendar: month ends, 29 February, DST, fiscal years."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from registry.periods import BRUSSELS, PeriodUnit, cutoff, expires_at, fiscal_year_end

UTC = ZoneInfo("UTC")


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def test_one_year_after_an_ordinary_day_is_the_same_day_next_year():
    assert expires_at(brussels(2025, 3, 3, 10, 15), 1, PeriodUnit.YEARS) == brussels(
        2026, 3, 3, 10, 15
    )


def test_one_year_after_29_february_expires_at_midnight_on_1_march():
    assert expires_at(brussels(2024, 2, 29, 9, 0), 1, PeriodUnit.YEARS) == brussels(
        2025, 3, 1, 0, 0
    )
    assert cutoff(brussels(2025, 2, 28, 23, 59), 1, PeriodUnit.YEARS) < brussels(2024, 2, 29, 9, 0)
    assert cutoff(brussels(2025, 3, 1, 0, 0), 1, PeriodUnit.YEARS) >= brussels(2024, 2, 29, 9, 0)


def test_one_month_after_31_january_expires_on_1_march():
    assert expires_at(brussels(2026, 1, 31, 12, 0), 1, PeriodUnit.MONTHS) == brussels(
        2026, 3, 1, 0, 0
    )


def test_a_row_expired_on_30_may_stays_expired_on_31_may():
    # 31 May - 1 month clamps to 30 April: the cutoff is the end of 30 April, not its wall-clock
    # time, or a row anchored 30 April 20:11 (expired 30 May 20:11) would come back on 31 May.
    anchor = brussels(2000, 4, 30, 20, 11)
    assert cutoff(brussels(2000, 5, 30, 20, 11), 1, PeriodUnit.MONTHS) >= anchor
    assert cutoff(brussels(2000, 5, 31, 0, 0), 1, PeriodUnit.MONTHS) >= anchor
    assert cutoff(brussels(2000, 5, 31, 23, 59), 1, PeriodUnit.MONTHS) < brussels(2000, 5, 1)


def test_fourteen_days_across_the_spring_dst_change_keep_the_wall_clock_time():
    # 29 March 2026: Brussels moves from UTC+1 to UTC+2.
    anchor = brussels(2026, 3, 20, 10, 0)
    expiry = expires_at(anchor, 14, PeriodUnit.DAYS)
    assert expiry == brussels(2026, 4, 3, 10, 0)
    assert expiry.astimezone(UTC) - anchor.astimezone(UTC) == timedelta(days=14, hours=-1)


def test_fiscal_year_end_defaults_to_31_december_and_follows_a_custom_end():
    assert fiscal_year_end(date(2025, 6, 1)) == date(2025, 12, 31)
    assert fiscal_year_end(date(2025, 7, 1), end_month=6, end_day=30) == date(2026, 6, 30)
    assert fiscal_year_end(date(2024, 1, 15), end_month=2, end_day=31) == date(2024, 2, 29)


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown period unit"):
        cutoff(brussels(2025, 1, 1), 1, "weeks")


@settings(max_examples=2000, deadline=None)
@given(
    anchor=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    value=st.integers(min_value=1, max_value=120),
    unit=st.sampled_from(list(PeriodUnit)),
    offset_seconds=st.integers(min_value=-3 * 86400, max_value=3 * 86400),
)
@example(  # the second 02:00 of 30 Oct 2072 (the clocks go back): found by CI, 6 Dec 2026
    anchor=datetime(2072, 10, 30, 1, 0, tzinfo=UTC),
    value=1,
    unit=PeriodUnit.DAYS,
    offset_seconds=0,
)
@example(  # the first 02:45 of 27 Oct 2024, six years: at 02:30 in 2030's second run of the
    # hour, 45 min after its expiry, the cutoff read 02:30 as the first run (review, 6 Dec 2026)
    anchor=datetime(2024, 10, 27, 0, 45, tzinfo=UTC),
    value=6,
    unit=PeriodUnit.YEARS,
    offset_seconds=2700,
)
@example(
    anchor=datetime(2000, 4, 30, 18, 11, tzinfo=UTC),
    value=1,
    unit=PeriodUnit.MONTHS,
    offset_seconds=13740,
)
@example(  # found by CI (7 Dec 2026): 02:00:59 on 25 Mar 2000 + 1 day is a wall-clock time the
    # clocks skip (26 Mar, 02:00 -> 03:00); it expires at the jump, 03:00, when the cutoff passes
    # it - expires_at read it as a time with winter's offset, 03:00:59 summer time
    anchor=datetime(2000, 3, 25, 1, 0, 59, 999999, tzinfo=UTC),
    value=1,
    unit=PeriodUnit.DAYS,
    offset_seconds=-1,
)
@example(  # 02:30 on 27 Mar 2000 minus 1 day is skipped: the cutoff is the instant before the
    # jump; read as 03:30 summer time it expired 03:15 (26 Mar) 45 minutes early
    anchor=datetime(2000, 3, 26, 1, 15, tzinfo=UTC),
    value=1,
    unit=PeriodUnit.DAYS,
    offset_seconds=-2700,
)
@example(  # `now` in the second 02:00 of 29 Oct 2000, 7 months: 02:30:59 on 29 Mar (an ordinary
    # day) expired in the first run of that hour; the cutoff kept it until 02:30:59 again
    anchor=datetime(2000, 3, 29, 0, 30, 59, 999999, tzinfo=UTC),
    value=7,
    unit=PeriodUnit.MONTHS,
    offset_seconds=1799,
)
def test_cutoff_and_expires_at_agree_on_every_instant(anchor, value, unit, offset_seconds):
    # Seconds counted in UTC: aware Brussels + timedelta counts on the wall clock and never
    # lands in the second run of the hour the clocks repeat.
    now = expires_at(anchor, value, unit).astimezone(UTC) + timedelta(seconds=offset_seconds)
    expired_by_cutoff = anchor <= cutoff(now, value, unit)
    expired_by_expiry = now >= expires_at(anchor, value, unit)
    assert expired_by_cutoff == expired_by_expiry


def test_a_period_of_nothing_ends_at_once_also_in_the_repeated_hour():
    """The second 02:30 of 27 October 2024 (CET, after the clocks went back): wall-clock
    arithmetic dropped the fold and cut at the first 02:30, one hour before now (found by the
    purge property test)."""
    second_0230 = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    for unit in ("days", "months", "years"):
        assert cutoff(second_0230, 0, unit) == second_0230
        assert expires_at(second_0230, 0, unit) == second_0230
