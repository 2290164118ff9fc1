"""Council administration of accounts: create, unlock, reset to a temporary password."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from identity import errors
from identity.context import Caller, Context
from identity.crypto import temporary_password
from identity.handlers.common import (
    USERS_MANAGE,
    normalise_email,
    record,
    require_client_grant,
    require_council_editor,
)
from identity.handlers.events import publish_user
from identity.store import contracts, directory, users
from identity.store import memberships as membership_store
from identity.store import sessions as session_store
from shared.auth import Principal
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class NewUser:
    email: str
    forename: str
    surname: str
    phone: str | None = None
    address: str | None = None
    is_council: bool = False
    council_can_edit: bool = False


@dataclass(frozen=True)
class Grant:
    organisation_id: uuid.UUID
    role: str
    can_edit: bool
    scope_type: str
    scope_id: uuid.UUID


async def check_grant(conn: asyncpg.Connection, authority_id: uuid.UUID, grant: Grant) -> None:
    """The organisation is the authority's, the role exists, and the scope lies inside the organisation."""
    organisation = await directory.get_organisation(
        conn=conn, authority_id=authority_id, organisation_id=grant.organisation_id
    )
    if organisation is None:
        raise errors.not_found("organisation")
    inside, _ = await contracts.scope_parent(
        conn=conn, organisation_id=grant.organisation_id, scope_type=grant.scope_type, scope_id=grant.scope_id
    )
    if not inside:
        raise errors.bad_scope(f"there is no {grant.scope_type} with that id in the organisation")


async def create_user(
    ctx: Context, caller: Caller, principal: Principal, *, new: NewUser, grant: Grant | None
) -> tuple[dict[str, Any], str]:
    """A new user with a temporary password (returned once; changed at first login)."""
    require_council_editor(principal)
    password = temporary_password()
    password_hash = await ctx.hasher.hash(password)
    async with ctx.pool.acquire() as conn, conn.transaction():
        if new.is_council:
            await require_client_grant(conn, principal, USERS_MANAGE)
        if grant is not None:
            await check_grant(conn, principal.authority_id, grant)
        existing = await users.get_user_by_email(
            conn=conn, authority_id=principal.authority_id, email=normalise_email(new.email)
        )
        if existing is not None:
            raise errors.conflict("a user with this e-mail already exists in your authority")
        user = await users.add_user(
            conn=conn,
            authority_id=principal.authority_id,
            email=normalise_email(new.email),
            forename=new.forename,
            surname=new.surname,
            phone=new.phone,
            address=new.address,
            is_council=new.is_council,
            council_can_edit=new.council_can_edit,
            password_hash=password_hash,
        )
        if grant is not None:
            await membership_store.upsert_membership(
                conn=conn,
                user_id=user["user_id"],
                organisation_id=grant.organisation_id,
                role=grant.role,
                can_edit=grant.can_edit,
                scope_type=grant.scope_type,
                scope_id=grant.scope_id,
            )
            await record(
                conn,
                caller,
                authority_id=principal.authority_id,
                action="role_granted",
                subject_user_id=user["user_id"],
                organisation_id=grant.organisation_id,
                role=grant.role,
                can_edit=grant.can_edit,
                scope_type=grant.scope_type,
                scope_id=grant.scope_id,
            )
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="user_created",
            subject_user_id=user["user_id"],
            council=new.is_council,
        )
    log.info("user_created", user_id=str(user["user_id"]))
    return user, password


async def _user_of_authority(
    conn: asyncpg.Connection, principal: Principal, user_id: uuid.UUID
) -> dict[str, Any]:
    user = await users.get_user(conn=conn, authority_id=principal.authority_id, user_id=user_id)
    if user is None:
        raise errors.not_found("user")
    return user


async def _managed_user(conn: asyncpg.Connection, principal: Principal, user_id: uuid.UUID) -> dict[str, Any]:
    """A user the caller may unlock or reset: a council user only with users:manage (a temporary
    password handed to a machine would be a way into a council login)."""
    user = await _user_of_authority(conn, principal, user_id)
    if user["is_council"]:
        await require_client_grant(conn, principal, USERS_MANAGE)
    return user


async def unlock(ctx: Context, caller: Caller, principal: Principal, *, user_id: uuid.UUID) -> dict[str, Any]:
    """Unlock the account (any reason); its counters and inactivity clock restart."""
    require_council_editor(principal)
    async with ctx.pool.acquire() as conn, conn.transaction():
        before = await _managed_user(conn, principal, user_id)
        if await users.unlock_user(conn=conn, authority_id=principal.authority_id, user_id=user_id):
            await record(
                conn,
                caller,
                authority_id=principal.authority_id,
                action="account_unlocked",
                subject_user_id=user_id,
                was=before["lock_reason"],
            )
            log.info("account_unlocked", user_id=str(user_id))
        return await _user_of_authority(conn, principal, user_id)


async def reset_password(
    ctx: Context, caller: Caller, principal: Principal, *, user_id: uuid.UUID, reset_security_code: bool
) -> tuple[dict[str, Any], str]:
    """A temporary password (returned once), changed at the next login; the account is unlocked and
    every session and login in progress ends. Optionally the security code too (set again at login)."""
    require_council_editor(principal)
    password = temporary_password()
    password_hash = await ctx.hasher.hash(password)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await _managed_user(conn, principal, user_id)
        await users.set_password(conn=conn, user_id=user_id, password_hash=password_hash, must_change=True)
        await users.unlock_user(conn=conn, authority_id=principal.authority_id, user_id=user_id)
        await users.restart_inactivity_clock(conn=conn, user_id=user_id)
        await session_store.end_user_journeys(conn=conn, user_id=user_id)
        await session_store.revoke_user_sessions(conn=conn, user_id=user_id, reason="password_reset")
        if reset_security_code:
            await users.set_security_code(conn=conn, user_id=user_id, sealed=None)
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="password_reset",
            subject_user_id=user_id,
            security_code_reset=reset_security_code,
        )
        user = await _user_of_authority(conn, principal, user_id)
    log.info("password_reset", user_id=str(user_id), security_code_reset=reset_security_code)
    return user, password


async def grant(
    ctx: Context, caller: Caller, principal: Principal, *, user_id: uuid.UUID, grant: Grant
) -> dict[str, Any]:
    """Link a provider user to an organisation with a role and scope (Main included: the council's)."""
    require_council_editor(principal)
    async with ctx.pool.acquire() as conn, conn.transaction():
        user = await _user_of_authority(conn, principal, user_id)
        if user["is_council"]:
            raise errors.bad_request("council staff see the whole authority; they have no organisation roles")
        await check_grant(conn, principal.authority_id, grant)
        await membership_store.upsert_membership(
            conn=conn,
            user_id=user_id,
            organisation_id=grant.organisation_id,
            role=grant.role,
            can_edit=grant.can_edit,
            scope_type=grant.scope_type,
            scope_id=grant.scope_id,
        )
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="role_granted",
            subject_user_id=user_id,
            organisation_id=grant.organisation_id,
            role=grant.role,
            can_edit=grant.can_edit,
            scope_type=grant.scope_type,
            scope_id=grant.scope_id,
        )
        await publish_user(conn, ctx, caller, user=user)
    log.info(
        "role_granted", user_id=str(user_id), organisation_id=str(grant.organisation_id), role=grant.role
    )
    return user


async def revoke(
    ctx: Context, caller: Caller, principal: Principal, *, user_id: uuid.UUID, organisation_id: uuid.UUID
) -> None:
    """Unlink a user from an organisation; their sessions showing it end at the next token exchange."""
    require_council_editor(principal)
    async with ctx.pool.acquire() as conn, conn.transaction():
        user = await _user_of_authority(conn, principal, user_id)
        if not await membership_store.delete_membership(
            conn=conn, user_id=user_id, organisation_id=organisation_id
        ):
            raise errors.not_found("link between that user and organisation")
        await record(
            conn,
            caller,
            authority_id=principal.authority_id,
            action="role_revoked",
            subject_user_id=user_id,
            organisation_id=organisation_id,
        )
        await publish_user(conn, ctx, caller, user=user)
    log.info("role_revoked", user_id=str(user_id), organisation_id=str(organisation_id))


async def user_detail(ctx: Context, principal: Principal, *, user_id: uuid.UUID) -> dict[str, Any]:
    """A user of the caller's authority, with their organisations."""
    if not principal.is_council:
        raise errors.forbidden("only the council can see every user")
    async with ctx.pool.acquire() as conn:
        user = await _user_of_authority(conn, principal, user_id)
        return {**user, "memberships": await membership_store.list_memberships(conn=conn, user_id=user_id)}
