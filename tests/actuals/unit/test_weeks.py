"""Weeks are named by their Monday; future weeks are refused; CPLIs ended more than 28 days ago are
historical; a CPLI is in a week when any of its days is."""

from __future__ import annotations

from datetime import date

import pytest

from actuals.domain.weeks import (
    Period,
    active_in_week,
    is_historical,
    week_commencing,
    week_days,
    week_to_enter,
)
from shared.errors import Invalid

TODAY = date(2026, 11, 30)  # a Monday


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 11, 30), date(2026, 11, 30)),
        (date(2026, 12, 6), date(2026, 11, 30)),  # Sunday
        (date(2026, 11, 26), date(2026, 11, 23)),  # Thursday
        (date(2027, 1, 1), date(2026, 12, 28)),  # across the new year
    ],
)
def test_a_week_is_named_by_its_monday(day, monday):
    assert week_commencing(day) == monday
    assert week_days(monday)[0] == monday and len(week_days(monday)) == 7


def test_the_current_week_by_default_a_past_one_when_picked_never_a_future_one():
    assert week_to_enter(None, today=date(2026, 12, 3)) == TODAY
    assert week_to_enter(date(2026, 11, 20), today=TODAY) == date(2026, 11, 16)
    assert week_to_enter(date(2026, 12, 6), today=TODAY) == TODAY  # later this week: this week
    with pytest.raises(Invalid, match="07/12/2026 has not started yet") as refused:
        week_to_enter(date(2026, 12, 7), today=TODAY)
    assert (refused.value.code, refused.value.fields[0].field) == ("future-week", "week")


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 27), date(1999, 12, 31)])
def test_a_week_before_2000_is_refused(day):
    """asyncpg stores date.min as -infinity, which the reports' SQL cannot read; no care is recorded
    before 2000 (shared.dates)."""
    with pytest.raises(Invalid) as refused:
        week_to_enter(day, today=TODAY)
    assert refused.value.code == "week-out-of-range"
    assert "is before 2000: weeks are kept from 03/01/2000" in refused.value.detail
    assert week_to_enter(date(2000, 1, 3), today=TODAY) == date(2000, 1, 3)


@pytest.mark.parametrize(
    ("end", "historical"),
    [(None, False), (date(2026, 11, 2), False), (date(2026, 11, 1), True), (date(2026, 12, 31), False)],
)
def test_a_cpli_is_historical_once_it_ended_more_than_28_days_ago(end, historical):
    assert is_historical(Period(date(2025, 1, 1), end), today=TODAY) is historical


@pytest.mark.parametrize(
    ("start", "end", "active"),
    [
        (date(2026, 1, 1), None, True),
        (date(2026, 12, 6), None, True),  # starts on the week's Sunday
        (date(2026, 12, 7), None, False),  # starts the week after
        (date(2026, 1, 1), date(2026, 11, 30), True),  # ends on the week's Monday
        (date(2026, 1, 1), date(2026, 11, 29), False),  # ended the day before
    ],
)
def test_a_cpli_is_in_a_week_when_any_of_its_days_is(start, end, active):
    assert active_in_week(Period(start, end), TODAY) is active
