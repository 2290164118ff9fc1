"""The claimable service levels and the clients a provider may claim for, as the rules of the contract
say (docs: claims contract "Rules"). The council's side writes these tables; here they are only read,
always within the caller's authority and for the caller's organisation."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import asyncpg

from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Scope, fetch_one, fetch_value

# A placement ended less than this long before the claim date still counts: a carer claims the last
# journeys of a child who has just left.
PLACEMENT_GRACE = timedelta(days=28)

LEVEL_COLUMNS = Columns(authority="l.authority_id", organisation=None)
PLACEMENT_COLUMNS = Columns(
    authority="p.authority_id",
    organisation="p.organisation_id",
    contract="p.contract_id",
    service="p.service_id",
)


def open_to(day: str, organisation: str) -> str:
    """The condition on level `l` that the organisation (parameter `organisation`) may claim it on the
    date (parameter `day`): in effect, and open to all providers or to it by name. The authority is
    the scope's."""
    return f"""
        l.effective_from <= {day} AND (l.effective_to IS NULL OR l.effective_to >= {day})
        AND (l.all_providers OR EXISTS (SELECT 1 FROM claims.claimable_level_provider lp
                                         WHERE lp.level_id = l.level_id AND lp.organisation_id = {organisation}))
    """


class Level(Record):
    level_id: uuid.UUID
    reference: str
    name: str
    kind: str
    unit: str
    unit_cost: Decimal | None
    cost_code: str | None


class Client(Record):
    client_id: uuid.UUID
    reference: str
    name: str


def level_scope(principal: Principal) -> Scope:
    """The authority's levels (the organisation is a parameter of `open_to`, from the verified caller)."""
    return Scope.of(principal, LEVEL_COLUMNS, organisation_rows=True)


def placement_scope(principal: Principal) -> Scope:
    """The caller's placements: its organisation's, and within a contract or service scope only those."""
    return Scope.of(principal, PLACEMENT_COLUMNS)


async def usable(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    organisation_id: uuid.UUID,
    level_id: uuid.UUID,
    kind: str,
    day: date,
) -> Level | None:
    """The level if the organisation may claim it on `day` on an item of `kind`; None for any other id."""
    return await fetch_one(
        conn,
        Level,
        "SELECT l.level_id, l.reference, l.name, l.kind, l.unit, l.unit_cost, l.cost_code"
        " FROM claims.claimable_level l"
        f" WHERE l.level_id = $1 AND {open_to('$2', '$3')} AND l.kind = $4 AND {{scope}}",
        level_id,
        day,
        organisation_id,
        kind,
        scope=scope,
    )


async def offered(
    conn: asyncpg.Connection, *, scope: AnyScope, organisation_id: uuid.UUID, day: date
) -> bool:
    """Whether the authority takes one-off claims from the organisation: a level open to it on `day`."""
    return bool(
        await fetch_value(
            conn,
            f"SELECT EXISTS (SELECT 1 FROM claims.claimable_level l WHERE {open_to('$1', '$2')} AND {{scope}})",
            day,
            organisation_id,
            scope=scope,
        )
    )


async def placed_client(
    conn: asyncpg.Connection, *, scope: AnyScope, client_id: uuid.UUID, day: date
) -> Client | None:
    """The client if it has an authorised placement with the caller current on `day` (or ended at most
    PLACEMENT_GRACE before it); None for a client of another provider or an unknown id."""
    return await fetch_one(
        conn,
        Client,
        """
        SELECT c.client_id, c.reference, c.name FROM claims.client c
         WHERE c.client_id = $1
           AND EXISTS (SELECT 1 FROM claims.placement p
                        WHERE p.client_id = c.client_id AND p.authority_id = c.authority_id AND p.authorised
                          AND p.start_date <= $2 AND (p.end_date IS NULL OR p.end_date >= $3)
                          AND {scope})
        """,
        client_id,
        day,
        day - PLACEMENT_GRACE,
        scope=scope,
    )
