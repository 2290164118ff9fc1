"""Weeks of actuals and which CPLIs a list shows (DOMAIN.md "Actuals", "Care package line items").

A week is named by its Monday (a "week commencing" date). Any date picked stands for the week it falls
in; a week that has not started yet cannot be entered. A CPLI is historical once it ended more than 28
days ago: lists leave it out unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.dates import FIRST_DAY
from shared.errors import Invalid

HISTORICAL_AFTER = timedelta(days=28)


def week_commencing(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


FIRST_WEEK = week_commencing(FIRST_DAY + timedelta(days=6))  # the first Monday of 2000, 03/01/2000


def week_to_enter(picked: date | None, *, today: date) -> date:
    """The week a provider may record: the current one by default; never one that has not started, nor
    one before 2000 (shared.dates)."""
    week = week_commencing(picked or today)
    if week < FIRST_WEEK:  # and no week of year 1: asyncpg would store 0001-01-01 as -infinity
        raise Invalid.field(
            "week",
            f"the week commencing {week.isoformat()} is before 2000: weeks are kept from"
            f" {FIRST_WEEK:%d/%m/%Y}",
            code="week-out-of-range",
        )
    if week > week_commencing(today):
        raise Invalid.field(
            "week", f"the week commencing {week:%d/%m/%Y} has not started yet", code="future-week"
        )
    return week


def week_days(week: date) -> list[date]:
    return [week + timedelta(days=offset) for offset in range(7)]


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None  # None: open-ended


def is_historical(cpli: Period, *, today: date) -> bool:
    """Ended more than 28 days ago."""
    return cpli.end is not None and cpli.end < today - HISTORICAL_AFTER


def active_in_week(cpli: Period, week: date) -> bool:
    """Whether any day of the week falls inside the CPLI (Generate Actuals makes lines for these)."""
    last_day = week + timedelta(days=6)
    return cpli.start <= last_day and (cpli.end is None or cpli.end >= week)
