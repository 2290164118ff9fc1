"""The council's reference data of care packages: clients, service levels (with their rate history) and
CPLIs (with their timetable), and identity's services as actuals keeps them.

Bulk writes are set-based: one statement per table for a whole request (arrays through `unnest`), never
a round trip per row. The council's writes take the authority from the verified caller and the conflict
keys hold it, so they cannot touch another authority's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

import asyncpg

from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Unscoped, execute, fetch, scoped_sql

COUNCIL_WRITE = Unscoped("the council's write in its own authority (the conflict key holds the authority)")
# Scoping columns of each table, as its queries name them (clients and service levels belong to the
# authority only; a CPLI and a service to an organisation, a contract and a service).
AUTHORITY_ROWS = Columns(organisation=None)
LEVEL_ROWS = Columns(authority="l.authority_id", organisation=None)
CPLI_ROWS = Columns(
    authority="p.authority_id",
    organisation="p.organisation_id",
    contract="p.contract_id",
    service="p.service_id",
)
SERVICE_ROWS = Columns(contract="contract_id", service="service_id")


class Client(Record):
    client_id: uuid.UUID
    authority_id: uuid.UUID
    reference: str
    name: str
    date_of_birth: date | None
    revision: int
    updated_at: datetime


class WrittenClient(Client):
    created: bool


class Written(Record):
    """A row a bulk write created or changed: its id under the council's reference, and its new
    revision (the handler builds the row's event from what it wrote and these)."""

    id: uuid.UUID
    reference: str
    revision: int
    updated_at: datetime


# Child rows (rates, timetables) of rows the same transaction has just written in the caller's authority.
OWN_CHILDREN = Unscoped("the child rows of rows just written in the caller's own authority")


class Rate(Record):
    effective_from: date
    rate: Decimal


class ServiceLevel(Record):
    service_level_id: uuid.UUID
    authority_id: uuid.UUID
    reference: str
    name: str
    unit: str
    extras_payable: bool
    rates: list[Rate]
    revision: int
    updated_at: datetime


class Visit(Record):
    weekday: int
    start_time: time
    minutes: int
    carers: int


class Cpli(Record):
    cpli_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    service_level_id: uuid.UUID
    service_level_reference: str
    reference: str
    care_package_ref: str
    start_date: date
    end_date: date | None
    cost: Decimal
    frequency: str
    pricing: str
    units_per_week: Decimal | None
    timetable: list[Visit]
    authorised: bool
    revision: int
    updated_at: datetime


class ProviderService(Record):
    service_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    reference: str
    name: str
    active: bool


# --- clients -----------------------------------------------------------------------------------------

CLIENT_COLUMNS = "client_id, authority_id, reference, name, date_of_birth, revision, updated_at"


async def upsert_clients(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    references: Sequence[str],
    names: Sequence[str],
    dates_of_birth: Sequence[date | None],
) -> list[WrittenClient]:
    """Create or change the clients in one statement; answer only those created or changed (an unchanged
    one is not written, so its revision stays)."""
    return await fetch(
        conn,
        WrittenClient,
        f"""
        INSERT INTO actuals.client AS c (client_id, authority_id, reference, name, date_of_birth)
        SELECT gen_random_uuid(), $1, r.reference, r.name, r.date_of_birth
          FROM unnest($2::text[], $3::text[], $4::date[]) AS r(reference, name, date_of_birth)
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET name = EXCLUDED.name, date_of_birth = EXCLUDED.date_of_birth,
               revision = c.revision + 1, updated_at = now()
         WHERE (c.name, c.date_of_birth) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.date_of_birth)
        RETURNING {CLIENT_COLUMNS}, (xmax = 0) AS created
        """,
        authority_id,
        list(references),
        list(names),
        list(dates_of_birth),
        scope=COUNCIL_WRITE,
    )


async def clients_by_reference(
    conn: asyncpg.Connection, *, scope: AnyScope, references: Sequence[str]
) -> list[Client]:
    return await fetch(
        conn,
        Client,
        f"SELECT {CLIENT_COLUMNS} FROM actuals.client WHERE reference = ANY($1::text[]) AND {{scope}}",
        list(references),
        scope=scope,
    )


async def list_clients(conn: asyncpg.Connection, *, scope: AnyScope, limit: int, offset: int) -> list[Client]:
    return await fetch(
        conn,
        Client,
        f"SELECT {CLIENT_COLUMNS} FROM actuals.client WHERE {{scope}}"
        " ORDER BY reference, client_id LIMIT $1 OFFSET $2",
        limit,
        offset,
        scope=scope,
    )


# --- service levels ----------------------------------------------------------------------------------

SERVICE_LEVEL_SELECT = """
    SELECT l.service_level_id, l.authority_id, l.reference, l.name, l.unit, l.extras_payable, l.revision,
           l.updated_at,
           COALESCE((SELECT json_agg(json_build_object('effective_from', r.effective_from, 'rate', r.rate::text)
                                     ORDER BY r.effective_from)
                       FROM actuals.service_level_rate r WHERE r.service_level_id = l.service_level_id),
                    '[]'::json) AS rates
      FROM actuals.service_level l
"""


async def service_levels_by_reference(
    conn: asyncpg.Connection, *, scope: AnyScope, references: Sequence[str], for_update: bool = False
) -> list[ServiceLevel]:
    """The authority's service levels with these references (locked for the rest of the transaction when
    `for_update`: a bulk upsert compares them with what it was sent)."""
    lock = " FOR UPDATE OF l" if for_update else ""
    return await fetch(
        conn,
        ServiceLevel,
        f"{SERVICE_LEVEL_SELECT} WHERE l.reference = ANY($1::text[]) AND {{scope}}{lock}",
        list(references),
        scope=scope,
    )


async def timetabled_cplis_by_level(
    conn: asyncpg.Connection, *, scope: AnyScope, service_level_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many of the authority's CPLIs at each of these service levels have a timetable of visits."""
    query, params = scoped_sql(
        "SELECT l.service_level_id, count(DISTINCT v.cpli_id) FROM actuals.service_level l"
        " JOIN actuals.cpli p ON p.service_level_id = l.service_level_id"
        " JOIN actuals.cpli_visit v ON v.cpli_id = p.cpli_id"
        " WHERE l.service_level_id = ANY($1::uuid[]) AND {scope} GROUP BY l.service_level_id",
        (list(service_level_ids),),
        scope,
    )
    return {row[0]: row[1] for row in await conn.fetch(query, *params)}


async def list_service_levels(
    conn: asyncpg.Connection, *, scope: AnyScope, limit: int, offset: int
) -> list[ServiceLevel]:
    return await fetch(
        conn,
        ServiceLevel,
        f"{SERVICE_LEVEL_SELECT} WHERE {{scope}} ORDER BY l.reference, l.service_level_id LIMIT $1 OFFSET $2",
        limit,
        offset,
        scope=scope,
    )


async def write_service_levels(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    references: Sequence[str],
    names: Sequence[str],
    units: Sequence[str],
    extras_payable: Sequence[bool],
    rates: Sequence[Sequence[tuple[date, Decimal]]],
) -> list[uuid.UUID]:
    """Create or change these service levels (the caller sends only new or changed ones: each gets a new
    revision) and replace their rate histories; answer their ids in the order given."""
    rows = await fetch(
        conn,
        Written,
        """
        INSERT INTO actuals.service_level AS l (service_level_id, authority_id, reference, name, unit,
                                                extras_payable)
        SELECT gen_random_uuid(), $1, r.reference, r.name, r.unit, r.extras_payable
          FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[])
               AS r(reference, name, unit, extras_payable)
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET name = EXCLUDED.name, unit = EXCLUDED.unit, extras_payable = EXCLUDED.extras_payable,
               revision = l.revision + 1, updated_at = now()
        RETURNING service_level_id AS id, reference, revision, updated_at
        """,
        authority_id,
        list(references),
        list(names),
        list(units),
        list(extras_payable),
        scope=COUNCIL_WRITE,
    )
    ids = {r.reference: r.id for r in rows}
    ordered = [ids[reference] for reference in references]
    await execute(
        conn,
        "DELETE FROM actuals.service_level_rate WHERE service_level_id = ANY($1::uuid[])",
        ordered,
        scope=OWN_CHILDREN,
    )
    flat = [
        (ids[ref], day, rate) for ref, history in zip(references, rates, strict=True) for day, rate in history
    ]
    await execute(
        conn,
        """
        INSERT INTO actuals.service_level_rate (service_level_id, effective_from, rate)
        SELECT * FROM unnest($1::uuid[], $2::date[], $3::numeric[])
        """,
        [f[0] for f in flat],
        [f[1] for f in flat],
        [f[2] for f in flat],
        scope=OWN_CHILDREN,
    )
    return ordered


async def service_levels_by_id(
    conn: asyncpg.Connection, *, scope: AnyScope, ids: Sequence[uuid.UUID]
) -> list[ServiceLevel]:
    return await fetch(
        conn,
        ServiceLevel,
        f"{SERVICE_LEVEL_SELECT} WHERE l.service_level_id = ANY($1::uuid[]) AND {{scope}}",
        list(ids),
        scope=scope,
    )
