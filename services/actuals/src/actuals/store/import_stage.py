"""SQL of the bulk import's job: what it reads of the uploader's services, CPLIs and rates, and the
set-based write (docs/actuals.md "Bulk import").

The checked rows are copied into a temporary table and written with one `INSERT ... ON CONFLICT
(week_id, cpli_id) DO UPDATE`; the weeks they touch are created or locked, and their version bumped
once, by one upsert in (service, week) order (the week write protocol, in a fixed order so that two
writers never wait on each other in a circle).

The rows the import reads in bulk (a service's CPLIs, the staged lines) are plain tuples, not Records:
there can be 100,000 of them and a pydantic model per row would cost more than the import itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

from actuals.domain.costs import RateChange
from actuals.store.imports import BULK_TIMEOUT, prefixed
from shared.auth import Principal
from shared.store import AnyScope, Scope, scoped_sql


@dataclass(frozen=True, slots=True)
class ServiceRow:
    service_id: uuid.UUID
    reference: str
    name: str
    contract_id: uuid.UUID
    payment_basis: str
    pays_frustrated: bool
    pays_extras: bool


async def services_in_scope(conn: asyncpg.Connection, *, scope: Scope) -> list[ServiceRow]:
    query, params = scoped_sql(
        "SELECT s.service_id, s.reference, s.name, s.contract_id, c.payment_basis, c.pays_frustrated,"
        " c.pays_extras FROM actuals.provider_service s JOIN actuals.contract c USING (contract_id)"
        " WHERE s.active AND {scope} ORDER BY s.name, s.service_id",
        (),
        Scope.of(scope.principal, prefixed("s")),
    )
    return [ServiceRow(*row) for row in await conn.fetch(query, *params)]


@dataclass(frozen=True, slots=True)
class CpliRow:
    cpli_id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    service_level_id: uuid.UUID
    start_date: date
    end_date: date | None
    authorised: bool
    units_per_week: Decimal | None
    timetable: str  # the visits as "weekday:minutes" by weekday and start ("0:45,2:45"; "": none)


async def cplis_of(
    conn: asyncpg.Connection, *, scope: Scope, service_ids: Sequence[uuid.UUID]
) -> list[CpliRow]:
    """Every CPLI of those services (within the caller's scope), with its client's reference and its plan
    (weekly units or timetable)."""
    query, params = scoped_sql(
        "SELECT p.cpli_id, p.service_id, p.client_id, c.reference, p.service_level_id, p.start_date,"
        " p.end_date, p.authorised, p.units_per_week, coalesce(t.visits, '')"
        " FROM actuals.cpli p JOIN actuals.client c USING (client_id)"
        " LEFT JOIN (SELECT v.cpli_id,"
        "                   string_agg(v.weekday || ':' || v.minutes, ',' ORDER BY v.weekday, v.start_time) AS visits"
        "              FROM actuals.cpli_visit v JOIN actuals.cpli o USING (cpli_id)"
        "             WHERE o.service_id = ANY($1::uuid[]) GROUP BY v.cpli_id) t ON t.cpli_id = p.cpli_id"
        " WHERE p.service_id = ANY($1::uuid[]) AND c.authority_id = p.authority_id AND {scope}",
        (list(service_ids),),
        Scope.of(scope.principal, prefixed("p")),
    )
    return [CpliRow(*row) for row in await conn.fetch(query, *params)]


async def rates_of(
    conn: asyncpg.Connection, *, scope: AnyScope, service_level_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[bool, tuple[RateChange, ...]]]:
    """Each service level's extras rule and its rate history, oldest first."""
    query, params = scoped_sql(
        "SELECT l.service_level_id, l.extras_payable, r.effective_from, r.rate FROM actuals.service_level l"
        " LEFT JOIN actuals.service_level_rate r USING (service_level_id)"
        " WHERE l.service_level_id = ANY($1::uuid[]) AND {scope} ORDER BY l.service_level_id, r.effective_from",
        (list(service_level_ids),),
        scope,
    )
    found: dict[uuid.UUID, tuple[bool, list[RateChange]]] = {}
    for level_id, extras, start, rate in await conn.fetch(query, *params):
        entry = found.setdefault(level_id, (extras, []))
        if start is not None:
            entry[1].append(RateChange(start, rate))
    return {level: (extras, tuple(history)) for level, (extras, history) in found.items()}


@dataclass(frozen=True, slots=True)
class WeekRow:
    week_id: uuid.UUID
    service_id: uuid.UUID
    week_commencing: date
    state: str
    version: int


async def touch_weeks(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    weeks: Sequence[tuple[uuid.UUID, uuid.UUID, date]],
) -> list[WeekRow]:
    """Create the weeks that do not exist and lock every one, bumping its version once: one upsert in
    (service, week) order. `weeks` are (service_id, contract_id, week_commencing) of services already
    found in the caller's scope. A week that is not open is returned as it is, for the caller to refuse
    (its transaction is then rolled back, the version bump with it)."""
    ordered = sorted(set(weeks), key=lambda w: (w[0], w[2]))
    rows = await conn.fetch(
        "INSERT INTO actuals.actual_week (week_id, authority_id, organisation_id, contract_id, service_id,"
        " week_commencing)"
        " SELECT gen_random_uuid(), $1, $2, w.contract_id, w.service_id, w.week"
        " FROM unnest($3::uuid[], $4::uuid[], $5::date[]) WITH ORDINALITY AS w(service_id, contract_id, week, n)"
        " ORDER BY w.n"
        " ON CONFLICT (service_id, week_commencing)"
        " DO UPDATE SET version = actuals.actual_week.version + 1, updated_at = now()"
        " WHERE actuals.actual_week.authority_id = $1 AND actuals.actual_week.organisation_id = $2"
        " RETURNING week_id, service_id, week_commencing, state, version",
        principal.authority_id,
        principal.organisation_id,
        [w[0] for w in ordered],
        [w[1] for w in ordered],
        [w[2] for w in ordered],
    )
    return [WeekRow(*row) for row in rows]


STAGE_COLUMNS = ("row", "service_id", "week", "cpli_id", "client_id", "figures", "visits", "comment")
StagedLine = tuple[int, uuid.UUID, date, uuid.UUID, uuid.UUID, int, int | None, str]
FIGURES_COLUMNS = (
    "figures",
    "actual",
    "planned",
    "frustrated",
    "missed",
    "extra",
    "unit_rate",
    "averaged",
    "total",
    "planned_total",
)
Figures = tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, bool, Decimal, Decimal]


async def open_stage(conn: asyncpg.Connection) -> None:
    """The temporary tables the checked rows are copied into, a chunk at a time, until all are read: a
    row names its figures (quantities and costs), which a file repeats, by number in `import_figures`."""
    # A chunk's lines are sorted (by CPLI) before they are written: with the default 4 MB the sort of
    # 20,000 lines spilled to disk (EXPLAIN ANALYZE: an external merge, about 90 ms of the 750 of a
    # chunk's write). For this transaction only.
    await conn.execute("SET LOCAL work_mem = '32MB'")
    await conn.execute(
        "CREATE TEMPORARY TABLE import_stage (row integer, service_id uuid, week date, cpli_id uuid,"
        " client_id uuid, figures integer, visits integer, comment text) ON COMMIT DROP"
    )
    await conn.execute(
        "CREATE TEMPORARY TABLE import_figures (figures integer PRIMARY KEY, actual numeric, planned numeric,"
        " frustrated numeric, missed numeric, extra numeric, unit_rate numeric, averaged boolean,"
        " total numeric, planned_total numeric) ON COMMIT DROP"
    )


async def stage(conn: asyncpg.Connection, *, lines: Sequence[StagedLine]) -> None:
    await conn.copy_records_to_table(
        "import_stage", records=lines, columns=STAGE_COLUMNS, timeout=BULK_TIMEOUT
    )


async def stage_figures(conn: asyncpg.Connection, *, figures: Sequence[Figures]) -> None:
    await conn.copy_records_to_table("import_figures", records=figures, columns=FIGURES_COLUMNS)


async def staged_duplicates(conn: asyncpg.Connection) -> list[tuple[int, int]]:
    """(row, the first row it repeats): the same client (CPLI) and week twice in the file (a CPLI is of
    one service)."""
    groups = await conn.fetch(
        "SELECT array_agg(row ORDER BY row) FROM import_stage GROUP BY cpli_id, week HAVING count(*) > 1",
        timeout=BULK_TIMEOUT,
    )
    return sorted((later, rows[0]) for (rows,) in groups for later in rows[1:])


async def staged_in_closed_weeks(conn: asyncpg.Connection) -> list[tuple[int, uuid.UUID, date, str]]:
    """(row, service, week, state) of the rows whose week is confirmed or locked (weeks locked already)."""
    rows = await conn.fetch(
        "SELECT s.row, s.service_id, s.week, w.state FROM import_stage s JOIN actuals.actual_week w"
        " ON w.service_id = s.service_id AND w.week_commencing = s.week WHERE w.state <> 'open' ORDER BY s.row",
        timeout=BULK_TIMEOUT,
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def staged_with_visits(conn: asyncpg.Connection) -> list[int]:
    """The rows whose line's figures come from recorded visits (a timetabled line edited visit by visit)."""
    rows = await conn.fetch(
        "SELECT s.row FROM import_stage s JOIN actuals.actual_week w"
        " ON w.service_id = s.service_id AND w.week_commencing = s.week"
        " JOIN actuals.actual_line l ON l.week_id = w.week_id AND l.cpli_id = s.cpli_id"
        " WHERE EXISTS (SELECT 1 FROM actuals.actual_visit v WHERE v.line_id = l.line_id) ORDER BY s.row",
        timeout=BULK_TIMEOUT,
    )
    return [r[0] for r in rows]


async def any_lines(conn: asyncpg.Connection, *, week_ids: Sequence[uuid.UUID]) -> bool:
    """Whether any of these weeks (locked by `touch_weeks`) has a line yet."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM actuals.actual_line WHERE week_id = ANY($1::uuid[]))",
            list(week_ids),
        )
    )


LINE_COLUMNS = (
    "line_id, week_id, authority_id, organisation_id, contract_id, service_id, cpli_id, client_id, actual, planned,"
    " frustrated, missed, extra, visits, comment, unit_rate, averaged, total, planned_total, entered, updated_at,"
    " updated_by"
)
STAGED_LINES = (
    "SELECT gen_random_uuid(), w.week_id, w.authority_id, w.organisation_id, w.contract_id, w.service_id,"
    " s.cpli_id, s.client_id, f.actual, f.planned, f.frustrated, f.missed, f.extra, s.visits, s.comment,"
    " f.unit_rate, f.averaged, f.total, f.planned_total, true, now(), $1"
    " FROM import_stage s JOIN import_figures f USING (figures) JOIN actuals.actual_week w"
    " ON w.service_id = s.service_id AND w.week_commencing = s.week"
)


async def write_staged(conn: asyncpg.Connection, *, updated_by: str, upsert: bool) -> int:
    """Every staged line written in one statement (their weeks locked by `touch_weeks`). `upsert` when a
    week already had lines: then an existing line is updated. Otherwise a plain INSERT, which spares
    PostgreSQL the check for a conflicting line on every row (no other writer can add a line to a week
    this transaction holds: the week write protocol)."""
    conflict = (
        " ON CONFLICT (week_id, cpli_id) DO UPDATE SET actual = EXCLUDED.actual, planned = EXCLUDED.planned,"
        " frustrated = EXCLUDED.frustrated, missed = EXCLUDED.missed, extra = EXCLUDED.extra,"
        " visits = EXCLUDED.visits, comment = EXCLUDED.comment, unit_rate = EXCLUDED.unit_rate,"
        " averaged = EXCLUDED.averaged, total = EXCLUDED.total, planned_total = EXCLUDED.planned_total,"
        " entered = true, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by"
    )
    # In CPLI order: each line's foreign-key check then reads the CPLI index page by page, not at random
    # (measured: about 10% off the write of 100,000 lines).
    status = await conn.execute(
        f"INSERT INTO actuals.actual_line ({LINE_COLUMNS}) {STAGED_LINES} ORDER BY s.cpli_id, s.week"
        f"{conflict if upsert else ''}",
        updated_by,
        timeout=BULK_TIMEOUT,
    )
    return int(status.split()[-1])
