"""Organisation change requests: the details a provider asks for, pending until the council decides."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from identity.store.pending import DecidedRequests

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


_REQUESTS = DecidedRequests("organisation_change_request", COLUMNS)
get = _REQUESTS.get
list_by_authority = _REQUESTS.list_by_authority
decide = _REQUESTS.decide
