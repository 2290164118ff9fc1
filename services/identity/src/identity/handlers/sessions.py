"""Sessions after a full login, and the short-lived signed token the gateway exchanges them for.

The gateway presents a session id, not a verified caller: these handlers take the `Actor` (where the
request comes from) in the caller's place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from identity import errors
from identity.context import Context
from identity.crypto import digest, new_secret
from identity.handlers.common import keeping_refusals, memberships_of
from identity.handlers.principals import IssuedToken, issue, principal_for
from identity.store import directory, logins, users
from identity.store import sessions as store
from identity.store.directory import Authority
from identity.store.users import User
from shared.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class NewSession:
    session_id: str  # the opaque cookie value: handed to the gateway once, stored only as a digest
    session_ref: uuid.UUID
    organisation_id: uuid.UUID | None
    expires_at: datetime
    absolute_expires_at: datetime


async def open_session(uow: UnitOfWork, *, authority: Authority, user: User) -> NewSession:
    """The login is complete: a new session id (never one the client brought), the first organisation."""
    if not await logins.record_login(conn=uow.conn, user_id=user.user_id):
        raise errors.account_locked(authority)
    memberships = [] if user.is_council else await memberships_of(uow.conn, user.user_id)
    organisation_id = memberships[0].organisation_id if memberships else None
    policy = directory.policy_of(authority)
    session_id = new_secret("ps_")
    row = await store.add_session(
        conn=uow.conn,
        session_hash=digest(session_id),
        user_id=user.user_id,
        authority_id=authority.authority_id,
        organisation_id=organisation_id,
        idle_minutes=policy.session_idle_minutes,
        absolute_minutes=policy.session_absolute_minutes,
    )
    await uow.audit(
        "login_succeeded",
        authority_id=authority.authority_id,
        subject_id=user.user_id,
        organisation_id=organisation_id,
        session=row.session_ref,
    )
    uow.log("login_succeeded", user_id=str(user.user_id), session=str(row.session_ref))
    return NewSession(session_id, row.session_ref, organisation_id, row.expires_at, row.absolute_expires_at)


async def exchange(actor: Actor, ctx: Context, *, session_id: str) -> IssuedToken:
    """The gateway's exchange: a live session for a signed token. Idle time restarts; a session whose
    account has been locked or closed ends."""
    async with keeping_refusals(ctx.work, actor) as uow:
        session = await store.touch_session(conn=uow.conn, session_hash=digest(session_id))
        if session is None:
            raise errors.session_ended()
        user = await users.get_user(conn=uow.conn, authority_id=session.authority_id, user_id=session.user_id)
        if user is None or user.locked_at is not None or not user.active:
            await store.revoke_session(
                conn=uow.conn, session_hash=digest(session_id), reason="account_unavailable"
            )
            raise errors.session_ended()
        principal = await principal_for(
            uow.conn, user, session.organisation_id, session_ref=session.session_ref
        )
    return issue(ctx, principal, ctx.settings.token_ttl_seconds, session_expires_at=session.expires_at)


async def logout(actor: Actor, ctx: Context, *, session_id: str) -> None:
    """End the session now. Ending one that has already ended is not an error."""
    async with ctx.work.begin(actor) as uow:
        session = await store.revoke_session(conn=uow.conn, session_hash=digest(session_id), reason="logout")
        if session is not None:
            await uow.audit(
                "logout",
                authority_id=session.authority_id,
                subject_id=session.user_id,
                session=session.session_ref,
            )
            uow.log("logged_out", user_id=str(session.user_id), session=str(session.session_ref))


async def switch_organisation(
    actor: Actor, ctx: Context, *, session_id: str, organisation_id: uuid.UUID
) -> IssuedToken:
    """Show the session another organisation the user is linked to (never one they are not)."""
    async with keeping_refusals(ctx.work, actor) as uow:
        session = await store.touch_session(conn=uow.conn, session_hash=digest(session_id))
        if session is None:
            raise errors.session_ended()
        memberships = await memberships_of(uow.conn, session.user_id)
        if organisation_id not in {m.organisation_id for m in memberships}:
            raise errors.not_found("organisation linked to your login")
        await store.set_session_organisation(
            conn=uow.conn, session_hash=digest(session_id), organisation_id=organisation_id
        )
        await uow.audit(
            "organisation_switched",
            authority_id=session.authority_id,
            subject_id=session.user_id,
            organisation_id=organisation_id,
        )
    return await exchange(actor, ctx, session_id=session_id)
