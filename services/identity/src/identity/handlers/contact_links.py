"""What an approved contact request does to the contact: their login made or found, their link to the
organisation made, changed or ended, each audited, and their new state published
(`identity.user.upserted`) in the decision's unit of work."""

from __future__ import annotations

import uuid

from identity.context import Context
from identity.domain.contact_requests import Access, NewContact
from identity.handlers.events import publish_temporary_password, publish_user
from identity.store import memberships, users
from identity.store.users import User
from shared.errors import Conflict
from shared.uow import UnitOfWork


async def _user(uow: UnitOfWork, authority_id: uuid.UUID, user_id: uuid.UUID) -> User:
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
    user: User | None = await users.get_user_by_email(
        conn=uow.conn, authority_id=authority_id, email=contact.email
    )
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
    elif user.is_council:
        raise Conflict("that e-mail belongs to a council login")
    await _grant(uow, authority_id, user.user_id, organisation_id, contact)
    await publish_user(uow, user=user, changed=issued is None)
    if issued is not None:
        await publish_temporary_password(uow, ctx, user=user, password=issued, reason="contact_approved")
    return user.user_id, issued


async def change_access(
    uow: UnitOfWork,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    user_id: uuid.UUID,
    access: Access,
) -> None:
    """The contact's role and scope in the organisation become `access`."""
    user = await _user(uow, authority_id, user_id)
    await _grant(uow, authority_id, user_id, organisation_id, access)
    await publish_user(uow, user=user)


async def unlink_contact(
    uow: UnitOfWork, *, authority_id: uuid.UUID, organisation_id: uuid.UUID, user_id: uuid.UUID
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
    await publish_user(uow, user=user)


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
