"""Forgotten-password requests, typed by someone who cannot log in. (What providers ask the council
about their contacts and details is request and decide: handlers/decisions.py.)"""

from __future__ import annotations

import uuid

import asyncpg

from shared.store import Unscoped, execute


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
    await execute(
        conn,
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
        scope=Unscoped("typed by someone who is not logged in, for the authority of the portal they use"),
    )
