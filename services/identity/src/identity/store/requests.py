"""Requests from outside the council: forgotten passwords (and, later, new contacts)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity.store.pending import DecidedRequests


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


_CONTACT_REQUESTS = DecidedRequests(
    "contact_request", CONTACT_COLUMNS, decision_columns=("user_id",), scoped=True
)
get_contact_request = _CONTACT_REQUESTS.get
list_contact_requests = _CONTACT_REQUESTS.list_by_authority
decide_contact_request = _CONTACT_REQUESTS.decide
