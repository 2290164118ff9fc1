"""The payment calendar: a schedule's periods from its anchor, and the dates each period's defaults give
(DOMAIN.md "Payments"; docs/payments.md "Schedules and the calendar"). Pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payments.domain.periods import financial_year, year_bounds
from shared.dates import out_of_range
from shared.errors import FieldError, Invalid

DAYS: dict[str, int] = {"weekly": 7, "four_weekly": 28}  # a period of each frequency, in days


def calendar_end(anchor: date, today: date) -> date:
    """The last day a calendar reaches: the end of the financial year after the later of today and the
    anchor (so the council can see, and move, the dates of the coming year)."""
    first, _ = year_bounds(financial_year(max(anchor, today)))
    return year_bounds(f"{first.year + 1}/{first.year + 2}")[1]


@dataclass(frozen=True)
class PeriodDates:
    last_amendment_date: date
    finalisation_date: date
    pay_date: date


def check_dates(dates: PeriodDates) -> None:
    """Each date within 2000 to 2099 (shared.dates); amendments close before finalising, finalising comes
    before paying (the period's table says so too)."""
    outside = [
        FieldError(name, fault)
        for name in ("last_amendment_date", "finalisation_date", "pay_date")
        if (fault := out_of_range(getattr(dates, name)))
    ]
    if outside:
        raise Invalid.all_of(outside)
    if dates.last_amendment_date > dates.finalisation_date:
        raise Invalid.field(
            "last_amendment_date", "must be on or before the finalisation date", code="dates-out-of-order"
        )
    if dates.finalisation_date > dates.pay_date:
        raise Invalid.field(
            "finalisation_date", "must be on or before the pay date", code="dates-out-of-order"
        )
