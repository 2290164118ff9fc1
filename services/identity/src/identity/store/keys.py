"""Machine credentials: organisations' API keys and council clients (stored as SHA-256 digests)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity.store.contracts import within_scope

KEY_COLUMNS = """
    key_id, authority_id, organisation_id, name, prefix, role, can_edit, scope_type, scope_id, created_by,
    created_at, last_used_at, revoked_at, expires_at
"""


async def add_api_key(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    name: str,
    prefix: str,
    secret_hash: bytes,
    grant: dict[str, Any],
    created_by: uuid.UUID,
    valid_days: int,
) -> dict[str, Any]:
    """A new key with the role and scope given, expiring `valid_days` from now."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO identity.api_key (key_id, authority_id, organisation_id, name, prefix, secret_hash, role,
                                      can_edit, scope_type, scope_id, created_by, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now() + make_interval(days => $12))
        RETURNING {KEY_COLUMNS}
        """,
        uuid.uuid4(),
        authority_id,
        organisation_id,
        name,
        prefix,
        secret_hash,
        grant["role"],
        grant["can_edit"],
        grant["scope_type"],
        grant["scope_id"],
        created_by,
        valid_days,
    )
    assert row is not None
    return dict(row)


# Keys whose scope lies within the caller's ($3, $4).
KEY_WITHIN = within_scope(type_col="scope_type", id_col="scope_id", type_param=3, id_param=4)


async def list_api_keys(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """The organisation's keys within the scope, newest first (revoked ones too)."""
    rows = await conn.fetch(
        f"SELECT {KEY_COLUMNS} FROM identity.api_key WHERE authority_id = $1 AND organisation_id = $2"
        f" AND {KEY_WITHIN} ORDER BY created_at DESC, key_id LIMIT $5 OFFSET $6",
        authority_id,
        organisation_id,
        scope_type,
        scope_id,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def revoke_api_key(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    key_id: uuid.UUID,
    revoked_by: str,
) -> dict[str, Any] | None:
    """Revoke the organisation's key within the scope (already revoked: unchanged); None if it is not
    one of those."""
    row = await conn.fetchrow(
        f"""
        UPDATE identity.api_key SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $6)
         WHERE authority_id = $1 AND organisation_id = $2 AND {KEY_WITHIN} AND key_id = $5
        RETURNING {KEY_COLUMNS}
        """,
        authority_id,
        organisation_id,
        scope_type,
        scope_id,
        key_id,
        revoked_by,
    )
    return dict(row) if row else None


async def get_api_key_to_exchange(*, conn: asyncpg.Connection, secret_hash: bytes) -> dict[str, Any] | None:
    """The unrevoked key with this digest, its organisation active, with whether it has expired, the
    contract of its service scope, and its creator's access there now (creator_role NULL: none - the
    creator is unlinked, locked or disabled)."""
    row = await conn.fetchrow(
        f"""
        SELECT {", ".join("k." + c.strip() for c in KEY_COLUMNS.split(","))},
               k.expires_at <= now() AS expired, s.contract_id AS scope_contract_id,
               m.role AS creator_role, m.can_edit AS creator_can_edit, m.scope_type AS creator_scope_type,
               m.scope_id AS creator_scope_id
          FROM identity.api_key k
          JOIN identity.organisation o ON o.organisation_id = k.organisation_id AND o.active
          JOIN identity.app_user u ON u.user_id = k.created_by
          LEFT JOIN identity.membership m
            ON m.user_id = k.created_by AND m.organisation_id = k.organisation_id
           AND u.active AND u.locked_at IS NULL
          LEFT JOIN identity.provider_service s ON k.scope_type = 'service' AND s.service_id = k.scope_id
         WHERE k.secret_hash = $1 AND k.revoked_at IS NULL
        """,
        secret_hash,
    )
    return dict(row) if row else None


async def touch_api_key(*, conn: asyncpg.Connection, key_id: uuid.UUID) -> None:
    """Mark the key used."""
    await conn.execute("UPDATE identity.api_key SET last_used_at = now() WHERE key_id = $1", key_id)


CLIENT_COLUMNS = "client_id, authority_id, name, can_edit, grants, created_at, last_used_at, revoked_at"


async def add_council_client(
    *,
    conn: asyncpg.Connection,
    client_id: str,
    authority_id: uuid.UUID,
    name: str,
    secret_hash: bytes,
    can_edit: bool,
    grants: list[str],
) -> dict[str, Any]:
    """A new client of the authority, with its grants (clients:manage, users:manage, operations)."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO identity.council_client (client_id, authority_id, name, secret_hash, can_edit, grants)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING {CLIENT_COLUMNS}
        """,
        client_id,
        authority_id,
        name,
        secret_hash,
        can_edit,
        grants,
    )
    assert row is not None
    return dict(row)


async def get_council_client(*, conn: asyncpg.Connection, client_id: str) -> dict[str, Any] | None:
    """The client with its secret digest (the token endpoint)."""
    row = await conn.fetchrow(
        f"SELECT {CLIENT_COLUMNS}, secret_hash FROM identity.council_client WHERE client_id = $1", client_id
    )
    return dict(row) if row else None


async def touch_council_client(*, conn: asyncpg.Connection, client_id: str) -> None:
    """Mark the client used."""
    await conn.execute(
        "UPDATE identity.council_client SET last_used_at = now() WHERE client_id = $1", client_id
    )


async def list_council_clients(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The authority's clients, oldest first."""
    rows = await conn.fetch(
        f"SELECT {CLIENT_COLUMNS} FROM identity.council_client WHERE authority_id = $1"
        " ORDER BY created_at, client_id LIMIT $2 OFFSET $3",
        authority_id,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def revoke_council_client(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, client_id: str
) -> dict[str, Any] | None:
    """Revoke the authority's client; None if it is not theirs."""
    row = await conn.fetchrow(
        f"""
        UPDATE identity.council_client SET revoked_at = COALESCE(revoked_at, now())
         WHERE authority_id = $1 AND client_id = $2 RETURNING {CLIENT_COLUMNS}
        """,
        authority_id,
        client_id,
    )
    return dict(row) if row else None
