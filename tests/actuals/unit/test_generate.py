"""Generate Actuals makes one line per authorised CPLI in the week, with its planned units (from the
timetable, or the weekly units pro-rated by its days in the week), and nothing twice."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from actuals.domain.generate import PlannedCpli, PlannedVisit, lines_to_generate
from actuals.domain.weeks import Period

WEEK = date(2026, 11, 23)
CLIENT = uuid.uuid4()


def cpli(*, start=date(2026, 1, 1), end=None, authorised=True, units="14", timetable=()) -> PlannedCpli:
    return PlannedCpli(
        uuid.uuid4(), CLIENT, Period(start, end), authorised, Decimal(units) if units else None, timetable
    )


def test_weekly_units_are_planned_and_pro_rated_by_the_days_in_the_week():
    whole, starts_thursday, ended_tuesday = (
        cpli(),
        cpli(start=date(2026, 11, 26)),  # 4 days of 7: 14 x 4/7 = 8
        cpli(end=date(2026, 11, 24), units="10"),  # 2 days of 7: 10 x 2/7 = 2.857 -> 2.75
    )
    lines = lines_to_generate([whole, starts_thursday, ended_tuesday], WEEK, existing=set())
    assert [(line.cpli_id, line.planned, line.visits) for line in lines] == [
        (whole.cpli_id, Decimal("14"), None),
        (starts_thursday.cpli_id, Decimal("8"), None),
        (ended_tuesday.cpli_id, Decimal("2.75"), None),
    ]


def test_a_timetable_plans_the_hours_and_visits_on_the_cplis_days():
    visits = (PlannedVisit(0, 45), PlannedVisit(2, 45), PlannedVisit(4, 30, carers=2), PlannedVisit(6, 60))
    full, from_wednesday = (
        cpli(units=None, timetable=visits),
        cpli(start=date(2026, 11, 25), units=None, timetable=visits),
    )
    lines = lines_to_generate([full, from_wednesday], WEEK, existing=set())
    assert [(line.planned, line.visits) for line in lines] == [(Decimal("3"), 4), (Decimal("2.25"), 3)]


def test_unauthorised_outside_the_week_or_already_generated_makes_nothing():
    done = cpli()
    skipped = [
        cpli(authorised=False),
        cpli(start=date(2026, 11, 30)),
        cpli(end=date(2026, 11, 22)),
        done,
    ]
    assert lines_to_generate(skipped, WEEK, existing={done.cpli_id}) == []
    again = lines_to_generate([done], WEEK, existing=set())
    assert len(again) == 1 and lines_to_generate([done], WEEK, existing={again[0].cpli_id}) == []
