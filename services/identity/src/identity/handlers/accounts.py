"""Council administration of accounts: create, unlock, reset to a temporary password, link to an
organisation with a role and scope (or unlink), and read them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from identity import errors
from identity.context import Context
from identity.crypto import temporary_password
from identity.handlers.common import (
    USERS_MANAGE,
    memberships_of,
    normalise_email,
    require_client_grant,
    require_council,
    require_council_editor,
    require_organisation,
)
from identity.handlers.events import publish_user
from identity.store import contracts, directory, logins, users
from identity.store import memberships as membership_store
from identity.store import sessions as session_store
from identity.store.users import Grant, Membership, User
from shared.auth import Principal
from shared.uow import Caller, UnitOfWork


@dataclass(frozen=True)
class NewUser:
    email: str
    forename: str
    surname: str
    phone: str | None = None
    address: str | None = None
    is_council: bool = False
    council_can_edit: bool = False


class UserDetail(User):
    memberships: list[Membership]


async def create_user(caller: Caller, ctx: Context, *, new: NewUser, grant: Grant | None) -> tuple[User, str]:
    """A new user with a temporary password (returned once; changed at first login): council staff
    with no grant, a provider user with one."""
    if new.is_council == (grant is not None):
        raise errors.bad_request("a council user has no grant; a provider user needs one")
    principal = caller.principal
    require_council_editor(principal)
    password = temporary_password()
    password_hash = await ctx.hasher.hash(password)
    email = normalise_email(new.email)
    async with ctx.work.begin(caller.actor) as uow:
        if new.is_council:
            await require_client_grant(uow.conn, principal, USERS_MANAGE)
        if grant is not None:
            await _check_grant(uow.conn, principal.authority_id, grant)
        if await users.get_user_by_email(conn=uow.conn, authority_id=principal.authority_id, email=email):
            raise errors.conflict("a user with this e-mail already exists in your authority")
        user = await users.add_user(
            conn=uow.conn,
            authority_id=principal.authority_id,
            email=email,
            forename=new.forename,
            surname=new.surname,
            phone=new.phone,
            address=new.address,
            is_council=new.is_council,
            council_can_edit=new.council_can_edit,
            password_hash=password_hash,
        )
        if grant is not None:
            await _link(uow, user, grant)
        await uow.audit(
            "user_created", authority_id=user.authority_id, subject_id=user.user_id, council=new.is_council
        )
        uow.log("user_created", user_id=str(user.user_id))
    return user, password


async def unlock(caller: Caller, ctx: Context, *, user_id: uuid.UUID) -> User:
    """Unlock the account (any reason); its counters and inactivity clock restart."""
    require_council_editor(caller.principal)
    async with ctx.work.begin(caller.actor) as uow:
        before = await _managed_user(uow.conn, caller.principal, user_id)
        if await logins.unlock_user(conn=uow.conn, authority_id=before.authority_id, user_id=user_id):
            await uow.audit(
                "account_unlocked",
                authority_id=before.authority_id,
                subject_id=user_id,
                was=before.lock_reason,
            )
            uow.log("account_unlocked", user_id=str(user_id))
        user = await _user_of_authority(uow.conn, caller.principal, user_id)
    return user


async def reset_password(
    caller: Caller, ctx: Context, *, user_id: uuid.UUID, reset_security_code: bool
) -> tuple[User, str]:
    """A temporary password (returned once), changed at the next login; the account is unlocked and
    every session and login in progress ends. Optionally the security code too (set again at login)."""
    require_council_editor(caller.principal)
    password = temporary_password()
    password_hash = await ctx.hasher.hash(password)
    async with ctx.work.begin(caller.actor) as uow:
        before = await _managed_user(uow.conn, caller.principal, user_id)
        await users.set_password(
            conn=uow.conn, user_id=user_id, password_hash=password_hash, must_change=True
        )
        await logins.unlock_user(conn=uow.conn, authority_id=before.authority_id, user_id=user_id)
        await logins.restart_inactivity_clock(conn=uow.conn, user_id=user_id)
        await session_store.end_user_journeys(conn=uow.conn, user_id=user_id)
        await session_store.revoke_user_sessions(conn=uow.conn, user_id=user_id, reason="password_reset")
        if reset_security_code:
            await users.set_security_code(conn=uow.conn, user_id=user_id, sealed=None)
        await uow.audit(
            "password_reset",
            authority_id=before.authority_id,
            subject_id=user_id,
            security_code_reset=reset_security_code,
        )
        uow.log("password_reset", user_id=str(user_id), security_code_reset=reset_security_code)
        user = await _user_of_authority(uow.conn, caller.principal, user_id)
    return user, password


async def grant(caller: Caller, ctx: Context, *, user_id: uuid.UUID, grant: Grant) -> UserDetail:
    """Link a provider user to an organisation with a role and scope (Main included: the council's)."""
    require_council_editor(caller.principal)
    async with ctx.work.begin(caller.actor) as uow:
        user = await _user_of_authority(uow.conn, caller.principal, user_id)
        if user.is_council:
            raise errors.bad_request("council staff see the whole authority; they have no organisation roles")
        await _check_grant(uow.conn, user.authority_id, grant)
        await _link(uow, user, grant)
        await publish_user(uow, user=user)
        detail = await _detail(uow.conn, user)
    return detail


async def revoke(caller: Caller, ctx: Context, *, user_id: uuid.UUID, organisation_id: uuid.UUID) -> None:
    """Unlink a user from an organisation; their sessions showing it end at the next token exchange."""
    require_council_editor(caller.principal)
    async with ctx.work.begin(caller.actor) as uow:
        user = await _user_of_authority(uow.conn, caller.principal, user_id)
        if not await membership_store.delete_membership(
            conn=uow.conn, user_id=user_id, organisation_id=organisation_id
        ):
            raise errors.not_found("link between that user and organisation")
        await uow.audit(
            "role_revoked",
            authority_id=user.authority_id,
            subject_id=user_id,
            organisation_id=organisation_id,
        )
        await publish_user(uow, user=user)
        uow.log("role_revoked", user_id=str(user_id), organisation_id=str(organisation_id))


async def user_detail(caller: Caller, ctx: Context, *, user_id: uuid.UUID) -> UserDetail:
    """A user of the caller's authority, with their organisations."""
    require_council(caller.principal, "only the council can see every user")
    async with ctx.work.read() as conn:
        return await _detail(conn, await _user_of_authority(conn, caller.principal, user_id))


async def list_users(
    caller: Caller, ctx: Context, *, organisation_id: uuid.UUID | None, limit: int, offset: int
) -> list[User]:
    """Users of the caller's authority, or the contacts of one of its organisations, by name."""
    principal = caller.principal
    require_council(principal)
    async with ctx.work.read() as conn:
        if organisation_id is not None:
            await require_organisation(conn, principal, organisation_id)
        return await users.list_users(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            limit=limit,
            offset=offset,
        )


async def _check_grant(conn: asyncpg.Connection, authority_id: uuid.UUID, grant: Grant) -> None:
    """The organisation is the authority's, and the scope lies inside the organisation."""
    if (
        await directory.get_organisation(
            conn=conn, authority_id=authority_id, organisation_id=grant.organisation_id
        )
        is None
    ):
        raise errors.not_found("organisation")
    inside, _ = await contracts.scope_parent(
        conn=conn, organisation_id=grant.organisation_id, scope_type=grant.scope_type, scope_id=grant.scope_id
    )
    if not inside:
        raise errors.bad_scope(f"there is no {grant.scope_type} with that id in the organisation")


async def _link(uow: UnitOfWork, user: User, grant: Grant) -> None:
    """The user's role and scope in the grant's organisation, set (or changed) and audited."""
    await membership_store.upsert_membership(
        conn=uow.conn,
        user_id=user.user_id,
        organisation_id=grant.organisation_id,
        role=grant.role,
        can_edit=grant.can_edit,
        scope_type=grant.scope_type,
        scope_id=grant.scope_id,
    )
    await uow.audit(
        "role_granted", authority_id=user.authority_id, subject_id=user.user_id, **grant.model_dump()
    )
    uow.log(
        "role_granted", user_id=str(user.user_id), organisation_id=str(grant.organisation_id), role=grant.role
    )


async def _user_of_authority(conn: asyncpg.Connection, principal: Principal, user_id: uuid.UUID) -> User:
    user = await users.get_user(conn=conn, authority_id=principal.authority_id, user_id=user_id)
    if user is None:
        raise errors.not_found("user")
    return user


async def _managed_user(conn: asyncpg.Connection, principal: Principal, user_id: uuid.UUID) -> User:
    """A user the caller may unlock or reset: a council user only with users:manage (a temporary
    password handed to a machine would be a way into a council login)."""
    user = await _user_of_authority(conn, principal, user_id)
    if user.is_council:
        await require_client_grant(conn, principal, USERS_MANAGE)
    return user


async def _detail(conn: asyncpg.Connection, user: User) -> UserDetail:
    return UserDetail(**user.model_dump(), memberships=await memberships_of(conn, user.user_id))
