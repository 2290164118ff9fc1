"""The council's claimable service levels ("In-House Fostering Placement - Mileage" at £0.387 a mile,
parking at cost) and the providers that may claim each (`claims.claimable_level`,
`claims.claimable_level_provider`).

A level is usable by a provider on a date when it is of the provider's authority, in effect on the date
(effective_from <= date <= effective_to, or open-ended), and open to all providers or to the provider's
organisation by name (`open_to`). `usable_levels` / `usable` answer that for the options and the
provider side's item checks; `offered` says whether the authority takes claims from the organisation.
The clients a provider may claim for are `claims.store.placements`' (`placed_client` is also named here,
where the item checks first looked for it).

The council's writes are set-based (one statement per table for a whole call) and take the authority
from the verified caller; the conflict key (authority_id, reference) holds it, so they cannot touch
another authority's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from claims.store.placements import PLACEMENT_GRACE, placed_client, placement_scope
from claims.store.placements import PlacedClient as Client
from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Scope, Unscoped, execute, fetch, fetch_one, fetch_value

COUNCIL_WRITE = Unscoped("the council's write in its own authority (the conflict key holds the authority)")
OWN_CHILDREN = Unscoped("the providers of levels just written in the caller's own authority")
LEVEL_ROWS = Columns(authority="l.authority_id", organisation=None)
LEVEL_COLUMNS = LEVEL_ROWS
ORGANISATION_ROWS = Columns(organisation=None)


def level_scope(principal: Principal) -> Scope:
    """Levels belong to the authority, not to an organisation: every provider's user of the authority
    (contract- and service-scoped too) reads them; which organisation may claim one is a separate test."""
    return Scope.of(principal, LEVEL_ROWS, organisation_rows=True)


def open_to(day: str, organisation: str) -> str:
    """The condition on level `l` that the organisation (parameter `organisation`) may claim it on the
    date (parameter `day`): in effect, and open to all providers or to it by name. The authority is
    the scope's."""
    return f"""
        l.effective_from <= {day}::date AND (l.effective_to IS NULL OR l.effective_to >= {day}::date)
        AND (l.all_providers OR EXISTS (SELECT 1 FROM claims.claimable_level_provider lp
                                         WHERE lp.level_id = l.level_id AND lp.organisation_id = {organisation}))
    """


class Level(Record):
    """A level as an item uses it: its unit and unit cost (None: claimed at cost), its kind and code."""

    level_id: uuid.UUID
    reference: str
    name: str
    kind: str
    unit: str
    unit_cost: Decimal | None
    cost_code: str | None


class CouncilLevel(Level):
    """A level as the council manages it, with who may claim it."""

    effective_from: date
    effective_to: date | None
    all_providers: bool
    providers: list[uuid.UUID]
    revision: int
    updated_at: datetime


@dataclass(frozen=True)
class LevelRow:
    """One level to write, as checked by the handler (`organisations` empty when all_providers)."""

    reference: str
    name: str
    kind: str
    unit: str
    unit_cost: Decimal | None
    cost_code: str | None
    effective_from: date
    effective_to: date | None
    all_providers: bool
    organisations: tuple[uuid.UUID, ...]


CLAIMABLE = "l.level_id, l.reference, l.name, l.kind, l.unit, l.unit_cost, l.cost_code"
LEVEL_SELECT = f"""
    SELECT {CLAIMABLE}, l.effective_from, l.effective_to, l.all_providers, l.revision, l.updated_at,
           COALESCE((SELECT array_agg(p.organisation_id ORDER BY p.organisation_id)
                       FROM claims.claimable_level_provider p WHERE p.level_id = l.level_id),
                    '{{}}'::uuid[]) AS providers
      FROM claims.claimable_level l
"""
# --- the council's ----------------------------------------------------------------------------------


async def write_levels(conn: asyncpg.Connection, *, authority_id: uuid.UUID, rows: Sequence[LevelRow]) -> int:
    """Create or change these levels by reference (each write a new revision) and replace who may claim
    them; answer how many were written."""
    written = await fetch(
        conn,
        _Written,
        """
        INSERT INTO claims.claimable_level AS l (level_id, authority_id, reference, name, kind, unit,
                                                unit_cost, cost_code, effective_from, effective_to,
                                                all_providers)
        SELECT gen_random_uuid(), $1, r.*
          FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::date[],
                      $9::date[], $10::boolean[])
               AS r(reference, name, kind, unit, unit_cost, cost_code, effective_from, effective_to,
                    all_providers)
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET name = EXCLUDED.name, kind = EXCLUDED.kind, unit = EXCLUDED.unit,
               unit_cost = EXCLUDED.unit_cost, cost_code = EXCLUDED.cost_code,
               effective_from = EXCLUDED.effective_from, effective_to = EXCLUDED.effective_to,
               all_providers = EXCLUDED.all_providers, revision = l.revision + 1, updated_at = now()
        RETURNING level_id, reference
        """,
        authority_id,
        [r.reference for r in rows],
        [r.name for r in rows],
        [r.kind for r in rows],
        [r.unit for r in rows],
        [r.unit_cost for r in rows],
        [r.cost_code for r in rows],
        [r.effective_from for r in rows],
        [r.effective_to for r in rows],
        [r.all_providers for r in rows],
        scope=COUNCIL_WRITE,
    )
    ids = {w.reference: w.level_id for w in written}
    await execute(
        conn,
        "DELETE FROM claims.claimable_level_provider WHERE level_id = ANY($1::uuid[])",
        list(ids.values()),
        scope=OWN_CHILDREN,
    )
    pairs = [(ids[r.reference], o) for r in rows for o in r.organisations]
    await execute(
        conn,
        """
        INSERT INTO claims.claimable_level_provider (level_id, authority_id, organisation_id)
        SELECT p.level_id, $1, p.organisation_id FROM unnest($2::uuid[], $3::uuid[]) AS p(level_id, organisation_id)
        """,
        authority_id,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        scope=OWN_CHILDREN,
    )
    return len(written)


class _Written(Record):
    level_id: uuid.UUID
    reference: str


async def list_levels(
    conn: asyncpg.Connection, *, scope: AnyScope, limit: int, offset: int
) -> list[CouncilLevel]:
    """By reference, then id (a unique key: pages neither repeat nor skip)."""
    return await fetch(
        conn,
        CouncilLevel,
        f"{LEVEL_SELECT} WHERE {{scope}} ORDER BY l.reference, l.level_id LIMIT $1 OFFSET $2",
        limit,
        offset,
        scope=scope,
    )


async def known_organisations(
    conn: asyncpg.Connection, *, scope: AnyScope, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these ids are organisations the scope's authority holds (identity's, projected)."""
    rows = await fetch(
        conn,
        _Organisation,
        "SELECT organisation_id FROM claims.organisation WHERE organisation_id = ANY($1::uuid[]) AND {scope}",
        list(ids),
        scope=scope,
    )
    return {r.organisation_id for r in rows}


class _Organisation(Record):
    organisation_id: uuid.UUID


# --- what a provider may claim --------------------------------------------------------------------


async def usable_levels(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    organisation_id: uuid.UUID,
    day: date,
    kind: str | None = None,
) -> list[Level]:
    """The levels the organisation may claim on `day` (of `kind` when given), by name, then reference."""
    return await fetch(
        conn,
        Level,
        f"SELECT {CLAIMABLE} FROM claims.claimable_level l WHERE {open_to('$1', '$2')}"
        " AND ($3::text IS NULL OR l.kind = $3) AND {scope} ORDER BY l.name, l.reference, l.level_id",
        day,
        organisation_id,
        kind,
        scope=scope,
    )


async def usable(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    organisation_id: uuid.UUID,
    level_id: uuid.UUID,
    kind: str,
    day: date,
) -> Level | None:
    """The level if the organisation may claim it on `day` on an item of `kind`; None for any other id
    (another authority's, out of its dates, closed to the organisation, of the other kind, unknown)."""
    return await fetch_one(
        conn,
        Level,
        f"SELECT {CLAIMABLE} FROM claims.claimable_level l"
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


__all__ = [
    "PLACEMENT_GRACE",
    "Client",
    "CouncilLevel",
    "Level",
    "LevelRow",
    "level_scope",
    "offered",
    "placed_client",
    "placement_scope",
    "usable",
    "usable_levels",
]
