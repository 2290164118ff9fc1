"""The figures of a line derived from its visits, the reading and checks of a visit list and the plan's
visits."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from actuals.domain.visits import (
    TimetableVisit,
    Visit,
    VisitAsSent,
    VisitStatus,
    figures,
    planned_visits,
    read_visits,
)
from actuals.domain.weeks import Period
from shared.errors import FieldError

WEEK = date(2026, 11, 23)  # a Monday
D, F, M, X = VisitStatus.delivered, VisitStatus.frustrated, VisitStatus.missed, VisitStatus.extra


def v(day: int, minutes: int, status: VisitStatus = D, carers: int = 1, at: time = time(8)) -> Visit:
    return Visit(date(2026, 11, 23 + day), at, minutes, carers, status)


@pytest.mark.parametrize(
    ("visits", "expected"),
    [
        ([], ("0", "0", "0", "0", 0)),
        ([v(0, 45), v(2, 45), v(4, 45)], ("2.25", "0", "0", "0", 3)),
        # delivered and extra make the actual; frustrated and missed are their own
        ([v(0, 45), v(2, 45, M), v(4, 45, F), v(5, 60, X)], ("1.75", "0.75", "0.75", "1", 2)),
        # carers do not multiply the hours (the plan counts a visit's length)
        ([v(0, 60, carers=2)], ("1", "0", "0", "0", 1)),
        # each figure is summed exactly, then rounded once to the quarter hour, half up
        ([v(0, 20), v(1, 20)], ("0.75", "0", "0", "0", 2)),  # 40 min = 0.667 h
        ([v(0, 7)], ("0", "0", "0", "0", 1)),  # 0.117 h
        ([v(0, 8)], ("0.25", "0", "0", "0", 1)),  # 0.133 h: over the eighth
        ([v(0, 22, at=time(8)), v(0, 23, at=time(9))], ("0.75", "0", "0", "0", 2)),  # 45 min
    ],
)
def test_figures(visits: list[Visit], expected: tuple[str, str, str, str, int]) -> None:
    got = figures(visits)
    assert (got.actual, got.missed, got.frustrated, got.extra, got.visits) == (
        Decimal(expected[0]),
        Decimal(expected[1]),
        Decimal(expected[2]),
        Decimal(expected[3]),
        expected[4],
    )


def as_sent(visit: Visit) -> VisitAsSent:
    return VisitAsSent(
        visit.visit_date.isoformat(),
        f"{visit.start_time:%H:%M}",
        visit.minutes,
        visit.carers,
        visit.status.value,
    )


def test_every_fault_is_named_by_its_place() -> None:
    listed = [v(0, 45), Visit(date(2026, 11, 30), time(8), 45, 1, D), v(1, 0), v(2, 30, carers=10), v(0, 45)]
    visits, faults = read_visits([as_sent(visit) for visit in listed], WEEK)
    assert visits == listed  # each was read; the rules name what is wrong with them
    assert [(f.field, f.message) for f in faults] == [
        ("visits[1].visit_date", "30/11/2026 is not in the week commencing 23/11/2026"),
        ("visits[2].minutes", "must be 1 to 1440 minutes (it is 0)"),
        ("visits[3].carers", "must be 1 to 9 carers (it is 10)"),
        ("visits[4].start_time", "the same visit is listed twice"),
    ]


def test_a_sane_list_passes_and_too_many_are_refused() -> None:
    listed = [v(0, 45), v(0, 45, M, at=time(9)), v(6, 1440)]
    assert read_visits([as_sent(visit) for visit in listed], WEEK) == (listed, [])
    many = [as_sent(v(0, 1, at=time(h % 24, h // 24))) for h in range(201)]
    assert read_visits(many, WEEK) == (
        None,
        [FieldError("visits", "at most 200 visits a week (there are 201)")],
    )


def test_the_plan_covers_only_the_cplis_days_in_the_week() -> None:
    timetable = [
        TimetableVisit(0, time(8), 45, 1),
        TimetableVisit(2, time(18), 30, 2),
        TimetableVisit(2, time(8), 30, 1),
    ]
    whole = planned_visits(timetable, Period(date(2026, 1, 1), None), WEEK)
    assert [(p.visit_date.day, p.start_time.hour, p.carers) for p in whole] == [
        (23, 8, 1),
        (25, 8, 1),
        (25, 18, 2),
    ]
    assert all(p.status is D for p in whole)
    ends_tuesday = planned_visits(timetable, Period(date(2026, 1, 1), date(2026, 11, 24)), WEEK)
    assert [p.visit_date.day for p in ends_tuesday] == [23]


@pytest.mark.parametrize(
    ("field", "value", "fault"),
    [
        ("visit_date", "", "is required"),
        ("visit_date", "2026-02-30", "must be a date as YYYY-MM-DD (not '2026-02-30')"),
        ("visit_date", "20261123", "must be a date as YYYY-MM-DD (not '20261123')"),
        ("visit_date", 20261123, "must be a date as YYYY-MM-DD (not 20261123)"),
        ("start_time", "8am", "must be a time as HH:MM (not '8am')"),
        ("start_time", "24:00", "must be a time as HH:MM (not '24:00')"),
        ("minutes", "45.5", "must be a whole number of minutes (not '45.5')"),
        ("minutes", True, "must be a whole number of minutes (not True)"),
        ("minutes", "-5", "must be 1 to 1440 minutes (it is -5)"),
        ("carers", None, "is required"),
        ("carers", "10", "must be 1 to 9 carers (it is 10)"),
        ("status", "Delivered ", "must be delivered, frustrated, missed or extra (not 'Delivered ')"),
    ],
)
def test_a_field_that_cannot_be_read_or_breaks_a_rule_is_named(field: str, value: object, fault: str) -> None:
    sent = {
        "visit_date": "2026-11-24",
        "start_time": "08:00",
        "minutes": 45,
        "carers": "1",
        "status": "missed",
    }
    visits, faults = read_visits([VisitAsSent(**{**sent, field: value})], WEEK)
    assert [(f.field, f.message) for f in faults] == [(f"visits[0].{field}", fault)]
    assert (visits is None) == (not fault.startswith("must be 1 to"))  # a rule's fault: the visit was read


def test_visits_are_read_as_sent_and_faults_come_in_the_forms_order() -> None:
    good = VisitAsSent("2026-11-24", "08:00:00+01:00", "45", 2, "extra")
    visits, faults = read_visits([good, VisitAsSent("x", "y", "z", 0, "w"), good], WEEK)
    assert visits is None
    # carers 0 is read, but the rules run only on a visit read whole; the third is the first again
    assert [f.field for f in faults] == [
        *(f"visits[1].{name}" for name in ("visit_date", "start_time", "minutes", "status")),
        "visits[2].start_time",
    ]
    read, none = read_visits([good], WEEK)
    assert none == [] and read == [Visit(date(2026, 11, 24), time(8), 45, 2, VisitStatus.extra)]
