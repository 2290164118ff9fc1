"""The claim rows (claims.claim). Every query is within the caller's scope (`claim_scope`): a provider's
organisation, the council's authority. Writers lock the claim first (`get(..., lock=True)`) and bump
its version with every change, in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from claims.store.records import ClaimRow
from shared.auth import Principal
from shared.scoping import Columns
from shared.store import AnyScope, Scope, Unscoped, execute, fetch, fetch_one

CLAIM_COLUMNS = Columns(authority="c.authority_id", organisation="c.organisation_id")
SELECTED = """
    c.claim_id, c.authority_id, c.organisation_id, c.claim_date, c.notes, c.status, c.total,
    c.accepted_total, c.reason, c.version, c.request_id, c.created_at, c.created_by, c.submitted_at,
    c.submitted_by, c.decided_at, c.decided_by
"""


def claim_scope(principal: Principal) -> Scope:
    """A claim is the organisation's (it names no contract): everyone of the organisation whose role
    gives one-off claims sees its claims, whatever their contract or service scope."""
    return Scope.of(principal, CLAIM_COLUMNS, organisation_rows=True)


async def get(
    conn: asyncpg.Connection, *, scope: AnyScope, claim_id: uuid.UUID, lock: bool = False
) -> ClaimRow | None:
    """The claim if it is within `scope`; locked for this transaction with `lock`."""
    sql = f"SELECT {SELECTED} FROM claims.claim c WHERE c.claim_id = $1 AND {{scope}}"
    return await fetch_one(conn, ClaimRow, sql + (" FOR UPDATE" if lock else ""), claim_id, scope=scope)


async def list_page(
    conn: asyncpg.Connection, *, scope: AnyScope, status: str | None, limit: int, offset: int
) -> list[ClaimRow]:
    """Newest claim date first (then newest made), ending in the id so pages never overlap."""
    return await fetch(
        conn,
        ClaimRow,
        f"SELECT {SELECTED} FROM claims.claim c WHERE ($1::text IS NULL OR c.status = $1) AND {{scope}}"
        " ORDER BY c.claim_date DESC, c.created_at DESC, c.claim_id LIMIT $2 OFFSET $3",
        status,
        limit,
        offset,
        scope=scope,
    )


async def add(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    claim_date: date,
    notes: str,
    created_by: str,
) -> ClaimRow:
    row = await fetch_one(
        conn,
        ClaimRow,
        "INSERT INTO claims.claim AS c (claim_id, authority_id, organisation_id, claim_date, notes, created_by)"
        f" VALUES ($1, $2, $3, $4, $5, $6) RETURNING {SELECTED}",
        uuid.uuid4(),
        authority_id,
        organisation_id,
        claim_date,
        notes,
        created_by,
        scope=Unscoped("a new row: its authority and organisation are the verified caller's"),
    )
    assert row is not None
    return row


async def change(
    conn: asyncpg.Connection, *, scope: AnyScope, claim_id: uuid.UUID, claim_date: date, notes: str
) -> ClaimRow:
    """New date and notes, and the next version."""
    row = await fetch_one(
        conn,
        ClaimRow,
        "UPDATE claims.claim c SET claim_date = $2, notes = $3, version = version + 1, updated_at = now()"
        f" WHERE c.claim_id = $1 AND {{scope}} RETURNING {SELECTED}",
        claim_id,
        claim_date,
        notes,
        scope=scope,
    )
    assert row is not None  # locked within the scope by the caller
    return row


async def bump(conn: asyncpg.Connection, *, scope: AnyScope, claim_id: uuid.UUID, total: Decimal) -> ClaimRow:
    """The claim's new total after a change of its items, and the next version."""
    row = await fetch_one(
        conn,
        ClaimRow,
        "UPDATE claims.claim c SET total = $2, version = version + 1, updated_at = now()"
        f" WHERE c.claim_id = $1 AND {{scope}} RETURNING {SELECTED}",
        claim_id,
        total,
        scope=scope,
    )
    assert row is not None
    return row


async def submitted(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    claim_id: uuid.UUID,
    submitted_by: str,
    request_id: uuid.UUID,
) -> ClaimRow:
    """Pending the council's decision, with the request that carries it."""
    row = await fetch_one(
        conn,
        ClaimRow,
        "UPDATE claims.claim c SET status = 'pending', submitted_at = now(), submitted_by = $2,"
        " request_id = $3, version = version + 1, updated_at = now()"
        f" WHERE c.claim_id = $1 AND c.status = 'unsubmitted' AND {{scope}} RETURNING {SELECTED}",
        claim_id,
        submitted_by,
        request_id,
        scope=scope,
    )
    assert row is not None
    return row


async def delete(conn: asyncpg.Connection, *, scope: AnyScope, claim_id: uuid.UUID) -> None:
    """The claim and its items (ON DELETE CASCADE); only a draft is ever deleted."""
    await execute(
        conn,
        "DELETE FROM claims.claim c WHERE c.claim_id = $1 AND c.status = 'unsubmitted' AND {scope}",
        claim_id,
        scope=scope,
    )
