"""Organisation change requests: the details a provider asks for, pending until the council decides."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

COLUMNS = """
    request_id, authority_id, organisation_id, requested_by, name, address, postcode, phone, email, changed,
    status, reason, decided_at, decided_by, revision, created_at, updated_at
"""


async def add(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    requested_by: uuid.UUID,
    details: Mapping[str, str],
    changed: Sequence[str],
) -> dict[str, Any] | None:
    """A pending request; None when one is already pending for the organisation."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO identity.organisation_change_request (request_id, authority_id, organisation_id,
            requested_by, name, address, postcode, phone, email, changed)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (organisation_id) WHERE status = 'pending' DO NOTHING
        RETURNING {COLUMNS}
        """,
        uuid.uuid4(),
        authority_id,
        organisation_id,
        requested_by,
        details["name"],
        details["address"],
        details["postcode"],
        details["phone"],
        details["email"],
        list(changed),
    )
    return dict(row) if row else None


async def get(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, request_id: uuid.UUID, for_update: bool = False
) -> dict[str, Any] | None:
    """The request, if it is the authority's."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM identity.organisation_change_request"
        f" WHERE authority_id = $1 AND request_id = $2{lock}",
        authority_id,
        request_id,
    )
    return dict(row) if row else None


async def list_by_authority(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    status: str | None,
) -> list[dict[str, Any]]:
    """Requests of the authority (or one organisation), newest first."""
    rows = await conn.fetch(
        f"""
        SELECT {COLUMNS} FROM identity.organisation_change_request
         WHERE authority_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2) AND ($3::text IS NULL OR status = $3)
         ORDER BY created_at DESC LIMIT 500
        """,
        authority_id,
        organisation_id,
        status,
    )
    return [dict(r) for r in rows]


async def decide(
    *, conn: asyncpg.Connection, request_id: uuid.UUID, status: str, reason: str | None, decided_by: str
) -> dict[str, Any]:
    """Approve or reject a pending request."""
    row = await conn.fetchrow(
        f"""
        UPDATE identity.organisation_change_request
           SET status = $2, reason = $3, decided_by = $4, decided_at = now(), revision = revision + 1,
               updated_at = now()
         WHERE request_id = $1 AND status = 'pending'
        RETURNING {COLUMNS}
        """,
        request_id,
        status,
        reason,
        decided_by,
    )
    assert row is not None
    return dict(row)
