"""The bulk import's choice of a row's CPLI (`import_lookup._cpli_of`): the client's one authorised CPLI
active in the row's week, with the one-candidate fast path and the general one giving the same answers;
and the planned units a row must carry (`import_lookup.Plans`), as Generate Actuals makes them."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from actuals.domain.import_file import Fault, ImportRow
from actuals.domain.weeks import Period
from actuals.handlers.import_lookup import Plans, _cpli_of
from actuals.store.import_stage import CpliRow, ServiceRow

SERVICE = ServiceRow(uuid.uuid4(), "SVC-1", "Home care", uuid.uuid4(), "hourly", True, True)
WEEK = date(2026, 11, 16)  # a Monday


def cpli(start: date, end: date | None = None, *, authorised: bool = True) -> tuple[CpliRow, Period]:
    found = CpliRow(
        uuid.uuid4(),
        SERVICE.service_id,
        uuid.uuid4(),
        "C-1",
        uuid.uuid4(),
        start,
        end,
        authorised,
        None,
        "",
    )
    return found, Period(start, end)


def choose(*candidates: tuple[CpliRow, Period]) -> tuple[CpliRow | None, list[Fault]]:
    faults: list[Fault] = []
    row = ImportRow(2, "SVC-1", "C-1", WEEK, None, None, "")  # type: ignore[arg-type]
    return _cpli_of(row, SERVICE, list(candidates), faults), faults


def test_the_one_authorised_cpli_of_that_week_is_chosen():
    only = cpli(date(2026, 1, 5))
    assert choose(only) == (only[0], [])
    ended, current = cpli(date(2025, 1, 6), date(2026, 11, 1)), cpli(date(2026, 11, 2))
    assert choose(ended, current) == (current[0], [])


def test_a_cpli_that_is_not_authorised_or_not_active_that_week_is_not_chosen():
    for candidates in (
        [cpli(date(2026, 1, 5), authorised=False)],
        [cpli(date(2026, 11, 23))],
        [cpli(date(2026, 11, 23)), cpli(date(2026, 1, 5), date(2026, 11, 15))],
    ):
        found, faults = choose(*candidates)
        assert found is None
        assert [(f.row, f.column) for f in faults] == [(2, "week_commencing")]
        assert "has no authorised care package line on Home care" in faults[0].message


def test_two_cplis_active_that_week_are_refused_as_ambiguous():
    found, faults = choose(cpli(date(2026, 1, 5)), cpli(date(2026, 11, 18)))
    assert found is None
    assert [(f.row, f.column, f.message) for f in faults] == [
        (
            2,
            "client_reference",
            "client 'C-1' has 2 care package lines on Home care that week: enter them on the Actuals page",
        )
    ]


def test_a_client_without_a_cpli_is_unknown():
    found, faults = choose()
    assert found is None and [(f.row, f.column) for f in faults] == [(2, "client_reference")]


def test_the_planned_units_of_a_row_are_the_plans_for_that_week():
    plans = Plans()
    weekly, _ = cpli(date(2026, 1, 5))
    weekly = CpliRow(*[*vars_of(weekly)[:8], Decimal("10"), ""])
    # starts on the Thursday of the week: 4 days of 10 a week, to the quarter: 5.75
    late = CpliRow(*[*vars_of(weekly)[:5], date(2026, 11, 19), None, True, Decimal("10"), ""])
    # three 45-minute visits (Monday, Wednesday, Friday) and one on Sunday of 30
    visits = CpliRow(*[*vars_of(weekly)[:8], None, "0:45,2:45,4:45,6:30"])
    for row in (weekly, late, visits):
        plans.add(row)
    assert [plans.planned(row, WEEK) for row in (weekly, late, visits)] == [
        Decimal("10"),
        Decimal("5.75"),
        Decimal("2.75"),
    ]


def vars_of(row: CpliRow) -> list[object]:
    return [getattr(row, name) for name in row.__dataclass_fields__]
