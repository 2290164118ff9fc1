"""The clients placed with a provider, from actuals' clients and CPLIs as claims keeps them
(`claims.client`, `claims.placement`, filled by `claims.consumers`).

A client can be claimed for on a date when one of the caller's organisation's authorised placements is
current on it: started on or before the date and not ended more than 28 days before it (a carer claims
for a journey of the last weeks of a placement after it ended; the claims contract).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import asyncpg

from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Unscoped, fetch, fetch_one, fetch_value

# A placement belongs to an organisation, a contract and a service: a contract- or service-scoped user
# sees the clients of their own part of it.
PLACEMENT_ROWS = Columns(
    authority="p.authority_id",
    organisation="p.organisation_id",
    contract="p.contract_id",
    service="p.service_id",
)
GRACE_DAYS = 28

CURRENT = f"""
      FROM claims.client c
     WHERE EXISTS (SELECT 1 FROM claims.placement p
                    WHERE p.client_id = c.client_id AND p.authority_id = c.authority_id AND p.authorised
                      AND p.start_date <= $1::date
                      AND (p.end_date IS NULL OR p.end_date >= $1::date - {GRACE_DAYS})
                      AND {{scope}})
"""


class PlacedClient(Record):
    client_id: uuid.UUID
    reference: str
    name: str


async def placed_clients(conn: asyncpg.Connection, *, scope: AnyScope, on: date) -> list[PlacedClient]:
    """The clients of the scope's current authorised placements on `on`, by name (then reference, id)."""
    return await fetch(
        conn,
        PlacedClient,
        f"SELECT c.client_id, c.reference, c.name {CURRENT} ORDER BY c.name, c.reference, c.client_id",
        on,
        scope=scope,
    )


async def placed_client(
    conn: asyncpg.Connection, *, scope: AnyScope, client_id: uuid.UUID, on: date
) -> PlacedClient | None:
    """The client if placed with the scope on `on`; None for anyone else's client or an unknown id."""
    return await fetch_one(
        conn,
        PlacedClient,
        f"SELECT c.client_id, c.reference, c.name {CURRENT} AND c.client_id = $2",
        on,
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
