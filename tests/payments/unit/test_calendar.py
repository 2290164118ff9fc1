"""The calendar's pure rules: how far a schedule's calendar reaches, and a period's dates in order."""

from __future__ import annotations

from datetime import date

import pytest

from payments.domain.calendar import PeriodDates, calendar_end, check_dates
from shared.errors import Invalid


@pytest.mark.parametrize(
    ("anchor", "today", "end"),
    [
        (date(2019, 9, 30), date(2019, 10, 1), date(2021, 3, 31)),  # this year and the next
        (date(2019, 9, 30), date(2020, 3, 31), date(2021, 3, 31)),  # the year's last day
        (date(2019, 9, 30), date(2020, 4, 1), date(2022, 3, 31)),  # a new year: one more
        (date(2026, 4, 6), date(2019, 1, 1), date(2028, 3, 31)),  # an anchor ahead of today counts
    ],
)
def test_a_calendar_reaches_the_end_of_the_financial_year_after_this_one(anchor, today, end):
    assert calendar_end(anchor, today) == end


def test_a_periods_dates_stay_in_order():
    check_dates(PeriodDates(date(2019, 12, 20), date(2019, 12, 20), date(2019, 12, 24)))
    with pytest.raises(Invalid) as late:
        check_dates(PeriodDates(date(2019, 12, 21), date(2019, 12, 20), date(2019, 12, 24)))
    assert (late.value.code, late.value.errors()[0]["field"]) == ("dates-out-of-order", "last_amendment_date")
    with pytest.raises(Invalid) as early:
        check_dates(PeriodDates(date(2019, 12, 20), date(2019, 12, 25), date(2019, 12, 24)))
    assert early.value.errors()[0]["field"] == "finalisation_date"
