"""The access audit log (never a secret: the handlers pass only ids, reasons and outcomes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

AUDIT_COLUMNS = (
    "audit_id, occurred_at, action, outcome, actor_kind, actor_id, subject_id AS subject_user_id, organisation_id,"
    " client_address, request_id, detail"
)


async def add_audit(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    action: str,
    outcome: str,
    actor_kind: str,
    actor_id: str | None,
    subject_user_id: uuid.UUID | None,
    organisation_id: uuid.UUID | None,
    client_address: str | None,
    request_id: str | None,
    detail: dict[str, Any],
) -> None:
    """Append one entry."""
    await conn.execute(
        """
        INSERT INTO identity.audit_event (authority_id, action, outcome, actor_kind, actor_id,
                                          subject_id, organisation_id, client_address, request_id, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        """,
        authority_id,
        action,
        outcome,
        actor_kind,
        actor_id,
        subject_user_id,
        organisation_id,
        client_address,
        request_id,
        detail,
    )


async def list_audit(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    subject_user_id: uuid.UUID | None,
    action: str | None,
    since: datetime | None,
    before_id: int | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Entries of the authority, newest first, optionally about one user or of one action."""
    rows = await conn.fetch(
        f"""
        SELECT {AUDIT_COLUMNS} FROM identity.audit_event
         WHERE authority_id = $1
           AND ($2::uuid IS NULL OR subject_id = $2)
           AND ($3::text IS NULL OR action = $3)
           AND ($4::timestamptz IS NULL OR occurred_at >= $4)
           AND ($5::bigint IS NULL OR audit_id < $5)
         ORDER BY audit_id DESC LIMIT $6 OFFSET $7
        """,
        authority_id,
        subject_user_id,
        action,
        since,
        before_id,
        limit,
        offset,
    )
    return [dict(r) for r in rows]
