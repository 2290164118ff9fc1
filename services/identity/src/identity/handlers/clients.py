"""Council systems' client credentials (OAuth 2.0 client credentials, RFC 6749 4.4)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from identity import errors
from identity.context import Caller, Context
from identity.crypto import digest, new_secret
from identity.handlers.common import (
    CLIENTS_MANAGE,
    OPERATIONS,
    enforce_limits,
    record,
    require_client_grant,
    require_council_editor,
)
from identity.handlers.sessions import IssuedToken, sign
from identity.store import keys
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.logging import get_logger

log = get_logger(__name__)


async def create_council_client(
    ctx: Context, caller: Caller, principal: Principal, *, name: str, can_edit: bool, grants: list[str]
) -> tuple[dict[str, Any], str]:
    """Client credentials for one of the council's systems; (its record, the secret - shown once).
    A client making another needs clients:manage, and never hands on a grant it does not hold."""
    require_council_editor(principal)
    client_id = "cc_" + secrets.token_hex(8)
    secret = new_secret("ccs_")
    async with ctx.pool.acquire() as conn, conn.transaction():
        await require_client_grant(conn, principal, CLIENTS_MANAGE)
        for grant in grants:
            await require_client_grant(conn, principal, grant)
        client = await keys.add_council_client(
            conn=conn,
            client_id=client_id,
            authority_id=principal.authority_id,
            name=name,
            secret_hash=digest(secret),
            can_edit=can_edit,
            grants=sorted(set(grants)),
        )
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="council_client_created",
            client=client_id,
            can_edit=can_edit,
            grants=sorted(set(grants)),
        )
    return client, secret


async def revoke_council_client(
    ctx: Context, caller: Caller, principal: Principal, *, client_id: str
) -> dict[str, Any]:
    require_council_editor(principal)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await require_client_grant(conn, principal, CLIENTS_MANAGE)
        client = await keys.revoke_council_client(
            conn=conn, authority_id=principal.authority_id, client_id=client_id
        )
        if client is None:
            raise errors.not_found("client")
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="council_client_revoked",
            client=client_id,
        )
    return client


class InvalidClient(Exception):
    """RFC 6749 5.2 invalid_client: unknown client, wrong secret, or revoked."""


async def client_credentials(
    ctx: Context, caller: Caller, *, client_id: str, client_secret: str
) -> IssuedToken:
    """A token for a council system (RFC 6749 4.4); 429 past the limits per client id and address."""
    async with ctx.pool.acquire() as conn:
        await enforce_limits(conn, ctx, caller, purpose="token", account=(client_id,))
        client = await keys.get_council_client(conn=conn, client_id=client_id)
        given = digest(client_secret)
        expected = client["secret_hash"] if client else digest(secrets.token_hex(16))
        if client is None or not hmac.compare_digest(given, expected) or client["revoked_at"] is not None:
            log.info("client_credentials_refused", client=client_id[:40])
            raise InvalidClient()
        await keys.touch_council_client(conn=conn, client_id=client_id)
    principal = Principal(
        subject=client_id,
        kind=PrincipalKind.council_client,
        authority_id=client["authority_id"],
        organisation_id=None,
        role=Role.council,
        can_edit=client["can_edit"],
        scope_type=ScopeType.authority,
        scope_id=None,
        operator=OPERATIONS in client["grants"],
        extra={"name": client["name"]},
    )
    ttl = ctx.settings.machine_token_ttl_seconds
    return IssuedToken(sign(ctx, principal, ttl), ttl, principal)
