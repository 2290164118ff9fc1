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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from actuals.domain.costs import Quantities
from actuals.domain.weeks import Period, week_days
from shared.errors import FieldError
from shared.whole_numbers import whole_number

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

    def quantities(self, *, planned: Decimal) -> Quantities:
        """The line's quantities these visits make, beside the plan's units."""
        return Quantities(
            actual=self.actual,
            planned=planned,
            frustrated=self.frustrated,
            missed=self.missed,
            extra=self.extra,
        )


@dataclass(frozen=True)
class VisitAsSent:
    """A visit as it came, each field as sent: read by `read_visits`, so that every fault is named."""

    visit_date: object
    start_time: object
    minutes: object
    carers: object
    status: object


def read_visits(sent: Sequence[VisitAsSent], week: date) -> tuple[list[Visit] | None, list[FieldError]]:
    """The visits (None when any could not be read) and every fault of the list, each named by its place
    (`visits[2].visit_date`): a field that cannot be read, then the rules on the visits that could."""
    if len(sent) > MAX_VISITS:
        return None, [FieldError("visits", f"at most {MAX_VISITS} visits a week (there are {len(sent)})")]
    faults: list[FieldError] = []
    read: list[tuple[int, Visit]] = []
    for n, visit in enumerate(sent):
        one, unread = _read_visit(visit)
        faults += [FieldError(f"visits[{n}].{name}", fault) for name, fault in unread]
        if one is not None:
            read.append((n, one))
    faults += _rule_faults(read, week)
    faults.sort(key=lambda fault: _place(fault.field))
    return ([visit for _, visit in read] if len(read) == len(sent) else None), faults


def _read_visit(sent: VisitAsSent) -> tuple[Visit | None, list[tuple[str, str]]]:
    """The visit (None when a field could not be read) and each field's fault, in the form's order."""
    day, day_fault = _read_date(sent.visit_date)
    start, start_fault = _read_time(sent.start_time)
    minutes, minutes_fault = _read_whole(sent.minutes, "minutes")
    carers, carers_fault = _read_whole(sent.carers, "carers")
    status, status_fault = _read_status(sent.status)
    found = (day_fault, start_fault, minutes_fault, carers_fault, status_fault)
    faults = [(name, fault) for name, fault in zip(FIELD_ORDER, found, strict=True) if fault]
    if day is None or start is None or minutes is None or carers is None or status is None:
        return None, faults
    return Visit(day, start, minutes, carers, status), faults


def _rule_faults(visits: Sequence[tuple[int, Visit]], week: date) -> list[FieldError]:
    days = set(week_days(week))
    faults: list[FieldError] = []
    seen: set[tuple[date, time, VisitStatus]] = set()
    for n, visit in visits:
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
    return faults


FIELD_ORDER = ("visit_date", "start_time", "minutes", "carers", "status")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# HH:MM, seconds optional; an offset is allowed and dropped (visits are local times, as timetables are)
TIME = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?")
STATUSES = ", ".join(s.value for s in list(VisitStatus)[:-1]) + f" or {list(VisitStatus)[-1].value}"


def _place(field: str) -> tuple[int, int]:
    """A fault's order: by visit, then by field in the form's order."""
    number, _, name = field.removeprefix("visits[").partition("].")
    return (int(number), FIELD_ORDER.index(name)) if name else (-1, 0)


def _shown(value: object) -> str:
    return repr(value[:20] if isinstance(value, str) else value)


def _read_date(value: object) -> tuple[date | None, str | None]:
    if value is None or value == "":
        return None, "is required"
    if isinstance(value, str) and DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip()), None
        except ValueError:
            pass
    return None, f"must be a date as YYYY-MM-DD (not {_shown(value)})"


def _read_time(value: object) -> tuple[time | None, str | None]:
    if value is None or value == "":
        return None, "is required"
    if isinstance(value, str) and TIME.fullmatch(value.strip()):
        try:
            return time.fromisoformat(value.strip()).replace(tzinfo=None), None
        except ValueError:
            pass
    return None, f"must be a time as HH:MM (not {_shown(value)})"


def _read_whole(value: object, unit: str) -> tuple[int | None, str | None]:
    if value is None or value == "":
        return None, "is required"
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    number = whole_number(value, signed=True) if isinstance(value, str) else None
    if number is not None:
        return number, None
    return None, f"must be a whole number of {unit} (not {_shown(value)})"


def _read_status(value: object) -> tuple[VisitStatus | None, str | None]:
    if isinstance(value, str) and value.strip() in VisitStatus.__members__:
        return VisitStatus(value.strip()), None
    return None, f"must be {STATUSES} (not {_shown(value)})"


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
