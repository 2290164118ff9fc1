"""Who a caller is to the other services: the principal a token carries (a user in the organisation
their session shows, an API key, a council client), and the signing of that short-lived token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from identity import errors
from identity.context import Context
from identity.handlers.common import memberships_of
from identity.store import contracts
from identity.store.keys import CouncilClient
from identity.store.users import Grant, User
from shared.auth import Principal, PrincipalKind, Role, ScopeType


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    principal: Principal
    session_expires_at: datetime | None = None


def issue(ctx: Context, principal: Principal, ttl_seconds: int, **more: Any) -> IssuedToken:
    """A signed token for the principal, valid `ttl_seconds`."""
    token = ctx.signer.sign(
        principal,
        issuer=ctx.settings.token_issuer,
        audience=ctx.settings.token_audience,
        ttl_seconds=ttl_seconds,
    )
    return IssuedToken(token, ttl_seconds, principal, **more)


async def principal_for(
    conn: asyncpg.Connection, user: User, organisation_id: uuid.UUID | None, *, session_ref: uuid.UUID
) -> Principal:
    """What the user may do in the organisation the session shows: role and scope of that membership."""
    extra = {"sid": str(session_ref), "name": f"{user.forename} {user.surname}"}
    if user.is_council:
        return _council(
            str(user.user_id), PrincipalKind.user, user.authority_id, user.council_can_edit, extra
        )
    memberships = await memberships_of(conn, user.user_id)
    # The organisation the session shows; if the council has since unlinked it, the first one left.
    chosen = next((m for m in memberships if m.organisation_id == organisation_id), None)
    chosen = chosen or (memberships[0] if memberships else None)
    if chosen is None:
        raise errors.forbidden("this login is not linked to any organisation; contact the council")
    return await membership_principal(
        conn,
        subject=str(user.user_id),
        kind=PrincipalKind.user,
        authority_id=user.authority_id,
        grant=chosen,
        extra=extra,
    )


async def membership_principal(
    conn: asyncpg.Connection,
    *,
    subject: str,
    kind: PrincipalKind,
    authority_id: uuid.UUID,
    grant: Grant,
    extra: dict[str, Any],
) -> Principal:
    """A provider caller (user or API key) from its organisation, role and scope."""
    _, parent = await contracts.scope_parent(
        conn=conn, organisation_id=grant.organisation_id, scope_type=grant.scope_type, scope_id=grant.scope_id
    )
    return Principal(
        subject=subject,
        kind=kind,
        authority_id=authority_id,
        organisation_id=grant.organisation_id,
        role=Role(grant.role),
        can_edit=grant.can_edit,
        scope_type=ScopeType(grant.scope_type),
        scope_id=grant.scope_id,
        scope_contract_id=parent,
        extra=extra,
    )


def client_principal(client: CouncilClient, *, operator: bool) -> Principal:
    """A council system: the whole authority, Edit or read-only as the client was made."""
    return _council(
        client.client_id,
        PrincipalKind.council_client,
        client.authority_id,
        client.can_edit,
        {"name": client.name},
        operator=operator,
    )


def _council(
    subject: str,
    kind: PrincipalKind,
    authority_id: uuid.UUID,
    can_edit: bool,
    extra: dict[str, Any],
    *,
    operator: bool = False,
) -> Principal:
    return Principal(
        subject=subject,
        kind=kind,
        authority_id=authority_id,
        organisation_id=None,
        role=Role.council,
        can_edit=can_edit,
        scope_type=ScopeType.authority,
        scope_id=None,
        operator=operator,
        extra=extra,
    )
