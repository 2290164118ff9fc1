"""SQL of a line's visits (timetabled services): the visits recorded, the CPLI's timetable and period
they are planned from, and the replacement of a line's visits (docs/actuals.md "Timetabled services")."""

from __future__ import annotations

import uuid
from datetime import date, time

import asyncpg

from actuals.store.lines import LOCKED_WEEK
from shared.records import Record
from shared.store import fetch, fetch_one


# Writes below touch only the rows of a week that the handler locked inside the caller's scope.
class Visit(Record):
    visit_id: uuid.UUID | None
    visit_date: date
    start_time: time
    minutes: int
    carers: int
    status: str


async def visits_of(conn: asyncpg.Connection, *, line_id: uuid.UUID) -> list[Visit]:
    """The visits recorded on a line (found inside the scope), in time order."""
    return await fetch(
        conn,
        Visit,
        "SELECT visit_id, visit_date, start_time, minutes, carers, status FROM actuals.actual_visit"
        " WHERE line_id = $1 ORDER BY visit_date, start_time, visit_id",
        line_id,
        scope=LOCKED_WEEK,
    )


class CpliPeriod(Record):
    start_date: date
    end_date: date | None


async def period_of(conn: asyncpg.Connection, *, cpli_id: uuid.UUID) -> CpliPeriod:
    """The CPLI's days (of a line found inside the scope)."""
    found = await fetch_one(
        conn,
        CpliPeriod,
        "SELECT start_date, end_date FROM actuals.cpli WHERE cpli_id = $1",
        cpli_id,
        scope=LOCKED_WEEK,
    )
    assert found is not None  # actual_line.cpli_id references it
    return found


class PlannedVisitRow(Record):
    weekday: int
    start_time: time
    minutes: int
    carers: int


async def timetable_of(conn: asyncpg.Connection, *, cpli_id: uuid.UUID) -> list[PlannedVisitRow]:
    """The CPLI's planned visits (of a line found inside the scope)."""
    return await fetch(
        conn,
        PlannedVisitRow,
        "SELECT weekday, start_time, minutes, carers FROM actuals.cpli_visit WHERE cpli_id = $1"
        " ORDER BY weekday, start_time",
        cpli_id,
        scope=LOCKED_WEEK,
    )


async def replace_visits(
    conn: asyncpg.Connection, *, line_id: uuid.UUID, authority_id: uuid.UUID, visits: list[Visit]
) -> None:
    """The line's visits are these, and only these (one DELETE, one INSERT)."""
    await conn.execute("DELETE FROM actuals.actual_visit WHERE line_id = $1", line_id)
    await conn.execute(
        """
        INSERT INTO actuals.actual_visit (visit_id, line_id, authority_id, visit_date, start_time, minutes, carers, status)
        SELECT gen_random_uuid(), $1, $2, u.visit_date, u.start_time, u.minutes, u.carers, u.status
          FROM unnest($3::date[], $4::time[], $5::integer[], $6::smallint[], $7::text[])
               AS u(visit_date, start_time, minutes, carers, status)
        """,
        line_id,
        authority_id,
        [v.visit_date for v in visits],
        [v.start_time for v in visits],
        [v.minutes for v in visits],
        [v.carers for v in visits],
        [v.status for v in visits],
    )
