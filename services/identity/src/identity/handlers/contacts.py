"""Contact requests (seed 003 "How do I request access for new users?"): a provider Admin or Full user
asks; the council approves (a new login with a temporary password, or a new link for a login that
already exists) or rejects with a reason."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity import errors
from identity.context import Context
from identity.crypto import temporary_password
from identity.domain.access import ScopeRef, may_delegate_role, scope_within
from identity.handlers.common import (
    normalise_email,
    pending_request,
    require_council_editor,
    visible_request,
)
from identity.handlers.events import publish_temporary_password, publish_user
from identity.store import contracts, requests, users
from identity.store import memberships as membership_store
from identity.store.users import User
from shared.auth import Principal, PrincipalKind
from shared.capabilities import Capability, require_capability
from shared.events import ContactRequestUpserted
from shared.logging import get_logger
from shared.uow import Caller

log = get_logger(__name__)


def holder_scope(principal: Principal) -> ScopeRef:
    assert principal.scope_id is not None
    return ScopeRef(principal.scope_type.value, principal.scope_id, principal.scope_contract_id)


async def check_scope(
    conn: asyncpg.Connection, principal: Principal, *, scope_type: str, scope_id: uuid.UUID
) -> None:
    """The scope asked for lies in the caller's organisation, and within the caller's own scope."""
    assert principal.organisation_id is not None
    inside, parent = await contracts.scope_parent(
        conn=conn, organisation_id=principal.organisation_id, scope_type=scope_type, scope_id=scope_id
    )
    if not inside:
        raise errors.bad_scope(f"there is no {scope_type} with that id in your organisation")
    if not scope_within(holder_scope(principal), ScopeRef(scope_type, scope_id, parent)):
        raise errors.forbidden("you can only give access within your own scope")


async def check_delegation(
    conn: asyncpg.Connection, principal: Principal, *, role: str, scope_type: str, scope_id: uuid.UUID
) -> None:
    """For what takes effect without the council (API keys): no more role or scope than the caller's."""
    if not may_delegate_role(principal.role.value, role):
        raise errors.forbidden(f"your role ({principal.role.value}) cannot hand on the role {role!r}")
    await check_scope(conn, principal, scope_type=scope_type, scope_id=scope_id)


async def request_contact(
    ctx: Context, caller: Caller, principal: Principal, *, details: dict[str, Any]
) -> dict[str, Any]:
    """A provider user asks for a new contact in their organisation."""
    require_capability(principal, Capability.contacts, edit=True)
    if principal.kind is not PrincipalKind.user:
        raise errors.forbidden("contact requests are made by people, not API keys")
    details = {**details, "email": normalise_email(details["email"])}
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        # Any provider role may be asked for (never Main): the council approves it.
        await check_scope(conn, principal, scope_type=details["scope_type"], scope_id=details["scope_id"])
        assert principal.organisation_id is not None
        request = await requests.add_contact_request(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            requested_by=uuid.UUID(principal.subject),
            details=details,
        )
        if request is None:
            raise errors.conflict("a request for this e-mail is already waiting for the council")
        await uow.audit(
            "contact_requested",
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            request=request["request_id"],
            role=details["role"],
        )
        await uow.publish(
            ContactRequestUpserted(**request),
            aggregate_id=request["request_id"],
            authority_id=principal.authority_id,
        )
    log.info("contact_requested", request_id=str(request["request_id"]))
    return request


async def list_own(ctx: Context, principal: Principal, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """The requests of the caller's organisation for access within the caller's scope (a contract or
    service Admin sees only those, as with contacts and keys)."""
    require_capability(principal, Capability.contacts)
    async with ctx.work.read() as conn:
        return await requests.list_contact_requests(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            status=None,
            limit=limit,
            offset=offset,
            within=(principal.scope_type.value, principal.scope_id or principal.organisation_id),
        )


async def get_visible(ctx: Context, principal: Principal, *, request_id: uuid.UUID) -> dict[str, Any]:
    """One request: the council's any of its authority, a provider's only of its organisation and,
    for an Admin scoped to a contract or service, only for access within that scope (as the list)."""
    request = await visible_request(
        ctx, principal, requests.get_contact_request, request_id=request_id, what="contact request"
    )
    if not principal.is_council and principal.scope_type.value != "organisation":
        assert principal.organisation_id is not None
        async with ctx.work.read() as conn:
            _, parent = await contracts.scope_parent(
                conn=conn,
                organisation_id=principal.organisation_id,
                scope_type=request["scope_type"],
                scope_id=request["scope_id"],
            )
        wanted = ScopeRef(request["scope_type"], request["scope_id"], parent)
        if not scope_within(holder_scope(principal), wanted):
            raise errors.not_found("contact request")
    return request


async def approve(
    ctx: Context, caller: Caller, principal: Principal, *, request_id: uuid.UUID
) -> tuple[dict[str, Any], str | None]:
    """Create the login (temporary password, e-mailed by the messaging service) or link the existing one."""
    require_council_editor(principal)
    password = temporary_password()
    password_hash = await ctx.hasher.hash(password)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        request = await _pending(conn, principal, request_id)
        user: User | None = await users.get_user_by_email(
            conn=conn, authority_id=principal.authority_id, email=request["email"]
        )
        issued: str | None = None
        if user is None:
            user = await users.add_user(
                conn=conn,
                authority_id=principal.authority_id,
                email=request["email"],
                forename=request["forename"],
                surname=request["surname"],
                phone=request["phone"],
                address=request["address"],
                is_council=False,
                council_can_edit=False,
                password_hash=password_hash,
            )
            issued = password
        elif user.is_council:
            raise errors.conflict("that e-mail belongs to a council login")
        await membership_store.upsert_membership(
            conn=conn,
            user_id=user.user_id,
            organisation_id=request["organisation_id"],
            role=request["role"],
            can_edit=request["can_edit"],
            scope_type=request["scope_type"],
            scope_id=request["scope_id"],
        )
        decided = await requests.decide_contact_request(
            conn=conn,
            request_id=request_id,
            status="approved",
            reason=None,
            decided_by=principal.subject,
            user_id=user.user_id,
        )
        await uow.audit(
            "contact_request_approved",
            authority_id=principal.authority_id,
            subject_id=user.user_id,
            organisation_id=request["organisation_id"],
            request=request_id,
            new_login=issued is not None,
        )
        await uow.audit(
            "role_granted",
            authority_id=principal.authority_id,
            subject_id=user.user_id,
            organisation_id=request["organisation_id"],
            role=request["role"],
            can_edit=request["can_edit"],
            scope_type=request["scope_type"],
            scope_id=request["scope_id"],
        )
        await publish_user(uow, user=user, changed=issued is None)
        if issued is not None:
            await publish_temporary_password(uow, ctx, user=user, password=issued, reason="contact_approved")
        await uow.publish(
            ContactRequestUpserted(**decided),
            aggregate_id=request_id,
            authority_id=principal.authority_id,
        )
    log.info("contact_request_approved", request_id=str(request_id), new_login=issued is not None)
    return decided, issued


async def reject(
    ctx: Context, caller: Caller, principal: Principal, *, request_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    require_council_editor(principal)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        request = await _pending(conn, principal, request_id)
        decided = await requests.decide_contact_request(
            conn=conn,
            request_id=request_id,
            status="rejected",
            reason=reason,
            decided_by=principal.subject,
            user_id=None,
        )
        await uow.audit(
            "contact_request_rejected",
            authority_id=principal.authority_id,
            organisation_id=request["organisation_id"],
            request=request_id,
        )
        await uow.publish(
            ContactRequestUpserted(**decided),
            aggregate_id=request_id,
            authority_id=principal.authority_id,
        )
    log.info("contact_request_rejected", request_id=str(request_id))
    return decided


async def _pending(conn: asyncpg.Connection, principal: Principal, request_id: uuid.UUID) -> dict[str, Any]:
    return await pending_request(
        conn, principal, requests.get_contact_request, request_id=request_id, what="contact request"
    )
