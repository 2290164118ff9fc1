"""What an action can be about, from the projections messaging keeps of identity and actuals
(`messaging.organisation`, `.provider_service`, `.client`, `.placement`): the caller's organisation,
one of its services, or a client one of its CPLIs places with it. Each lookup is within the caller's
scope, so another provider's service or client is simply not found."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from messaging.store.records import Related
from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AuthorityScope, Scope, Unscoped, fetch, fetch_one, fetch_value

ORGANISATION_ROWS = Columns(organisation="o.organisation_id", authority="o.authority_id")
SERVICE_ROWS = Columns(
    authority="s.authority_id",
    organisation="s.organisation_id",
    contract="s.contract_id",
    service="s.service_id",
)
PLACEMENT_ROWS = Columns(
    authority="p.authority_id",
    organisation="p.organisation_id",
    contract="p.contract_id",
    service="p.service_id",
)


async def organisation(conn: asyncpg.Connection, *, principal: Principal) -> Related | None:
    """The caller's own organisation (an organisation row lies in no contract: every scope sees it)."""
    return await fetch_one(
        conn,
        Related,
        "SELECT o.organisation_id AS related_id, o.name AS label FROM messaging.organisation o"
        " WHERE o.organisation_id = $1 AND {scope}",
        principal.organisation_id,
        scope=Scope.of(principal, ORGANISATION_ROWS, organisation_rows=True),
    )


async def service(conn: asyncpg.Connection, *, principal: Principal, service_id: uuid.UUID) -> Related | None:
    return await fetch_one(
        conn,
        Related,
        "SELECT s.service_id AS related_id, s.name AS label, s.contract_id, s.service_id"
        " FROM messaging.provider_service s WHERE s.service_id = $1 AND s.active AND {scope}",
        service_id,
        scope=Scope.of(principal, SERVICE_ROWS),
    )


async def client(conn: asyncpg.Connection, *, principal: Principal, client_id: uuid.UUID) -> Related | None:
    """The client if one of the caller's CPLIs (within its scope) places it with them: the latest such
    placement gives the action its contract and service."""
    return await fetch_one(
        conn,
        Related,
        "SELECT c.client_id AS related_id, c.name AS label, p.contract_id, p.service_id"
        " FROM messaging.placement p JOIN messaging.client c ON c.client_id = p.client_id"
        " AND c.authority_id = p.authority_id"
        " WHERE p.client_id = $1 AND {scope} ORDER BY p.start_date DESC, p.cpli_id LIMIT 1",
        client_id,
        scope=Scope.of(principal, PLACEMENT_ROWS),
    )


class Option(Record):
    kind: str
    related_id: uuid.UUID
    label: str


async def options(conn: asyncpg.Connection, *, principal: Principal) -> list[Option]:
    """What the caller may relate a new action to: its services, then its clients, each by name."""
    services = await fetch(
        conn,
        Option,
        "SELECT 'service' AS kind, s.service_id AS related_id, s.name AS label FROM messaging.provider_service s"
        " WHERE s.active AND {scope} ORDER BY s.name, s.service_id",
        scope=Scope.of(principal, SERVICE_ROWS),
    )
    clients = await fetch(
        conn,
        Option,
        "SELECT DISTINCT 'client' AS kind, c.client_id AS related_id, c.name AS label"
        " FROM messaging.placement p JOIN messaging.client c ON c.client_id = p.client_id"
        " AND c.authority_id = p.authority_id WHERE {scope} ORDER BY label, related_id",
        scope=Scope.of(principal, PLACEMENT_ROWS),
    )
    return [*services, *clients]


PROJECTIONS = Unscoped("whether a projection holds any row at all, for the worker's backfill request")
KNOWN = ("provider_service", "client", "placement", "authority")


async def empty_projections(conn: asyncpg.Connection, *, tables: Sequence[str]) -> list[str]:
    empty = []
    for table in tables:
        if table not in KNOWN:  # names go into the SQL: only these
            raise ValueError(f"messaging projects no table {table!r}")
        if await fetch_value(conn, f"SELECT NOT EXISTS (SELECT 1 FROM messaging.{table})", scope=PROJECTIONS):
            empty.append(table)
    return empty


async def organisation_name(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, organisation_id: uuid.UUID
) -> str | None:
    """An organisation's name within the authority (for a notification: no caller, the action's own)."""
    name = await fetch_value(
        conn,
        "SELECT o.name FROM messaging.organisation o WHERE o.organisation_id = $1 AND {scope}",
        organisation_id,
        scope=AuthorityScope(authority_id, column="o.authority_id"),
    )
    return str(name) if name is not None else None


async def authority_slug(conn: asyncpg.Connection, *, authority_id: uuid.UUID) -> str | None:
    """The authority's slug (its pages' `/<slug>/`), once identity's authority event has arrived."""
    slug = await fetch_value(
        conn,
        "SELECT a.slug FROM messaging.authority a WHERE {scope}",
        scope=AuthorityScope(authority_id, column="a.authority_id"),
    )
    return str(slug) if slug is not None else None
