"""The lines of a week of actuals and their visits.

The page of a week is one set-based query: the week's lines and, beside them, the authorised CPLIs
active in the week that have no line yet (shown "unplanned"), filtered, counted and paged in SQL.
Every query starts from the service found inside the caller's scope (the `{scope}` marker on
provider_service), so a line of another provider's week is never read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

from shared.records import Record
from shared.store import AnyScope, Unscoped, fetch, fetch_one, fetch_value

# Writes below touch only the rows of a week that the handler locked inside the caller's scope.
LOCKED_WEEK = Unscoped("rows of a week already locked inside the caller's scope")


class Line(Record):
    line_id: uuid.UUID | None
    cpli_id: uuid.UUID
    client_id: uuid.UUID
    ssref: str
    client_name: str
    service_level_id: uuid.UUID
    service_level_name: str
    unit: str
    actual: Decimal
    planned: Decimal
    frustrated: Decimal
    missed: Decimal
    extra: Decimal
    visits: int | None
    unit_rate: Decimal
    averaged: bool
    total: Decimal
    planned_total: Decimal
    comment: str
    state: str
    timetabled: bool
    entered: bool


class PageLine(Line):
    matching: int  # how many lines match the filters (every page carries the count)


# The week's lines, and the unplanned CPLIs beside them. $1 service, $2 week_id (NULL: no week row
# yet), $3 week commencing, $4 whether the week is locked. The service is read inside the scope.
WEEK_ROWS = """
    WITH s AS (
        SELECT s.service_id FROM actuals.provider_service s WHERE {scope} AND s.service_id = $1
    ), rows AS (  -- keys only: the figures are read for the page's lines alone
        SELECT l.line_id, l.cpli_id, l.client_id, l.entered
          FROM actuals.actual_line l
          JOIN s ON s.service_id = l.service_id
         WHERE l.week_id = $2
        UNION ALL
        SELECT NULL::uuid, c.cpli_id, c.client_id, false
          FROM actuals.cpli c
          JOIN s ON s.service_id = c.service_id
         WHERE c.authorised AND c.start_date <= $3::date + 6 AND (c.end_date IS NULL OR c.end_date >= $3::date)
           AND NOT EXISTS (SELECT 1 FROM actuals.actual_line l WHERE l.week_id = $2 AND l.cpli_id = c.cpli_id)
    ), stated AS (
        SELECT r.*, CASE WHEN $4 THEN 'locked' WHEN r.line_id IS NULL THEN 'unplanned'
                         WHEN r.entered THEN 'intermittent' ELSE 'planned' END AS state
          FROM rows r
    )
"""

LINE_FIELDS = """
    x.line_id, x.cpli_id, x.client_id, cl.reference AS ssref, cl.name AS client_name, x.service_level_id,
    sl.name AS service_level_name, sl.unit, x.actual, x.planned, x.frustrated, x.missed, x.extra, x.visits,
    x.unit_rate, x.averaged, x.total, x.planned_total, x.comment, x.state, x.entered,
    EXISTS (SELECT 1 FROM actuals.cpli_visit v WHERE v.cpli_id = x.cpli_id) AS timetabled
"""


PAGE = (
    WEEK_ROWS
    + """
        , picked AS (
            SELECT st.*, cl.name AS sort_name, cl.reference AS sort_ref, count(*) OVER () AS matching
              FROM stated st JOIN actuals.client cl ON cl.client_id = st.client_id
             WHERE ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM actuals.cpli f
                                                 WHERE f.cpli_id = st.cpli_id AND f.service_level_id = $5))
               AND ($6::uuid IS NULL OR st.client_id = $6)
               AND ($7::boolean IS NULL OR st.entered = $7)
               AND ($8::text IS NULL OR st.state = $8)
             ORDER BY cl.name, cl.reference, st.cpli_id
             LIMIT $9 OFFSET $10
        )
        SELECT x.line_id, x.cpli_id, x.client_id, x.sort_ref AS ssref, x.sort_name AS client_name,
               c.service_level_id, sl.name AS service_level_name, sl.unit, coalesce(l.actual, 0) AS actual,
               coalesce(l.planned, 0) AS planned, coalesce(l.frustrated, 0) AS frustrated,
               coalesce(l.missed, 0) AS missed, coalesce(l.extra, 0) AS extra, l.visits,
               coalesce(l.unit_rate, 0) AS unit_rate, coalesce(l.averaged, false) AS averaged,
               coalesce(l.total, 0) AS total, coalesce(l.planned_total, 0) AS planned_total,
               coalesce(l.comment, '') AS comment, x.state, x.entered, x.matching,
               EXISTS (SELECT 1 FROM actuals.cpli_visit v WHERE v.cpli_id = x.cpli_id) AS timetabled
          FROM picked x
          LEFT JOIN actuals.actual_line l ON l.line_id = x.line_id
          JOIN actuals.cpli c ON c.cpli_id = x.cpli_id
          JOIN actuals.service_level sl ON sl.service_level_id = c.service_level_id
         ORDER BY x.sort_name, x.sort_ref, x.cpli_id
"""
)


async def plan_for_the_values(conn: asyncpg.Connection) -> None:
    """For the rest of this transaction, plan every statement for its values. The week's page filters
    with `($n IS NULL OR ...)` and reads weeks of any size; the generic plan asyncpg's prepared
    statements get after five runs was measured 40 times slower than one made for the values (about
    900 against 22 ms for a week of 5,000 lines just generated). Planning costs about 1 ms."""
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")


@dataclass(frozen=True)
class WeekRows:
    """Which rows of a week a page shows: the service's week (week_id None: no row yet) and the filters."""

    service_id: uuid.UUID
    week_id: uuid.UUID | None
    week: date
    locked: bool
    service_level_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    with_actuals: bool | None = None
    state: str | None = None

    def args(self) -> tuple[object, ...]:
        return (
            self.service_id,
            self.week_id,
            self.week,
            self.locked,
            self.service_level_id,
            self.client_id,
            self.with_actuals,
            self.state,
        )


async def week_page(
    conn: asyncpg.Connection, *, scope: AnyScope, rows: WeekRows, limit: int, offset: int
) -> list[PageLine]:
    """One page of the week's lines by client name, each carrying how many lines match the filters.
    The page is cut on the keys before the figures are read, so a page costs little in a big week."""
    return await fetch(conn, PageLine, PAGE, *rows.args(), limit, offset, scope=scope)


async def count_matching(conn: asyncpg.Connection, *, scope: AnyScope, rows: WeekRows) -> int:
    """How many lines match (for a page asked past the end, which holds no row to carry the count)."""
    query = (
        WEEK_ROWS
        + """
        SELECT count(*) FROM stated st
         WHERE ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM actuals.cpli f
                                             WHERE f.cpli_id = st.cpli_id AND f.service_level_id = $5))
           AND ($6::uuid IS NULL OR st.client_id = $6)
           AND ($7::boolean IS NULL OR st.entered = $7) AND ($8::text IS NULL OR st.state = $8)
        """
    )
    return int(await fetch_value(conn, query, *rows.args(), scope=scope))


class Totals(Record):
    lines: int
    total: Decimal
    planned_total: Decimal


async def week_totals(conn: asyncpg.Connection, *, week_id: uuid.UUID | None) -> Totals:
    """The whole week's totals (exact sums of the lines: never rounded again)."""
    row = await conn.fetchrow(
        "SELECT count(*) AS lines, coalesce(sum(total), 0) AS total,"
        " coalesce(sum(planned_total), 0) AS planned_total FROM actuals.actual_line WHERE week_id = $1",
        week_id,
    )
    return Totals.from_row(row)


async def unplanned_count(
    conn: asyncpg.Connection, *, service_id: uuid.UUID, week_id: uuid.UUID | None, week: date
) -> int:
    """Authorised CPLIs active in the week that have no line yet (in a week locked inside the scope)."""
    return int(
        await conn.fetchval(
            """
            SELECT count(*) FROM actuals.cpli c
             WHERE c.service_id = $1 AND c.authorised AND c.start_date <= $3::date + 6
               AND (c.end_date IS NULL OR c.end_date >= $3::date)
               AND NOT EXISTS (SELECT 1 FROM actuals.actual_line l WHERE l.week_id = $2 AND l.cpli_id = c.cpli_id)
            """,
            service_id,
            week_id,
            week,
        )
    )


class Plan(Record):
    """The CPLIs of a service that share one plan (days, weekly units, timetable, service level) and
    have no line in the week yet: Generate Actuals applies the rule once per plan, not once per CPLI."""

    service_level_id: uuid.UUID
    start_date: date
    end_date: date | None
    units_per_week: Decimal | None
    weekdays: list[int]  # the timetable, as parallel arrays (empty: not timetabled)
    minutes: list[int]
    carers: list[int]
    cpli_ids: list[uuid.UUID]
    client_ids: list[uuid.UUID]


async def plans_to_generate(
    conn: asyncpg.Connection, *, service_id: uuid.UUID, week_id: uuid.UUID, week: date
) -> list[Plan]:
    """The authorised CPLIs of the service with a day in the week and no line in it yet, grouped by
    their plan (the domain rule decides again which get a line, and its planned units). The week is
    locked inside the caller's scope."""
    return await fetch(
        conn,
        Plan,
        """
        WITH c AS (
            SELECT c.cpli_id, c.client_id, c.service_level_id, c.start_date, c.end_date, c.units_per_week
              FROM actuals.cpli c
             WHERE c.service_id = $1 AND c.authorised AND c.start_date <= $3::date + 6
               AND (c.end_date IS NULL OR c.end_date >= $3::date)
               AND NOT EXISTS (SELECT 1 FROM actuals.actual_line l WHERE l.week_id = $2 AND l.cpli_id = c.cpli_id)
        ), t AS (  -- the timetables in one pass, not one subquery per CPLI
            SELECT v.cpli_id, array_agg(v.weekday ORDER BY v.weekday, v.start_time) AS weekdays,
                   array_agg(v.minutes ORDER BY v.weekday, v.start_time) AS minutes,
                   array_agg(v.carers ORDER BY v.weekday, v.start_time) AS carers
              FROM actuals.cpli_visit v JOIN c ON c.cpli_id = v.cpli_id
             GROUP BY v.cpli_id
        )
        SELECT c.service_level_id, c.start_date, c.end_date, c.units_per_week,
               coalesce(t.weekdays, '{}') AS weekdays, coalesce(t.minutes, '{}') AS minutes,
               coalesce(t.carers, '{}') AS carers, array_agg(c.cpli_id ORDER BY c.cpli_id) AS cpli_ids,
               array_agg(c.client_id ORDER BY c.cpli_id) AS client_ids
          FROM c LEFT JOIN t ON t.cpli_id = c.cpli_id
         GROUP BY c.service_level_id, c.start_date, c.end_date, c.units_per_week, t.weekdays, t.minutes, t.carers
        """,
        service_id,
        week_id,
        week,
        scope=LOCKED_WEEK,
    )


class Kind(Record):
    """What a group of new lines shares: the planned units and visits, and their costs."""

    planned: Decimal
    visits: int | None
    unit_rate: Decimal
    averaged: bool
    total: Decimal
    planned_total: Decimal


async def insert_lines(
    conn: asyncpg.Connection,
    *,
    week_id: uuid.UUID,
    by: str,
    cpli_ids: list[uuid.UUID],
    client_ids: list[uuid.UUID],
    kind_of: list[int],
    kinds: list[Kind],
) -> int:
    """The new lines in one statement, each line naming its kind (an index into `kinds`, from 0): the
    figures many lines share travel once. actual = planned: delivered as planned until someone says
    otherwise. A CPLI that has a line already keeps it. Answers how many were added."""
    status = await conn.execute(
        """
        INSERT INTO actuals.actual_line
               (line_id, week_id, authority_id, organisation_id, contract_id, service_id, cpli_id, client_id,
                actual, planned, visits, unit_rate, averaged, total, planned_total, updated_by)
        SELECT gen_random_uuid(), w.week_id, w.authority_id, w.organisation_id, w.contract_id, w.service_id,
               u.cpli_id, u.client_id, k.planned, k.planned, k.visits, k.unit_rate, k.averaged, k.total,
               k.planned_total, $2
          FROM actuals.actual_week w,
               unnest($3::uuid[], $4::uuid[], $5::integer[]) AS u(cpli_id, client_id, kind)
               JOIN unnest($6::numeric[], $7::integer[], $8::numeric[], $9::boolean[], $10::numeric[],
                           $11::numeric[]) WITH ORDINALITY
                    AS k(planned, visits, unit_rate, averaged, total, planned_total, n) ON k.n = u.kind + 1
         WHERE w.week_id = $1
        ON CONFLICT (week_id, cpli_id) DO NOTHING
        """,
        week_id,
        by,
        cpli_ids,
        client_ids,
        kind_of,
        [k.planned for k in kinds],
        [k.visits for k in kinds],
        [k.unit_rate for k in kinds],
        [k.averaged for k in kinds],
        [k.total for k in kinds],
        [k.planned_total for k in kinds],
    )
    return int(status.split()[-1])


LINE_OF_WEEK = f"""
    WITH x AS (
        SELECT l.*, c.service_level_id,
               CASE WHEN $3 THEN 'locked' WHEN l.entered THEN 'intermittent' ELSE 'planned' END AS state
          FROM actuals.actual_line l JOIN actuals.cpli c ON c.cpli_id = l.cpli_id
         WHERE l.week_id = $1 AND l.line_id = $2
    )
    SELECT {LINE_FIELDS}
      FROM x
      JOIN actuals.client cl ON cl.client_id = x.client_id
      JOIN actuals.service_level sl ON sl.service_level_id = x.service_level_id
"""


async def get_line(
    conn: asyncpg.Connection, *, week_id: uuid.UUID, line_id: uuid.UUID, locked: bool
) -> Line | None:
    """A line of a week found inside the caller's scope; None when the id is not one of its lines."""
    return await fetch_one(conn, Line, LINE_OF_WEEK, week_id, line_id, locked, scope=LOCKED_WEEK)


async def all_lines(conn: asyncpg.Connection, *, week_id: uuid.UUID) -> list[Line]:
    """Every line of the week (for its confirmation), by client."""
    return await fetch(
        conn,
        Line,
        f"""
        WITH x AS (
            SELECT l.*, c.service_level_id, 'planned' AS state
              FROM actuals.actual_line l JOIN actuals.cpli c ON c.cpli_id = l.cpli_id
             WHERE l.week_id = $1
        )
        SELECT {LINE_FIELDS}
          FROM x
          JOIN actuals.client cl ON cl.client_id = x.client_id
          JOIN actuals.service_level sl ON sl.service_level_id = x.service_level_id
         ORDER BY cl.name, cl.reference, x.cpli_id
        """,
        week_id,
        scope=LOCKED_WEEK,
    )


async def update_line(
    conn: asyncpg.Connection,
    *,
    line_id: uuid.UUID,
    by: str,
    actual: Decimal,
    frustrated: Decimal,
    missed: Decimal,
    extra: Decimal,
    visits: int | None,
    comment: str,
    unit_rate: Decimal,
    averaged: bool,
    total: Decimal,
    planned_total: Decimal,
) -> None:
    """The line's actuals as recorded, with its costs (the line of a week locked inside the scope)."""
    await conn.execute(
        """
        UPDATE actuals.actual_line
           SET actual = $2, frustrated = $3, missed = $4, extra = $5, visits = $6, comment = $7,
               unit_rate = $8, averaged = $9, total = $10, planned_total = $11, entered = true,
               updated_at = now(), updated_by = $12
         WHERE line_id = $1
        """,
        line_id,
        actual,
        frustrated,
        missed,
        extra,
        visits,
        comment,
        unit_rate,
        averaged,
        total,
        planned_total,
        by,
    )
