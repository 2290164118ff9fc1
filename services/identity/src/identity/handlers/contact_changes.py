"""Changes to existing contacts (seed 003, "View and Request Changes to Contacts"): a provider Admin or
Full user asks for a leaver to be removed from the organisation, or for a contact's role or scope to
change; the council approves (the link is ended or changed, and the contact's new state published) or
rejects with a reason, as for new contacts. The Main contact is the council's alone."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from identity.domain.contact_requests import (
    CONTACT_ACCESS,
    CONTACT_CHANGES,
    CONTACT_REMOVAL,
    Access,
    ContactChange,
    ContactChangeRequest,
    check_change,
    contact_subject,
)
from identity.handlers.contact_links import change_access, unlink_contact
from identity.handlers.contacts import asked_in, check_scope, find_contact
from identity.handlers.decisions import REQUESTS, placement, status_filter
from identity.store import contracts, memberships
from shared.decisions import rules
from shared.errors import Conflict
from shared.uow import Caller, Work


async def request_removal(caller: Caller, work: Work, *, user_id: uuid.UUID) -> ContactChangeRequest:
    """Ask for a contact (a leaver) to be unlinked from the caller's organisation."""
    return await _ask(caller, work, user_id, None)


async def request_access_change(
    caller: Caller, work: Work, *, user_id: uuid.UUID, access: Mapping[str, Any]
) -> ContactChangeRequest:
    """Ask for a contact's role (Edit or Read-only) or scope to become `access` (role, can_edit,
    scope_type, scope_id: by default the organisation; never Main), within the caller's own scope."""
    return await _ask(caller, work, user_id, access)


async def _ask(
    caller: Caller, work: Work, user_id: uuid.UUID, access: Mapping[str, Any] | None
) -> ContactChangeRequest:
    principal = caller.principal
    kind = CONTACT_REMOVAL if access is None else CONTACT_ACCESS
    rules.require_asker(principal, kind.capability, kind.what)
    asked = None if access is None else Access.model_validate(asked_in(principal, access))
    async with work.begin(caller.actor) as uow:
        contact = await find_contact(uow.conn, principal, user_id)  # 404 outside the caller's scope
        current = Access.model_validate(contact.model_dump())
        check_change(current, asked)
        if asked is not None:
            await check_scope(uow.conn, principal, scope_type=asked.scope_type, scope_id=asked.scope_id)
        assert principal.organisation_id is not None
        _, parent = await contracts.scope_parent(
            conn=uow.conn,
            organisation_id=principal.organisation_id,
            scope_type=current.scope_type,
            scope_id=current.scope_id,
        )
        change = ContactChange(
            user_id=contact.user_id,
            forename=contact.forename,
            surname=contact.surname,
            email=contact.email,
            current=current,
            asked=asked,
        )
        request = await REQUESTS.submit(
            uow,
            principal,
            kind,
            change,
            subject=contact_subject(contact.user_id),
            # Seen by the Admins whose scope holds the contact as they are now.
            **placement(current.scope_type, current.scope_id, parent),
            subject_id=contact.user_id,
        )
    return ContactChangeRequest.of(request)


async def list_own(
    caller: Caller, work: Work, *, limit: int | None, offset: int
) -> list[ContactChangeRequest]:
    """The organisation's changes to contacts within the caller's scope, newest first."""
    async with work.read() as conn:
        rows = await REQUESTS.listing(conn, caller.principal, CONTACT_CHANGES, limit=limit, offset=offset)
    return [ContactChangeRequest.of(r) for r in rows]


async def list_for_council(
    caller: Caller, work: Work, *, status: str | None, limit: int | None, offset: int
) -> list[ContactChangeRequest]:
    rules.require_council(caller.principal)
    async with work.read() as conn:
        rows = await REQUESTS.listing(
            conn, caller.principal, CONTACT_CHANGES, status=status_filter(status), limit=limit, offset=offset
        )
    return [ContactChangeRequest.of(r) for r in rows]


async def get_visible(
    caller: Caller, work: Work, *, request_id: uuid.UUID, council: bool = False
) -> ContactChangeRequest:
    if council:  # the council API's route
        rules.require_council(caller.principal)
    async with work.read() as conn:
        request = await REQUESTS.visible(conn, caller.principal, CONTACT_CHANGES, request_id=request_id)
    return ContactChangeRequest.of(request)


async def approve(caller: Caller, work: Work, *, request_id: uuid.UUID) -> ContactChangeRequest:
    """End the contact's link to the organisation, or change their role and scope to those asked for;
    their new state is published with the decision."""
    principal = caller.principal
    async with work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, principal, CONTACT_CHANGES, request_id=request_id)
        change = request.details(ContactChange)
        linked = await memberships.get_contact(
            conn=uow.conn,
            authority_id=request.authority_id,
            organisation_id=request.organisation_id,
            scope_type="organisation",
            scope_id=request.organisation_id,
            user_id=change.user_id,
            for_update=True,
        )
        if linked is None:
            raise Conflict("this contact is no longer linked to the organisation: reject the request instead")
        where = {"authority_id": request.authority_id, "organisation_id": request.organisation_id}
        if change.asked is None:
            await unlink_contact(uow, **where, user_id=change.user_id)
        else:
            inside, _ = await contracts.scope_parent(
                conn=uow.conn,
                organisation_id=request.organisation_id,
                scope_type=change.asked.scope_type,
                scope_id=change.asked.scope_id,
            )
            if not inside:
                raise Conflict(f"the {change.asked.scope_type} asked for is no longer the organisation's")
            await change_access(uow, **where, user_id=change.user_id, access=change.asked)
        decided = await REQUESTS.approve(uow, principal, request, subject_id=change.user_id)
    return ContactChangeRequest.of(decided)


async def reject(caller: Caller, work: Work, *, request_id: uuid.UUID, reason: str) -> ContactChangeRequest:
    async with work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, caller.principal, CONTACT_CHANGES, request_id=request_id)
        user_id = request.details(ContactChange).user_id
        decided = await REQUESTS.reject(uow, caller.principal, request, reason=reason, subject_id=user_id)
    return ContactChangeRequest.of(decided)
