"""What claims re-publishes when a consumer asks for a backfill (shared.backfill): every accepted claim,
as the `claims.claim.decided.v1` its council's decision published, built by the same
`claims.handlers.views.decided_event` from the claim's row and its items (with their levels, clients and
attachments) as they stand, so that reports can fill its accepted claims late.

Only accepted claims: a rejected one carries nothing any consumer keeps (payments pays and reports shows
the included items of accepted claims), and a claim not yet decided has no decision event. Payments keeps
a decision's items once (`payments.store.projections.apply_claim_decided`), so a re-published decision
pays nothing twice. The query reads every authority's claims: a backfill is claims' own work.
"""

from __future__ import annotations

import uuid

import asyncpg

from claims.handlers.views import decided_event
from claims.store import items as item_store
from claims.store.claims import SELECTED
from claims.store.records import ClaimRow, ItemRow
from shared.backfill import Republisher
from shared.events import ClaimDecided, EventPayload

ACCEPTED = f"SELECT {SELECTED} FROM claims.claim c WHERE c.status = 'accepted' ORDER BY c.claim_id"


async def decided_events(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[EventPayload]:
    """The decision events of a chunk of accepted claims, their items read in one query."""
    claims = [ClaimRow.model_validate(dict(row)) for row in rows]
    items: dict[uuid.UUID, list[ItemRow]] = {c.claim_id: [] for c in claims}
    for item in await item_store.of_claims(conn, claim_ids=list(items)):
        items[item.claim_id].append(item)
    return [decided_event(claim, items[claim.claim_id]) for claim in claims]


REPUBLISHERS = (Republisher(ClaimDecided, ACCEPTED, aggregate_id="claim_id", build=decided_events),)
