"""Council systems' client credentials (OAuth 2.0 client credentials, RFC 6749 4.4)."""

from __future__ import annotations

import hmac
import secrets

from identity import errors
from identity.context import Context
from identity.crypto import digest, new_secret
from identity.handlers.common import (
    CLIENTS_MANAGE,
    OPERATIONS,
    enforce_limits,
    keeping_refusals,
    require_client_grant,
    require_council,
    require_council_editor,
)
from identity.handlers.principals import IssuedToken, client_principal, issue
from identity.store import keys
from identity.store.keys import CouncilClient
from shared.errors import Unauthenticated
from shared.uow import Actor, Caller


async def create_council_client(
    caller: Caller, ctx: Context, *, name: str, can_edit: bool, grants: list[str]
) -> tuple[CouncilClient, str]:
    """Client credentials for one of the council's systems; (its record, the secret - shown once).
    A client making another needs clients:manage, and never hands on a grant it does not hold."""
    principal = caller.principal
    require_council_editor(principal)
    client_id = "cc_" + secrets.token_hex(8)
    secret = new_secret("ccs_")
    granted = sorted(set(grants))
    async with ctx.work.begin(caller.actor) as uow:
        for grant in [CLIENTS_MANAGE, *grants]:
            await require_client_grant(uow.conn, principal, grant)
        client = await keys.add_council_client(
            conn=uow.conn,
            client_id=client_id,
            authority_id=principal.authority_id,
            name=name,
            secret_hash=digest(secret),
            can_edit=can_edit,
            grants=granted,
        )
        await uow.audit(
            "council_client_created",
            authority_id=client.authority_id,
            client=client_id,
            can_edit=can_edit,
            grants=granted,
        )
    return client, secret


async def list_council_clients(
    caller: Caller, ctx: Context, *, limit: int, offset: int
) -> list[CouncilClient]:
    """The clients of the caller's authority, oldest first."""
    require_council(caller.principal)
    async with ctx.work.read() as conn:
        return await keys.list_council_clients(
            conn=conn, authority_id=caller.principal.authority_id, limit=limit, offset=offset
        )


async def revoke_council_client(caller: Caller, ctx: Context, *, client_id: str) -> CouncilClient:
    principal = caller.principal
    require_council_editor(principal)
    async with ctx.work.begin(caller.actor) as uow:
        await require_client_grant(uow.conn, principal, CLIENTS_MANAGE)
        client = await keys.revoke_council_client(
            conn=uow.conn, authority_id=principal.authority_id, client_id=client_id
        )
        if client is None:
            raise errors.not_found("client")
        await uow.audit("council_client_revoked", authority_id=client.authority_id, client=client_id)
    return client


class InvalidClient(Unauthenticated):
    """RFC 6749 5.2 invalid_client: unknown client, wrong secret, or revoked (the token endpoint answers
    it in OAuth's words)."""

    def __init__(self) -> None:
        super().__init__("the client is unknown, revoked, or the secret is wrong", code="invalid-client")


async def client_credentials(
    actor: Actor, ctx: Context, *, client_id: str, client_secret: str
) -> IssuedToken:
    """A token for a council system (RFC 6749 4.4); 429 past the limits per client id and address."""
    async with keeping_refusals(ctx.work, actor) as uow:
        await enforce_limits(uow.conn, ctx, actor, purpose="token", account=(client_id,))
        client = await keys.get_council_client(conn=uow.conn, client_id=client_id)
        given = digest(client_secret)
        expected = client.secret_hash if client else digest(secrets.token_hex(16))
        if client is None or not hmac.compare_digest(given, expected) or client.revoked_at is not None:
            uow.log("client_credentials_refused", client=client_id[:40])
            raise InvalidClient()
        await keys.touch_council_client(conn=uow.conn, client_id=client_id)
    principal = client_principal(client, operator=OPERATIONS in client.grants)
    return issue(ctx, principal, ctx.settings.machine_token_ttl_seconds)
