"""Machine credentials. An organisation's API key (created and revoked by a provider user with admin
functions, shown once, stored as a digest, never with more role or scope than its creator) is
exchanged by the gateway for a token; council systems use OAuth 2.0 client credentials."""

from __future__ import annotations

import hmac
import secrets
import uuid
from typing import Any

from identity import errors
from identity.context import Caller, Context
from identity.crypto import digest, new_secret
from identity.handlers.common import record, require_council_editor
from identity.handlers.contacts import check_delegation
from identity.handlers.sessions import IssuedToken, membership_principal, sign
from identity.store import keys
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.logging import get_logger
from shared.problems import Problem
from shared.scoping import Function, require_edit, require_function

log = get_logger(__name__)
KEY_PREFIX = "ppk_"


async def create_api_key(
    ctx: Context, caller: Caller, principal: Principal, *, name: str, grant: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """A new key for the caller's organisation; (its record, the key - shown this once)."""
    require_edit(principal, Function.admin)
    if principal.kind is not PrincipalKind.user:
        raise errors.forbidden("API keys are created by people, not by other keys")
    organisation_id = _organisation_of(principal)
    if grant["can_edit"] and not principal.can_edit:
        raise errors.forbidden("a read-only login cannot create an editing key")
    secret = new_secret(KEY_PREFIX)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await check_delegation(
            conn, principal, role=grant["role"], scope_type=grant["scope_type"], scope_id=grant["scope_id"]
        )
        key = await keys.add_api_key(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            name=name,
            prefix=secret[: len(KEY_PREFIX) + 6],
            secret_hash=digest(secret),
            grant=grant,
            created_by=uuid.UUID(principal.subject),
        )
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="api_key_created",
            organisation_id=organisation_id,
            key=key["key_id"],
            role=grant["role"],
            can_edit=grant["can_edit"],
            scope_type=grant["scope_type"],
        )
    log.info("api_key_created", key_id=str(key["key_id"]))
    return key, secret


async def list_api_keys(ctx: Context, principal: Principal) -> list[dict[str, Any]]:
    require_function(principal, Function.admin)
    organisation_id = _organisation_of(principal)
    async with ctx.pool.acquire() as conn:
        return await keys.list_api_keys(
            conn=conn, authority_id=principal.authority_id, organisation_id=organisation_id
        )


async def revoke_api_key(
    ctx: Context, caller: Caller, principal: Principal, *, key_id: uuid.UUID
) -> dict[str, Any]:
    require_edit(principal, Function.admin)
    organisation_id = _organisation_of(principal)
    async with ctx.pool.acquire() as conn, conn.transaction():
        key = await keys.revoke_api_key(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            key_id=key_id,
            revoked_by=principal.subject,
        )
        if key is None:
            raise errors.not_found("API key")
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="api_key_revoked",
            organisation_id=organisation_id,
            key=key_id,
        )
    log.info("api_key_revoked", key_id=str(key_id))
    return key


async def exchange_api_key(ctx: Context, *, api_key: str) -> IssuedToken:
    """The gateway's exchange: a live key for a token with the key's role and scope."""
    async with ctx.pool.acquire() as conn:
        key = await keys.use_api_key(conn=conn, secret_hash=digest(api_key))
        if key is None:
            raise Problem(
                401,
                "Unauthorized",
                type_=errors.BASE + "invalid-api-key",
                detail="the API key is not valid or has been revoked",
            )
        principal = await membership_principal(
            conn,
            subject=str(key["key_id"]),
            kind=PrincipalKind.api_key,
            authority_id=key["authority_id"],
            grant=key,
            extra={"name": key["name"]},
        )
    ttl = ctx.settings.token_ttl_seconds
    return IssuedToken(sign(ctx, principal, ttl), ttl, principal)


async def create_council_client(
    ctx: Context, caller: Caller, principal: Principal, *, name: str, can_edit: bool
) -> tuple[dict[str, Any], str]:
    """Client credentials for one of the council's systems; (its record, the secret - shown once)."""
    require_council_editor(principal)
    client_id = "cc_" + secrets.token_hex(8)
    secret = new_secret("ccs_")
    async with ctx.pool.acquire() as conn, conn.transaction():
        client = await keys.add_council_client(
            conn=conn,
            client_id=client_id,
            authority_id=principal.authority_id,
            name=name,
            secret_hash=digest(secret),
            can_edit=can_edit,
        )
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="council_client_created",
            client=client_id,
            can_edit=can_edit,
        )
    return client, secret


async def revoke_council_client(
    ctx: Context, caller: Caller, principal: Principal, *, client_id: str
) -> dict[str, Any]:
    require_council_editor(principal)
    async with ctx.pool.acquire() as conn, conn.transaction():
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


async def client_credentials(ctx: Context, *, client_id: str, client_secret: str) -> IssuedToken:
    """A token for a council system (RFC 6749 4.4)."""
    async with ctx.pool.acquire() as conn:
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
        extra={"name": client["name"]},
    )
    ttl = ctx.settings.machine_token_ttl_seconds
    return IssuedToken(sign(ctx, principal, ttl), ttl, principal)


def _organisation_of(principal: Principal) -> uuid.UUID:
    """API keys belong to a provider organisation: a caller without one (the council) is refused."""
    if principal.organisation_id is None:
        raise errors.forbidden("API keys belong to a provider organisation, and this caller has none")
    return principal.organisation_id
