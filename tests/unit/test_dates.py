"""shared.dates: the business dates the portal keeps run from 2000 to 2099."""

from __future__ import annotations

from datetime import date

import pytest

from shared.dates import out_of_range


@pytest.mark.parametrize("day", [date(2000, 1, 1), date(2026, 12, 2), date(2099, 12, 31)])
def test_a_date_from_2000_to_2099_is_kept(day: date) -> None:
    assert out_of_range(day) is None


@pytest.mark.parametrize(
    "day",
    [date.min, date(1999, 12, 31), date(2100, 1, 1), date.max],  # date.min/max: -infinity/infinity
)
def test_a_date_outside_is_named_with_the_range(day: date) -> None:
    assert out_of_range(day) == f"must be from 2000-01-01 to 2099-12-31 (it is {day.isoformat()})"
