"""Machine credentials: organisations' API keys and council clients (stored as SHA-256 digests)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from identity.store.contracts import within_scope
from identity.store.users import Grant
from shared.records import Record
from shared.store import AuthorityScope, Unscoped, fetch, fetch_one

KEY_COLUMNS = """
    key_id, authority_id, organisation_id, name, prefix, role, can_edit, scope_type, scope_id, created_by,
    created_at, last_used_at, revoked_at, expires_at
"""
# The gateway's exchanges present a secret: the row it finds names the authority.
BY_SECRET = Unscoped("found by the digest of the secret its holder presents; the row names the authority")


class ApiKey(Grant):
    key_id: uuid.UUID
    authority_id: uuid.UUID
    name: str
    prefix: str  # the first characters of the key, to recognise it
    created_by: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime


class KeyToExchange(ApiKey):
    """A live key with what its exchange checks: its expiry, and its creator's access now (None: the
    creator is unlinked, locked or disabled)."""

    expired: bool
    scope_contract_id: uuid.UUID | None  # for a service scope: its contract
    creator_role: str | None
    creator_can_edit: bool | None
    creator_scope_type: str | None
    creator_scope_id: uuid.UUID | None


async def add_api_key(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    name: str,
    prefix: str,
    secret_hash: bytes,
    grant: Grant,
    created_by: uuid.UUID,
    valid_days: int,
) -> ApiKey:
    """A new key of the grant's organisation, with its role and scope, expiring `valid_days` from now."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO identity.api_key (key_id, authority_id, organisation_id, name, prefix, secret_hash, role,
                                      can_edit, scope_type, scope_id, created_by, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now() + make_interval(days => $12))
        RETURNING {KEY_COLUMNS}
        """,
        uuid.uuid4(),
        authority_id,
        grant.organisation_id,
        name,
        prefix,
        secret_hash,
        grant.role,
        grant.can_edit,
        grant.scope_type,
        grant.scope_id,
        created_by,
        valid_days,
    )
    return ApiKey.from_row(row)


# Keys whose scope lies within the caller's ($2, $3).
KEY_WITHIN = within_scope(type_col="scope_type", id_col="scope_id", type_param=2, id_param=3)


async def list_api_keys(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    limit: int,
    offset: int,
) -> list[ApiKey]:
    """The organisation's keys within the scope, newest first (revoked ones too)."""
    sql = (
        f"SELECT {KEY_COLUMNS} FROM identity.api_key WHERE {{scope}} AND organisation_id = $1"
        f" AND {KEY_WITHIN} ORDER BY created_at DESC, key_id LIMIT $4 OFFSET $5"
    )
    args = (organisation_id, scope_type, scope_id, limit, offset)
    return await fetch(conn, ApiKey, sql, *args, scope=AuthorityScope(authority_id))


async def revoke_api_key(
    *,
    conn: asyncpg.Connection,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    key_id: uuid.UUID,
    revoked_by: str,
) -> ApiKey | None:
    """Revoke the organisation's key within the scope (already revoked: unchanged); None if it is not
    one of those."""
    sql = f"""
        UPDATE identity.api_key SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $5)
         WHERE {{scope}} AND organisation_id = $1 AND {KEY_WITHIN} AND key_id = $4
        RETURNING {KEY_COLUMNS}
        """
    args = (organisation_id, scope_type, scope_id, key_id, revoked_by)
    return await fetch_one(conn, ApiKey, sql, *args, scope=AuthorityScope(authority_id))


async def get_api_key_to_exchange(*, conn: asyncpg.Connection, secret_hash: bytes) -> KeyToExchange | None:
    """The unrevoked key with this digest, its organisation active, with whether it has expired, the
    contract of its service scope, and its creator's access there now."""
    sql = f"""
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
        """
    return await fetch_one(conn, KeyToExchange, sql, secret_hash, scope=BY_SECRET)


async def touch_api_key(*, conn: asyncpg.Connection, key_id: uuid.UUID) -> None:
    """Mark the key used."""
    await conn.execute("UPDATE identity.api_key SET last_used_at = now() WHERE key_id = $1", key_id)


CLIENT_COLUMNS = "client_id, authority_id, name, can_edit, grants, created_at, last_used_at, revoked_at"


class CouncilClient(Record):
    client_id: str
    authority_id: uuid.UUID
    name: str
    can_edit: bool
    grants: list[str]  # clients:manage, users:manage, operations
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ClientWithSecret(CouncilClient):
    secret_hash: bytes


async def add_council_client(
    *,
    conn: asyncpg.Connection,
    client_id: str,
    authority_id: uuid.UUID,
    name: str,
    secret_hash: bytes,
    can_edit: bool,
    grants: list[str],
) -> CouncilClient:
    """A new client of the authority, with its grants."""
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
    return CouncilClient.from_row(row)


async def get_council_client(*, conn: asyncpg.Connection, client_id: str) -> ClientWithSecret | None:
    """The client with its secret digest (the token endpoint; a client names itself, any authority's)."""
    sql = f"SELECT {CLIENT_COLUMNS}, secret_hash FROM identity.council_client WHERE client_id = $1"
    return await fetch_one(
        conn,
        ClientWithSecret,
        sql,
        client_id,
        scope=Unscoped("a client names itself; the row names the authority"),
    )


async def touch_council_client(*, conn: asyncpg.Connection, client_id: str) -> None:
    """Mark the client used."""
    await conn.execute(
        "UPDATE identity.council_client SET last_used_at = now() WHERE client_id = $1", client_id
    )


async def list_council_clients(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, limit: int, offset: int
) -> list[CouncilClient]:
    """The authority's clients, oldest first."""
    sql = (
        f"SELECT {CLIENT_COLUMNS} FROM identity.council_client WHERE {{scope}}"
        " ORDER BY created_at, client_id LIMIT $1 OFFSET $2"
    )
    return await fetch(conn, CouncilClient, sql, limit, offset, scope=AuthorityScope(authority_id))


async def revoke_council_client(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, client_id: str
) -> CouncilClient | None:
    """Revoke the authority's client; None if it is not theirs."""
    sql = f"""
        UPDATE identity.council_client SET revoked_at = COALESCE(revoked_at, now())
         WHERE {{scope}} AND client_id = $1 RETURNING {CLIENT_COLUMNS}
        """
    return await fetch_one(conn, CouncilClient, sql, client_id, scope=AuthorityScope(authority_id))
