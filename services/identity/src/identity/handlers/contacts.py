"""Contacts and new contact requests (seed 003 "How do I request access for new users?"): a provider
Admin or Full user sees the organisation's contacts within their scope and asks for a new one; the
council approves (a new login with a temporary password, or a new link for a login that already exists)
or rejects with a reason. The request's life is request and decide (shared.decisions)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from identity import errors
from identity.context import Context
from identity.crypto import temporary_password
from identity.domain.access import ScopeRef, may_delegate_role, scope_within
from identity.domain.contact_requests import NEW_CONTACT, ContactRequest, NewContact, new_contact_subject
from identity.handlers.common import normalise_email
from identity.handlers.contact_links import link_new_contact
from identity.handlers.decisions import REQUESTS, placement, status_filter
from identity.store import contracts, memberships
from identity.store.memberships import Contact
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.decisions import rules
from shared.errors import Forbidden, NotFound
from shared.scoping import organisation_filter
from shared.uow import Caller, Work


def holder_scope(principal: Principal) -> ScopeRef:
    assert principal.scope_id is not None
    return ScopeRef(principal.scope_type.value, principal.scope_id, principal.scope_contract_id)


async def check_scope(
    conn: asyncpg.Connection, principal: Principal, *, scope_type: str, scope_id: uuid.UUID
) -> uuid.UUID | None:
    """The scope asked for lies in the caller's organisation, and within the caller's own scope.
    Answers a service's contract (None for an organisation or a contract)."""
    assert principal.organisation_id is not None
    inside, parent = await contracts.scope_parent(
        conn=conn, organisation_id=principal.organisation_id, scope_type=scope_type, scope_id=scope_id
    )
    if not inside:
        raise errors.bad_scope(f"there is no {scope_type} with that id in your organisation")
    if not scope_within(holder_scope(principal), ScopeRef(scope_type, scope_id, parent)):
        raise errors.forbidden("you can only give access within your own scope")
    return parent


async def check_delegation(
    conn: asyncpg.Connection, principal: Principal, *, role: str, scope_type: str, scope_id: uuid.UUID
) -> None:
    """For what takes effect without the council (API keys): no more role or scope than the caller's."""
    if not may_delegate_role(principal.role.value, role):
        raise errors.forbidden(f"your role ({principal.role.value}) cannot hand on the role {role!r}")
    await check_scope(conn, principal, scope_type=scope_type, scope_id=scope_id)


def _organisation(principal: Principal) -> uuid.UUID:
    """The caller's organisation (contacts are a provider's; council staff use the council API)."""
    require_capability(principal, Capability.contacts)
    _, organisation_id = organisation_filter(principal)
    if organisation_id is None:
        raise Forbidden("council staff list users with the council API")
    return organisation_id


async def list_contacts(caller: Caller, work: Work, *, limit: int | None, offset: int) -> list[Contact]:
    """The organisation's contacts within the caller's scope (a contract or service Admin sees only
    the contacts there), by name."""
    principal = caller.principal
    organisation_id = _organisation(principal)
    async with work.read() as conn:
        return await memberships.list_contacts(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=organisation_id,
            scope_type=principal.scope_type.value,
            scope_id=principal.scope_id or organisation_id,
            limit=limit,
            offset=offset,
        )


async def find_contact(
    conn: asyncpg.Connection, principal: Principal, user_id: uuid.UUID, **lock: bool
) -> Contact:
    """One of those contacts; 404 for anyone else (another organisation's, outside the caller's scope)."""
    organisation_id = _organisation(principal)
    contact = await memberships.get_contact(
        conn=conn,
        authority_id=principal.authority_id,
        organisation_id=organisation_id,
        scope_type=principal.scope_type.value,
        scope_id=principal.scope_id or organisation_id,
        user_id=user_id,
        **lock,
    )
    if contact is None:
        raise NotFound.of("contact")
    return contact


async def get_contact(caller: Caller, work: Work, *, user_id: uuid.UUID) -> Contact:
    async with work.read() as conn:
        return await find_contact(conn, caller.principal, user_id)


def asked_in(principal: Principal, asked: Mapping[str, Any]) -> dict[str, Any]:
    """What was asked, its scope the caller's organisation when none is given."""
    return {**asked, "scope_id": asked.get("scope_id") or principal.organisation_id}


async def request_contact(caller: Caller, work: Work, *, details: Mapping[str, Any]) -> ContactRequest:
    """A provider person asks for a new contact in their organisation, within their own scope. Any
    provider role may be asked for (never Main): the council decides."""
    principal = caller.principal
    rules.require_asker(principal, NEW_CONTACT.capability, NEW_CONTACT.what)
    contact = NewContact.model_validate(asked_in(principal, details))
    contact = contact.model_copy(update={"email": normalise_email(contact.email)})
    async with work.begin(caller.actor) as uow:
        parent = await check_scope(
            uow.conn, principal, scope_type=contact.scope_type, scope_id=contact.scope_id
        )
        request = await REQUESTS.submit(
            uow,
            principal,
            NEW_CONTACT,
            contact,
            subject=new_contact_subject(contact.email),
            **placement(contact.scope_type, contact.scope_id, parent),
            role=contact.role,
        )
    return ContactRequest.of(request)


async def list_own(caller: Caller, work: Work, *, limit: int | None, offset: int) -> list[ContactRequest]:
    """The organisation's requests for access within the caller's scope, newest first."""
    async with work.read() as conn:
        rows = await REQUESTS.listing(conn, caller.principal, [NEW_CONTACT], limit=limit, offset=offset)
    return [ContactRequest.of(r) for r in rows]


async def list_for_council(
    caller: Caller, work: Work, *, status: str | None, limit: int | None, offset: int
) -> list[ContactRequest]:
    rules.require_council(caller.principal)
    async with work.read() as conn:
        rows = await REQUESTS.listing(
            conn, caller.principal, [NEW_CONTACT], status=status_filter(status), limit=limit, offset=offset
        )
    return [ContactRequest.of(r) for r in rows]


async def get_visible(
    caller: Caller, work: Work, *, request_id: uuid.UUID, council: bool = False
) -> ContactRequest:
    """One request: the council's any of its authority; a provider's only of its organisation, within
    its scope (as the list)."""
    if council:
        rules.require_council(caller.principal)
    async with work.read() as conn:
        request = await REQUESTS.visible(conn, caller.principal, [NEW_CONTACT], request_id=request_id)
    return ContactRequest.of(request)


async def approve(
    caller: Caller, ctx: Context, *, request_id: uuid.UUID
) -> tuple[ContactRequest, str | None]:
    """Create the login (temporary password, e-mailed by the messaging service) or link the existing
    one; answers the decided request and the password, shown once (None for an existing login)."""
    principal = caller.principal
    rules.require_decider(principal)
    password = temporary_password()
    password_hash = await ctx.hasher.hash(password)
    async with ctx.work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, principal, [NEW_CONTACT], request_id=request_id)
        user_id, issued = await link_new_contact(
            uow,
            ctx,
            authority_id=request.authority_id,
            organisation_id=request.organisation_id,
            contact=request.details(NewContact),
            password=password,
            password_hash=password_hash,
        )
        decided = await REQUESTS.approve(
            uow,
            principal,
            request,
            outcome={"user_id": user_id},
            subject_id=user_id,
            new_login=issued is not None,
        )
    return ContactRequest.of(decided), issued


async def reject(caller: Caller, work: Work, *, request_id: uuid.UUID, reason: str) -> ContactRequest:
    async with work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, caller.principal, [NEW_CONTACT], request_id=request_id)
        decided = await REQUESTS.reject(uow, caller.principal, request, reason=reason)
    return ContactRequest.of(decided)
