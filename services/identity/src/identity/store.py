"""SQL of the identity service: one function per query, keyword-only arguments."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg


async def get_authority(*, conn: asyncpg.Connection, authority_id: uuid.UUID) -> dict[str, Any] | None:
    """The authority, or None."""
    row = await conn.fetchrow(
        "SELECT authority_id, slug, name FROM identity.authority WHERE authority_id = $1", authority_id
    )
    return dict(row) if row else None


async def upsert_organisation(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, reference: str, name: str, active: bool
) -> dict[str, Any]:
    """Create the organisation with this reference in the authority, or change it; bump its revision."""
    row = await conn.fetchrow(
        """
        INSERT INTO identity.organisation AS o (organisation_id, authority_id, reference, name, active)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (authority_id, reference) DO UPDATE
           SET name = EXCLUDED.name, active = EXCLUDED.active,
               revision = o.revision + 1, updated_at = now()
        RETURNING organisation_id, authority_id, reference, name, active, revision, updated_at
        """,
        uuid.uuid4(),
        authority_id,
        reference,
        name,
        active,
    )
    assert row is not None
    return dict(row)


async def list_organisations(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, organisation_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Organisations of the authority, or only the one given."""
    rows = await conn.fetch(
        """
        SELECT organisation_id, authority_id, reference, name, active, revision, updated_at
          FROM identity.organisation
         WHERE authority_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2)
         ORDER BY name
        """,
        authority_id,
        organisation_id,
    )
    return [dict(r) for r in rows]


async def upsert_authority(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, slug: str, name: str
) -> None:
    """Create the authority, or rename it."""
    await conn.execute(
        """
        INSERT INTO identity.authority (authority_id, slug, name) VALUES ($1, $2, $3)
        ON CONFLICT (authority_id) DO UPDATE SET slug = EXCLUDED.slug, name = EXCLUDED.name
        """,
        authority_id,
        slug,
        name,
    )
