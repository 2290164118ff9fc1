"""The provider's services (with their contract's payment policy) and care package line items, each read
within the caller's scope."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, fetch, fetch_one

# provider_service as `s`, cpli as `c`: where each keeps its scoping ids.
SERVICE_COLUMNS = Columns(
    authority="s.authority_id",
    organisation="s.organisation_id",
    contract="s.contract_id",
    service="s.service_id",
)
CPLI_COLUMNS = Columns(
    authority="c.authority_id",
    organisation="c.organisation_id",
    contract="c.contract_id",
    service="c.service_id",
)


class Service(Record):
    """A provider service with what its contract says about paying it."""

    service_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    reference: str
    name: str
    active: bool
    contract_name: str
    payment_basis: str
    pays_frustrated: bool
    pays_extras: bool


SERVICE_SELECT = """
    SELECT s.service_id, s.authority_id, s.organisation_id, s.contract_id, s.reference, s.name,
           s.active AND k.active AS active, k.name AS contract_name, k.payment_basis, k.pays_frustrated,
           k.pays_extras
      FROM actuals.provider_service s
      JOIN actuals.contract k ON k.contract_id = s.contract_id AND k.authority_id = s.authority_id
"""


async def list_services(conn: asyncpg.Connection, *, scope: AnyScope) -> list[Service]:
    """The active services (of active contracts) the scope sees, by name."""
    return await fetch(
        conn,
        Service,
        SERVICE_SELECT + " WHERE {scope} AND s.active AND k.active ORDER BY s.name, s.service_id",
        scope=scope,
    )


async def get_service(conn: asyncpg.Connection, *, scope: AnyScope, service_id: uuid.UUID) -> Service | None:
    """One service inside the scope (active or not: a past week of an ended service can still be read)."""
    return await fetch_one(
        conn, Service, SERVICE_SELECT + " WHERE {scope} AND s.service_id = $1", service_id, scope=scope
    )


class Cpli(Record):
    cpli_id: uuid.UUID
    ssref: str
    client_id: uuid.UUID
    client_name: str
    service_id: uuid.UUID
    service_name: str
    service_level_id: uuid.UUID
    service_level_name: str
    unit: str
    start_date: date
    end_date: date | None
    cost: Decimal
    frequency: str
    pricing: str
    care_package_ref: str
    authorised: bool


# The sort keys a caller may ask for, each ending in the unique key so pages never repeat a row.
CPLI_SORTS: dict[str, str] = {
    "ssref": "cl.reference {dir}, c.cpli_id",
    "client": "cl.name {dir}, cl.reference {dir}, c.cpli_id",
    "service": "s.name {dir}, cl.name, c.cpli_id",
    "service_level": "sl.name {dir}, cl.name, c.cpli_id",
    "start_date": "c.start_date {dir}, cl.name, c.cpli_id",
    "end_date": "c.end_date {dir} NULLS LAST, cl.name, c.cpli_id",
    "authorised": "c.authorised {dir}, cl.name, c.cpli_id",
}


async def list_cplis(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    service_id: uuid.UUID | None,
    client_id: uuid.UUID | None,
    service_level_id: uuid.UUID | None,
    ended_since: date | None,
    include_unauthorised: bool,
    sort: str,
    descending: bool,
    limit: int | None,
    offset: int,
) -> list[Cpli]:
    """The CPLIs in scope matching the filters. `ended_since`: leave out those that ended before it
    (the historical ones); None keeps them. `sort` must be a key of CPLI_SORTS."""
    order = CPLI_SORTS[sort].format(dir="DESC" if descending else "ASC")
    return await fetch(
        conn,
        Cpli,
        f"""
        SELECT c.cpli_id, cl.reference AS ssref, c.client_id, cl.name AS client_name, c.service_id,
               s.name AS service_name, c.service_level_id, sl.name AS service_level_name, sl.unit,
               c.start_date, c.end_date, c.cost, c.frequency, c.pricing, c.care_package_ref, c.authorised
          FROM actuals.cpli c
          JOIN actuals.client cl ON cl.client_id = c.client_id
          JOIN actuals.provider_service s ON s.service_id = c.service_id
          JOIN actuals.service_level sl ON sl.service_level_id = c.service_level_id
         WHERE {{scope}}
           AND ($1::uuid IS NULL OR c.service_id = $1)
           AND ($2::uuid IS NULL OR c.client_id = $2)
           AND ($3::uuid IS NULL OR c.service_level_id = $3)
           AND ($4::date IS NULL OR c.end_date IS NULL OR c.end_date >= $4)
           AND ($5 OR c.authorised)
         ORDER BY {order}
         LIMIT $6 OFFSET $7
        """,
        service_id,
        client_id,
        service_level_id,
        ended_since,
        include_unauthorised,
        limit,
        offset,
        scope=scope,
    )


class Named(Record):
    id: uuid.UUID
    name: str


class NamedClient(Record):
    id: uuid.UUID
    name: str
    ssref: str


async def filter_clients(
    conn: asyncpg.Connection, *, scope: AnyScope, service_id: uuid.UUID | None
) -> list[NamedClient]:
    """The clients who have a CPLI in scope (of the service, when given), by name."""
    return await fetch(
        conn,
        NamedClient,
        """
        SELECT cl.client_id AS id, cl.name, cl.reference AS ssref
          FROM actuals.client cl
         WHERE EXISTS (SELECT 1 FROM actuals.cpli c
                        WHERE c.client_id = cl.client_id AND {scope}
                          AND ($1::uuid IS NULL OR c.service_id = $1))
         ORDER BY cl.name, cl.reference, cl.client_id
        """,
        service_id,
        scope=scope,
    )


async def filter_service_levels(
    conn: asyncpg.Connection, *, scope: AnyScope, service_id: uuid.UUID | None
) -> list[Named]:
    """The service levels of the CPLIs in scope (of the service, when given), by name."""
    return await fetch(
        conn,
        Named,
        """
        SELECT sl.service_level_id AS id, sl.name
          FROM actuals.service_level sl
         WHERE EXISTS (SELECT 1 FROM actuals.cpli c
                        WHERE c.service_level_id = sl.service_level_id AND {scope}
                          AND ($1::uuid IS NULL OR c.service_id = $1))
         ORDER BY sl.name, sl.service_level_id
        """,
        service_id,
        scope=scope,
    )
