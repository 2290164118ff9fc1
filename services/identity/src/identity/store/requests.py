"""Requests from outside the council: forgotten passwords (and, later, new contacts)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg


async def add_reset_request(
    *,
    conn: asyncpg.Connection,
    request_id: uuid.UUID,
    authority_id: uuid.UUID,
    name: str,
    organisation_name: str,
    email: str,
    phone: str,
    matched_user_id: uuid.UUID | None,
) -> None:
    """Store a forgotten-password request as typed."""
    await conn.execute(
        """
        INSERT INTO identity.reset_request (request_id, authority_id, name, organisation_name, email, phone,
                                            matched_user_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        request_id,
        authority_id,
        name,
        organisation_name,
        email,
        phone,
        matched_user_id,
    )


CONTACT_COLUMNS = """
    request_id, authority_id, organisation_id, requested_by, forename, surname, address, phone, email, role,
    can_edit, scope_type, scope_id, status, reason, decided_at, decided_by, user_id, revision, created_at,
    updated_at
"""


async def add_contact_request(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    requested_by: uuid.UUID,
    details: dict[str, Any],
) -> dict[str, Any] | None:
    """A pending request; None when one for the same e-mail is already pending in the organisation."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO identity.contact_request (request_id, authority_id, organisation_id, requested_by, forename,
            surname, address, phone, email, role, can_edit, scope_type, scope_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (organisation_id, email) WHERE status = 'pending' DO NOTHING
        RETURNING {CONTACT_COLUMNS}
        """,
        uuid.uuid4(),
        authority_id,
        organisation_id,
        requested_by,
        details["forename"],
        details["surname"],
        details["address"],
        details["phone"],
        details["email"],
        details["role"],
        details["can_edit"],
        details["scope_type"],
        details["scope_id"],
    )
    return dict(row) if row else None


async def get_contact_request(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, request_id: uuid.UUID, for_update: bool = False
) -> dict[str, Any] | None:
    """The request, if it is the authority's."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(
        f"SELECT {CONTACT_COLUMNS} FROM identity.contact_request WHERE authority_id = $1 AND request_id = $2{lock}",
        authority_id,
        request_id,
    )
    return dict(row) if row else None


async def list_contact_requests(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    status: str | None,
) -> list[dict[str, Any]]:
    """Requests of the authority (or one organisation), newest first."""
    rows = await conn.fetch(
        f"""
        SELECT {CONTACT_COLUMNS} FROM identity.contact_request
         WHERE authority_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2) AND ($3::text IS NULL OR status = $3)
         ORDER BY created_at DESC LIMIT 500
        """,
        authority_id,
        organisation_id,
        status,
    )
    return [dict(r) for r in rows]


async def decide_contact_request(
    *,
    conn: asyncpg.Connection,
    request_id: uuid.UUID,
    status: str,
    reason: str | None,
    decided_by: str,
    user_id: uuid.UUID | None,
) -> dict[str, Any]:
    """Approve or reject a pending request."""
    row = await conn.fetchrow(
        f"""
        UPDATE identity.contact_request
           SET status = $2, reason = $3, decided_by = $4, user_id = $5, decided_at = now(),
               revision = revision + 1, updated_at = now()
         WHERE request_id = $1 AND status = 'pending'
        RETURNING {CONTACT_COLUMNS}
        """,
        request_id,
        status,
        reason,
        decided_by,
        user_id,
    )
    assert row is not None
    return dict(row)
