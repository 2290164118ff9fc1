"""The council's side of the claim rows: the queue of submitted claims, and a decision written on the
claim and its items. Within the council's authority (`claims.store.claims.claim_scope`); the decision's
writer has locked the claim first (`claims.store.claims.get(..., lock=True)`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

import asyncpg

from claims.store.claims import SELECTED
from claims.store.records import ClaimRow
from shared.store import AnyScope, execute, fetch, fetch_one


async def pending_page(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    organisation_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[ClaimRow]:
    """Submitted claims waiting for a decision (of one organisation when given), oldest submitted
    first, ending in the id so pages never overlap."""
    return await fetch(
        conn,
        ClaimRow,
        f"SELECT {SELECTED} FROM claims.claim c"
        " WHERE c.status = 'pending' AND ($1::uuid IS NULL OR c.organisation_id = $1) AND {scope}"
        " ORDER BY c.submitted_at, c.claim_id LIMIT $2 OFFSET $3",
        organisation_id,
        limit,
        offset,
        scope=scope,
    )


async def decide_items(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    claim_id: uuid.UUID,
    item_ids: Sequence[uuid.UUID],
    included: Sequence[bool],
    la_notes: Sequence[str | None],
) -> None:
    """Each item's included flag and LA notes, in one statement."""
    await execute(
        conn,
        """
        UPDATE claims.claim_item i SET included = d.included, la_notes = d.la_notes, updated_at = now()
          FROM unnest($2::uuid[], $3::boolean[], $4::text[]) AS d(item_id, included, la_notes)
         WHERE i.item_id = d.item_id AND i.claim_id = $1 AND {scope}
        """,
        claim_id,
        list(item_ids),
        list(included),
        list(la_notes),
        scope=scope,
    )


async def decide(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    claim_id: uuid.UUID,
    status: str,
    reason: str | None,
    accepted_total: Decimal,
    decided_by: str,
) -> ClaimRow:
    """The claim accepted or rejected, once: only a pending claim changes (the caller has locked it)."""
    row = await fetch_one(
        conn,
        ClaimRow,
        "UPDATE claims.claim c SET status = $2, reason = $3, accepted_total = $4, decided_at = now(),"
        " decided_by = $5, version = version + 1, updated_at = now()"
        f" WHERE c.claim_id = $1 AND c.status = 'pending' AND {{scope}} RETURNING {SELECTED}",
        claim_id,
        status,
        reason,
        accepted_total,
        decided_by,
        scope=scope,
    )
    assert row is not None  # locked and seen pending by the caller, within the same scope
    return row
