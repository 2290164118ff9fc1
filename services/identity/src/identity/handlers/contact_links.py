"""What an approved contact request does to the contact: their login made or found, their link to the
organisation made, changed or ended, each audited, and their new state published
(`identity.user.upserted`) in the decision's unit of work.

Identity's users store and user events still take a connection, a context and identity's own caller
on main; branch id-core moves them to records and the unit of work (`publish_user(uow, user=...)`,
`ctx.work`). These functions are all that meets them, so that merge touches only this module.
"""

from __future__ import annotations

import uuid
from typing import Any

from identity.context import Caller as IdentityCaller
from identity.context import Context
from identity.domain.contact_requests import Access, NewContact
from identity.handlers.events import publish_temporary_password, publish_user
from identity.store import memberships, users
from shared.errors import Conflict
from shared.uow import Actor, UnitOfWork, Work


def work_of(ctx: Context) -> Work:
    """The context's units of work (`ctx.work` once identity.context carries it)."""
    return Work(ctx.pool, ctx.outbox)


def _identity_caller(actor: Actor) -> IdentityCaller:
    return IdentityCaller(
        address=actor.address, request_id=actor.request_id, actor_kind=actor.kind, actor_id=actor.id
    )


async def _user(uow: UnitOfWork, authority_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, Any]:
    user = await users.get_user(conn=uow.conn, authority_id=authority_id, user_id=user_id)
    if user is None:
        raise Conflict("this contact's login no longer exists: reject the request instead")
    return user


async def link_new_contact(
    uow: UnitOfWork,
    ctx: Context,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    contact: NewContact,
    password: str,
    password_hash: str,
) -> tuple[uuid.UUID, str | None]:
    """A new login with the temporary password (e-mailed by the messaging service), or the existing
    login of that e-mail, linked to the organisation with the access asked for. Answers the user's id,
    and the password when a login was made."""
    caller = _identity_caller(uow.actor)
    user = await users.get_user_by_email(conn=uow.conn, authority_id=authority_id, email=contact.email)
    issued: str | None = None
    if user is None:
        user = await users.add_user(
            conn=uow.conn,
            authority_id=authority_id,
            email=contact.email,
            forename=contact.forename,
            surname=contact.surname,
            phone=contact.phone,
            address=contact.address,
            is_council=False,
            council_can_edit=False,
            password_hash=password_hash,
        )
        issued = password
    elif user["is_council"]:
        raise Conflict("that e-mail belongs to a council login")
    await _grant(uow, authority_id, user["user_id"], organisation_id, contact)
    await publish_user(uow.conn, ctx, caller, user=user, changed=issued is None)
    if issued is not None:
        await publish_temporary_password(
            uow.conn, ctx, caller, user=user, password=issued, reason="contact_approved"
        )
    return user["user_id"], issued


async def change_access(
    uow: UnitOfWork,
    ctx: Context,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    user_id: uuid.UUID,
    access: Access,
) -> None:
    """The contact's role and scope in the organisation become `access`."""
    user = await _user(uow, authority_id, user_id)
    await _grant(uow, authority_id, user_id, organisation_id, access)
    await publish_user(uow.conn, ctx, _identity_caller(uow.actor), user=user)


async def unlink_contact(
    uow: UnitOfWork, ctx: Context, *, authority_id: uuid.UUID, organisation_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """The contact is no longer linked to the organisation (their sessions showing it end at the next
    token exchange, as when the council unlinks them itself)."""
    user = await _user(uow, authority_id, user_id)
    if not await memberships.delete_membership(
        conn=uow.conn, user_id=user_id, organisation_id=organisation_id
    ):
        raise Conflict("this contact is no longer linked to the organisation: reject the request instead")
    await uow.audit(
        "role_revoked", authority_id=authority_id, subject_id=user_id, organisation_id=organisation_id
    )
    await publish_user(uow.conn, ctx, _identity_caller(uow.actor), user=user)


async def _grant(
    uow: UnitOfWork, authority_id: uuid.UUID, user_id: uuid.UUID, organisation_id: uuid.UUID, access: Access
) -> None:
    await memberships.upsert_membership(
        conn=uow.conn,
        user_id=user_id,
        organisation_id=organisation_id,
        role=access.role,
        can_edit=access.can_edit,
        scope_type=access.scope_type,
        scope_id=access.scope_id,
    )
    await uow.audit(
        "role_granted",
        authority_id=authority_id,
        subject_id=user_id,
        organisation_id=organisation_id,
        role=access.role,
        can_edit=access.can_edit,
        scope_type=access.scope_type,
        scope_id=access.scope_id,
    )
