"""The clients placed with a provider, from actuals' clients and CPLIs as claims keeps them
(`claims.client`, `claims.placement`, filled by `claims.consumers`).

A client can be claimed for on a date when one of the caller's organisation's authorised placements is
current on it: started on or before the date and not ended more than 28 days before it (a carer claims
for a journey of the last weeks of a placement after it ended; the claims contract).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

import asyncpg

from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Scope, Unscoped, fetch, fetch_one, fetch_value

# A placement belongs to an organisation, a contract and a service: a contract- or service-scoped user
# sees the clients of their own part of it.
PLACEMENT_ROWS = Columns(
    authority="p.authority_id",
    organisation="p.organisation_id",
    contract="p.contract_id",
    service="p.service_id",
)
PLACEMENT_COLUMNS = PLACEMENT_ROWS
PLACEMENT_GRACE = timedelta(days=28)


def placement_scope(principal: Principal) -> Scope:
    """The caller's placements: its organisation's, and within a contract or service scope only those."""
    return Scope.of(principal, PLACEMENT_ROWS)


CURRENT = """
      FROM claims.client c
     WHERE EXISTS (SELECT 1 FROM claims.placement p
                    WHERE p.client_id = c.client_id AND p.authority_id = c.authority_id AND p.authorised
                      AND p.start_date <= $1::date
                      AND (p.end_date IS NULL OR p.end_date >= $1::date - $2::integer)
                      AND {scope})
"""


class PlacedClient(Record):
    client_id: uuid.UUID
    reference: str
    name: str


async def placed_clients(conn: asyncpg.Connection, *, scope: AnyScope, day: date) -> list[PlacedClient]:
    """The clients of the scope's current authorised placements on `day`, by name (then reference, id)."""
    return await fetch(
        conn,
        PlacedClient,
        f"SELECT c.client_id, c.reference, c.name {CURRENT} ORDER BY c.name, c.reference, c.client_id",
        day,
        PLACEMENT_GRACE.days,
        scope=scope,
    )


async def placed_client(
    conn: asyncpg.Connection, *, scope: AnyScope, client_id: uuid.UUID, day: date
) -> PlacedClient | None:
    """The client if it has an authorised placement with the caller current on `day` (or ended at most
    PLACEMENT_GRACE before it); None for a client of another provider or an unknown id."""
    return await fetch_one(
        conn,
        PlacedClient,
        f"SELECT c.client_id, c.reference, c.name {CURRENT} AND c.client_id = $3",
        day,
        PLACEMENT_GRACE.days,
        client_id,
        scope=scope,
    )


PROJECTIONS = Unscoped("whether a projection holds any row at all, for the worker's backfill request")


async def empty_projections(conn: asyncpg.Connection, *, tables: Sequence[str]) -> list[str]:
    """Which of claims' projected tables (`client`, `placement`) hold no row."""
    known = {"client", "placement"}  # names go into the SQL: only these two
    empty = []
    for table in tables:
        if table not in known:
            raise ValueError(f"claims projects no table {table!r}")
        if not await fetch_value(
            conn, f"SELECT NOT EXISTS (SELECT 1 FROM claims.{table})", scope=PROJECTIONS
        ):
            continue
        empty.append(table)
    return empty
