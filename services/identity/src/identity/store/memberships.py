"""Memberships: a provider user's role and scope in each organisation they are linked to."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity.store.contracts import within_scope


async def list_memberships(*, conn: asyncpg.Connection, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """The organisations the user is linked to, with role and scope, by organisation name."""
    rows = await conn.fetch(
        """
        SELECT m.organisation_id, o.name AS organisation_name, o.reference AS organisation_reference,
               m.role, m.can_edit, m.scope_type, m.scope_id, m.granted_at
          FROM identity.membership m JOIN identity.organisation o USING (organisation_id)
         WHERE m.user_id = $1 AND o.active
         ORDER BY o.name, m.organisation_id
        """,
        user_id,
    )
    return [dict(r) for r in rows]


async def upsert_membership(
    *,
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    organisation_id: uuid.UUID,
    role: str,
    can_edit: bool,
    scope_type: str,
    scope_id: uuid.UUID,
) -> None:
    """Link the user to the organisation with this role and scope, or change the link."""
    await conn.execute(
        """
        INSERT INTO identity.membership (user_id, organisation_id, role, can_edit, scope_type, scope_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (user_id, organisation_id) DO UPDATE
           SET role = EXCLUDED.role, can_edit = EXCLUDED.can_edit, scope_type = EXCLUDED.scope_type,
               scope_id = EXCLUDED.scope_id, granted_at = now()
        """,
        user_id,
        organisation_id,
        role,
        can_edit,
        scope_type,
        scope_id,
    )


async def delete_membership(
    *, conn: asyncpg.Connection, user_id: uuid.UUID, organisation_id: uuid.UUID
) -> bool:
    """Unlink the user from the organisation; True if they were linked."""
    result = await conn.execute(
        "DELETE FROM identity.membership WHERE user_id = $1 AND organisation_id = $2",
        user_id,
        organisation_id,
    )
    return bool(result.split()[-1] != "0")


# Memberships whose scope lies within the caller's ($3, $4).
CONTACT_WITHIN = within_scope(type_col="m.scope_type", id_col="m.scope_id", type_param=3, id_param=4)


async def list_contacts(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """The organisation's contacts whose scope lies within the given one ('organisation': all), with
    their role and scope there (and the scope's name), by name."""
    rows = await conn.fetch(
        f"""
        SELECT u.user_id, u.email, u.forename, u.surname, u.phone, u.active, m.role, m.can_edit,
               m.scope_type, m.scope_id,
               CASE m.scope_type WHEN 'organisation' THEN o.name WHEN 'contract' THEN c.name ELSE s.name END
                   AS scope_name
          FROM identity.membership m
          JOIN identity.app_user u USING (user_id)
          JOIN identity.organisation o USING (organisation_id)
          LEFT JOIN identity.contract c ON m.scope_type = 'contract' AND c.contract_id = m.scope_id
          LEFT JOIN identity.provider_service s ON m.scope_type = 'service' AND s.service_id = m.scope_id
         WHERE u.authority_id = $1 AND m.organisation_id = $2 AND {CONTACT_WITHIN}
         ORDER BY u.surname, u.forename, u.email, u.user_id LIMIT $5 OFFSET $6
        """,
        authority_id,
        organisation_id,
        scope_type,
        scope_id,
        limit,
        offset,
    )
    return [dict(r) for r in rows]
