"""Sessions after a full login, and the short-lived signed token the gateway exchanges them for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from identity import errors
from identity.context import Caller, Context
from identity.crypto import digest, new_secret
from identity.handlers.common import authority_by_id, record
from identity.store import contracts, directory, users
from identity.store import memberships as membership_store
from identity.store import sessions as store
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class NewSession:
    session_id: str  # the opaque cookie value: handed to the gateway once, stored only as a digest
    session_ref: uuid.UUID
    organisation_id: uuid.UUID | None
    expires_at: datetime
    absolute_expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    principal: Principal
    session_expires_at: datetime | None = None


async def open_session(
    conn: asyncpg.Connection, ctx: Context, caller: Caller, *, authority: dict[str, Any], user: dict[str, Any]
) -> NewSession:
    """The login is complete: a new session id (never one the client brought), the first organisation."""
    user_id = user["user_id"]
    if not await users.record_login(conn=conn, user_id=user_id):
        raise errors.account_locked(authority)
    memberships = (
        [] if user["is_council"] else await membership_store.list_memberships(conn=conn, user_id=user_id)
    )
    organisation_id = memberships[0].organisation_id if memberships else None
    policy = directory.policy_of(authority)
    session_id = new_secret("ps_")
    row = await store.add_session(
        conn=conn,
        session_hash=digest(session_id),
        user_id=user_id,
        authority_id=authority["authority_id"],
        organisation_id=organisation_id,
        idle_minutes=policy.session_idle_minutes,
        absolute_minutes=policy.session_absolute_minutes,
    )
    await record(
        conn,
        caller,
        authority_id=authority["authority_id"],
        action="login_succeeded",
        subject_user_id=user_id,
        organisation_id=organisation_id,
        session=row["session_ref"],
    )
    log.info("login_succeeded", user_id=str(user_id), session=str(row["session_ref"]))
    return NewSession(
        session_id, row["session_ref"], organisation_id, row["expires_at"], row["absolute_expires_at"]
    )


async def principal_for(
    conn: asyncpg.Connection,
    user: dict[str, Any],
    organisation_id: uuid.UUID | None,
    *,
    session_ref: uuid.UUID,
) -> Principal:
    """What the user may do in the organisation the session shows: role and scope of that membership."""
    extra = {"sid": str(session_ref), "name": f"{user['forename']} {user['surname']}"}
    if user["is_council"]:
        return Principal(
            subject=str(user["user_id"]),
            kind=PrincipalKind.user,
            authority_id=user["authority_id"],
            organisation_id=None,
            role=Role.council,
            can_edit=user["council_can_edit"],
            scope_type=ScopeType.authority,
            scope_id=None,
            extra=extra,
        )
    memberships = await membership_store.list_memberships(conn=conn, user_id=user["user_id"])
    # The organisation the session shows; if the council has since unlinked it, the first one left.
    chosen = next((m for m in memberships if m.organisation_id == organisation_id), None)
    chosen = chosen or (memberships[0] if memberships else None)
    if chosen is None:
        raise errors.forbidden("this login is not linked to any organisation; contact the council")
    return await membership_principal(
        conn,
        subject=str(user["user_id"]),
        kind=PrincipalKind.user,
        authority_id=user["authority_id"],
        grant=chosen.model_dump(),
        extra=extra,
    )


async def membership_principal(
    conn: asyncpg.Connection,
    *,
    subject: str,
    kind: PrincipalKind,
    authority_id: uuid.UUID,
    grant: dict[str, Any],
    extra: dict[str, Any],
) -> Principal:
    """A provider caller (user or API key) from its organisation, role and scope."""
    _, parent = await contracts.scope_parent(
        conn=conn,
        organisation_id=grant["organisation_id"],
        scope_type=grant["scope_type"],
        scope_id=grant["scope_id"],
    )
    return Principal(
        subject=subject,
        kind=kind,
        authority_id=authority_id,
        organisation_id=grant["organisation_id"],
        role=Role(grant["role"]),
        can_edit=grant["can_edit"],
        scope_type=ScopeType(grant["scope_type"]),
        scope_id=grant["scope_id"],
        scope_contract_id=parent,
        extra=extra,
    )


def sign(ctx: Context, principal: Principal, ttl_seconds: int) -> str:
    return ctx.signer.sign(
        principal,
        issuer=ctx.settings.token_issuer,
        audience=ctx.settings.token_audience,
        ttl_seconds=ttl_seconds,
    )


async def exchange(ctx: Context, *, session_id: str) -> IssuedToken:
    """The gateway's exchange: a live session for a signed token. Idle time restarts."""
    async with ctx.pool.acquire() as conn:
        session = await store.touch_session(conn=conn, session_hash=digest(session_id))
        if session is None:
            raise errors.session_ended()
        user = await users.get_user(
            conn=conn, authority_id=session["authority_id"], user_id=session["user_id"]
        )
        if user is None or user["locked_at"] is not None or not user["active"]:
            await store.revoke_session(
                conn=conn, session_hash=digest(session_id), reason="account_unavailable"
            )
            raise errors.session_ended()
        principal = await principal_for(
            conn, user, session["organisation_id"], session_ref=session["session_ref"]
        )
    ttl = ctx.settings.token_ttl_seconds
    return IssuedToken(sign(ctx, principal, ttl), ttl, principal, session["expires_at"])


async def logout(ctx: Context, caller: Caller, *, session_id: str) -> None:
    """End the session now. Ending one that has already ended is not an error."""
    async with ctx.pool.acquire() as conn:
        session = await store.revoke_session(conn=conn, session_hash=digest(session_id), reason="logout")
        if session is not None:
            await record(
                conn,
                caller,
                authority_id=session["authority_id"],
                action="logout",
                subject_user_id=session["user_id"],
                session=session["session_ref"],
            )
            log.info("logged_out", user_id=str(session["user_id"]), session=str(session["session_ref"]))


async def switch_organisation(
    ctx: Context, caller: Caller, *, session_id: str, organisation_id: uuid.UUID
) -> IssuedToken:
    """Show the session another organisation the user is linked to (never one they are not)."""
    async with ctx.pool.acquire() as conn:
        session = await store.touch_session(conn=conn, session_hash=digest(session_id))
        if session is None:
            raise errors.session_ended()
        memberships = await membership_store.list_memberships(conn=conn, user_id=session["user_id"])
        if organisation_id not in {m.organisation_id for m in memberships}:
            raise errors.not_found("organisation linked to your login")
        await store.set_session_organisation(
            conn=conn, session_hash=digest(session_id), organisation_id=organisation_id
        )
        await record(
            conn,
            caller,
            authority_id=session["authority_id"],
            action="organisation_switched",
            subject_user_id=session["user_id"],
            organisation_id=organisation_id,
        )
    return await exchange(ctx, session_id=session_id)


async def whoami(ctx: Context, principal: Principal) -> dict[str, Any]:
    """The caller, their organisation(s), role, scope and the authority's branding."""
    async with ctx.pool.acquire() as conn:
        authority = await authority_by_id(conn, principal.authority_id)
        user = None
        memberships: list[Any] = []
        if principal.kind is PrincipalKind.user:
            user = await users.get_user(
                conn=conn, authority_id=principal.authority_id, user_id=uuid.UUID(principal.subject)
            )
            if user is None:
                raise errors.session_ended()
            memberships = await membership_store.list_memberships(conn=conn, user_id=user["user_id"])
        organisation = None
        if principal.organisation_id is not None:
            organisation = await directory.get_organisation(
                conn=conn, authority_id=principal.authority_id, organisation_id=principal.organisation_id
            )
    policy = directory.policy_of(authority)
    return {
        "kind": principal.kind.value,
        "user": user,
        "authority": authority,
        "organisation": organisation,
        "organisations": memberships,
        "role": principal.role.value,
        "can_edit": principal.can_edit,
        "scope": {"type": principal.scope_type.value, "id": principal.scope_id},
        "password_rules": policy.password.describe(),
    }
