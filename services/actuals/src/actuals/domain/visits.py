"""The visits of a timetabled line, and the line's figures derived from them (DOMAIN.md "Actuals").

- A visit is on a day of the line's week, starts at a time, lasts 1 to 1,440 minutes, has 1 to 9
  carers and is delivered, frustrated (the service user was not there), missed (the provider did not
  come) or extra (not in the plan).
- actual = the hours of the delivered and extra visits; frustrated, missed and extra = the hours of the
  visits of that status; visits = how many were delivered or extra. Hours are the visits' minutes / 60
  (the length of the visit, not carer-hours, as the plan counts them), each figure summed exactly and
  then rounded once to the nearest quarter hour (half up; minutes being whole, 7 minutes over a quarter
  rounds down and 8 up), so that every figure is a quantity in steps of 0.25 like any entered one.
- With no visits recorded yet, a line shows its CPLI's timetable on the CPLI's days in the week, all
  delivered (the plan), as the starting point to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from actuals.domain.weeks import Period, week_days
from shared.errors import FieldError, Invalid

MAX_VISITS = 200
MAX_MINUTES = 24 * 60
MAX_CARERS = 9
QUARTERS = Decimal(4)


class VisitStatus(StrEnum):
    delivered = "delivered"
    frustrated = "frustrated"
    missed = "missed"
    extra = "extra"


@dataclass(frozen=True)
class Visit:
    visit_date: date
    start_time: time
    minutes: int
    carers: int
    status: VisitStatus


@dataclass(frozen=True)
class VisitFigures:
    actual: Decimal
    frustrated: Decimal
    missed: Decimal
    extra: Decimal
    visits: int


def check_visits(visits: Sequence[Visit], week: date) -> None:
    """Every fault named by its place in the list (`visits[2].visit_date`), all at once."""
    if len(visits) > MAX_VISITS:
        raise Invalid.field("visits", f"at most {MAX_VISITS} visits a week (there are {len(visits)})")
    days = set(week_days(week))
    faults: list[FieldError] = []
    seen: set[tuple[date, time, VisitStatus]] = set()
    for n, visit in enumerate(visits):
        at = f"visits[{n}]"
        if visit.visit_date not in days:
            faults.append(
                FieldError(
                    f"{at}.visit_date",
                    f"{visit.visit_date:%d/%m/%Y} is not in the week commencing {week:%d/%m/%Y}",
                )
            )
        if not 1 <= visit.minutes <= MAX_MINUTES:
            faults.append(
                FieldError(f"{at}.minutes", f"must be 1 to {MAX_MINUTES} minutes (it is {visit.minutes})")
            )
        if not 1 <= visit.carers <= MAX_CARERS:
            faults.append(
                FieldError(f"{at}.carers", f"must be 1 to {MAX_CARERS} carers (it is {visit.carers})")
            )
        key = (visit.visit_date, visit.start_time, visit.status)
        if key in seen:
            faults.append(FieldError(f"{at}.start_time", "the same visit is listed twice"))
        seen.add(key)
    if faults:
        raise Invalid("; ".join(f"{f.field}: {f.message}" for f in faults), fields=faults, code="bad-visits")


def figures(visits: Sequence[Visit]) -> VisitFigures:
    """The line's quantities from its visits (see the module's rule)."""

    def hours(*statuses: VisitStatus) -> Decimal:
        minutes = sum(v.minutes for v in visits if v.status in statuses)
        return _to_quarter(Decimal(minutes) / 60)

    return VisitFigures(
        actual=hours(VisitStatus.delivered, VisitStatus.extra),
        frustrated=hours(VisitStatus.frustrated),
        missed=hours(VisitStatus.missed),
        extra=hours(VisitStatus.extra),
        visits=sum(1 for v in visits if v.status in (VisitStatus.delivered, VisitStatus.extra)),
    )


@dataclass(frozen=True)
class TimetableVisit:
    weekday: int
    start_time: time
    minutes: int
    carers: int


def planned_visits(timetable: Sequence[TimetableVisit], period: Period, week: date) -> list[Visit]:
    """The timetable's visits on the CPLI's days of the week, as delivered (the plan)."""
    made = []
    for day in week_days(week):
        if day < period.start or (period.end is not None and day > period.end):
            continue
        for slot in sorted(timetable, key=lambda s: s.start_time):
            if slot.weekday == day.weekday():
                made.append(Visit(day, slot.start_time, slot.minutes, slot.carers, VisitStatus.delivered))
    return made


def _to_quarter(hours: Decimal) -> Decimal:
    return (hours * QUARTERS).quantize(Decimal(1), rounding=ROUND_HALF_UP) / QUARTERS
