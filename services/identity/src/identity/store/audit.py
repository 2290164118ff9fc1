"""Reading the access audit log. Entries are written by the unit of work (`uow.audit`, shared.uow) into
identity's `audit_event`, whose subject is a user here; never a secret (the handlers pass only ids,
reasons and outcomes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from shared.records import Record
from shared.store import AuthorityScope, fetch

AUDIT_COLUMNS = (
    "audit_id, occurred_at, action, outcome, actor_kind, actor_id, subject_id AS subject_user_id,"
    " organisation_id, client_address, request_id, detail"
)


class AuditEntry(Record):
    audit_id: int
    occurred_at: datetime
    action: str
    outcome: str  # success | failure
    actor_kind: str
    actor_id: str | None
    subject_user_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    client_address: str | None
    request_id: str | None
    detail: dict[str, Any]  # ids, reasons and counts


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
) -> list[AuditEntry]:
    """Entries of the authority, newest first, optionally about one user or of one action."""
    sql = f"""
        SELECT {AUDIT_COLUMNS} FROM identity.audit_event
         WHERE {{scope}}
           AND ($1::uuid IS NULL OR subject_id = $1)
           AND ($2::text IS NULL OR action = $2)
           AND ($3::timestamptz IS NULL OR occurred_at >= $3)
           AND ($4::bigint IS NULL OR audit_id < $4)
         ORDER BY audit_id DESC LIMIT $5 OFFSET $6
        """
    args = (subject_user_id, action, since, before_id, limit, offset)
    return await fetch(conn, AuditEntry, sql, *args, scope=AuthorityScope(authority_id))
