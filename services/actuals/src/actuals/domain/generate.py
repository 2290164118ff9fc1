"""Generate Actuals: the lines a week starts from, made from the plan (DOMAIN.md "Actuals").

One line per authorised CPLI that has any day in the week, with its planned units; a CPLI that already
has a line that week gets none (generating twice creates nothing twice). The planned units come from:
- a timetable of visits: the hours of the visits that fall on the CPLI's days in the week (the visits
  count too);
- otherwise the planned units per week, pro-rated by the CPLI's days in the week when it starts or ends
  inside it, to the nearest quarter unit (half up), as quantities are entered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from actuals.domain.weeks import Period, active_in_week, week_days

QUARTERS = Decimal(4)


@dataclass(frozen=True)
class PlannedVisit:
    weekday: int  # 0 Monday ... 6 Sunday
    minutes: int
    carers: int = 1


@dataclass(frozen=True)
class PlannedCpli:
    cpli_id: uuid.UUID
    client_id: uuid.UUID
    period: Period
    authorised: bool
    units_per_week: Decimal | None = None
    timetable: tuple[PlannedVisit, ...] = ()


@dataclass(frozen=True)
class NewLine:
    cpli_id: uuid.UUID
    client_id: uuid.UUID
    planned: Decimal
    visits: int | None


def lines_to_generate(cplis: Iterable[PlannedCpli], week: date, *, existing: Set[uuid.UUID]) -> list[NewLine]:
    """The lines Generate Actuals adds to `week` (a Monday), in the CPLIs' order."""
    made = []
    for cpli in cplis:
        if not cpli.authorised or cpli.cpli_id in existing or not active_in_week(cpli.period, week):
            continue
        planned, visits = planned_in_week(cpli, week)
        made.append(NewLine(cpli.cpli_id, cpli.client_id, planned, visits))
    return made


def planned_in_week(cpli: PlannedCpli, week: date) -> tuple[Decimal, int | None]:
    """The CPLI's planned units in `week` (a Monday) and its planned visits (None: not timetabled): what
    its generated line says, and what an imported line's planned must be."""
    days = [day.weekday() for day in week_days(week) if _in(cpli.period, day)]
    if cpli.timetable:
        visits = [visit for visit in cpli.timetable if visit.weekday in days]
        return _to_quarter(Decimal(sum(visit.minutes for visit in visits)) / 60), len(visits)
    weekly = cpli.units_per_week or Decimal(0)
    return _to_quarter(weekly * len(days) / 7), None


def _in(period: Period, day: date) -> bool:
    return period.start <= day and (period.end is None or period.end >= day)


def _to_quarter(units: Decimal) -> Decimal:
    return (units * QUARTERS).quantize(Decimal(1), rounding=ROUND_HALF_UP) / QUARTERS
