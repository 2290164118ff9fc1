"""Organisation details (seed 003: Admin Functions "request changes to Organisation Details"): a provider
Admin or Full (Edit) user with the whole organisation in scope asks; the council approves (the details
asked for that changed are applied and the organisation republished) or rejects with a reason."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity import errors
from identity.context import Context
from identity.domain.organisation import changed_details, tidy
from identity.handlers.common import pending_request, require_council_editor, visible_request
from identity.store import change_requests
from identity.store import directory as store
from identity.store.directory import Organisation
from shared.auth import Principal, PrincipalKind, ScopeType
from shared.capabilities import Capability, require_capability
from shared.events import OrganisationChangeRequestUpserted, OrganisationUpserted
from shared.logging import get_logger
from shared.scoping import organisation_filter
from shared.uow import Caller, UnitOfWork

log = get_logger(__name__)
WHAT = "organisation change request"


async def my_organisation(ctx: Context, principal: Principal) -> Organisation:
    """The caller's organisation with its contact details (Admin functions)."""
    require_capability(principal, Capability.organisation_details)
    authority_id, organisation_id = organisation_filter(principal)
    if organisation_id is None:
        raise errors.forbidden("council staff have no organisation of their own")
    async with ctx.work.read() as conn:
        organisation = await store.get_organisation(
            conn=conn, authority_id=authority_id, organisation_id=organisation_id
        )
    if organisation is None:
        raise errors.not_found("organisation")
    return organisation


async def request_change(
    ctx: Context, caller: Caller, principal: Principal, *, details: dict[str, str]
) -> dict[str, Any]:
    """Ask for new details of the caller's organisation; only those that differ are requested."""
    require_capability(principal, Capability.organisation_details, edit=True)
    if principal.kind is not PrincipalKind.user:
        raise errors.forbidden("change requests are made by people, not API keys")
    if principal.scope_type is not ScopeType.organisation:
        raise errors.forbidden("your access covers part of the organisation, not its details")
    asked = tidy(details)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        current = await my_organisation_in(conn, principal)
        changed = changed_details(current.model_dump(), asked)
        if not changed:
            raise errors.nothing_changed("organisation's details")
        request = await change_requests.add(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=current.organisation_id,
            requested_by=uuid.UUID(principal.subject),
            details=asked,
            changed=changed,
        )
        if request is None:
            raise errors.conflict("a change to these details is already waiting for the council")
        await uow.audit(
            "organisation_change_requested",
            authority_id=principal.authority_id,
            organisation_id=current.organisation_id,
            request=request["request_id"],
            changed=changed,
        )
        await _publish_request(uow, request)
    log.info("organisation_change_requested", request_id=str(request["request_id"]), changed=changed)
    return request


async def my_organisation_in(conn: asyncpg.Connection, principal: Principal) -> Organisation:
    assert principal.organisation_id is not None
    organisation = await store.get_organisation(
        conn=conn, authority_id=principal.authority_id, organisation_id=principal.organisation_id
    )
    if organisation is None:
        raise errors.not_found("organisation")
    return organisation


async def list_own(ctx: Context, principal: Principal, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """The change requests of the caller's organisation, newest first."""
    require_capability(principal, Capability.organisation_details)
    authority_id, organisation_id = organisation_filter(principal)
    async with ctx.work.read() as conn:
        return await change_requests.list_by_authority(
            conn=conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            status=None,
            limit=limit,
            offset=offset,
        )


async def list_for_council(
    ctx: Context, principal: Principal, *, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    if not principal.is_council:
        raise errors.forbidden("only the council can use the council API")
    async with ctx.work.read() as conn:
        return await change_requests.list_by_authority(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=None,
            status=status,
            limit=limit,
            offset=offset,
        )


async def get_visible(ctx: Context, principal: Principal, *, request_id: uuid.UUID) -> dict[str, Any]:
    """One request: the council's any of its authority, a provider's only of its organisation."""
    return await visible_request(ctx, principal, change_requests.get, request_id=request_id, what=WHAT)


async def approve(
    ctx: Context, caller: Caller, principal: Principal, *, request_id: uuid.UUID
) -> dict[str, Any]:
    """Apply the details that were asked to change, and publish the organisation's new state."""
    require_council_editor(principal)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        request = await _pending(conn, principal, request_id)
        organisation = await store.update_organisation(
            conn=conn,
            organisation_id=request["organisation_id"],
            values={name: request[name] for name in request["changed"]},
        )
        decided = await change_requests.decide(
            conn=conn, request_id=request_id, status="approved", reason=None, decided_by=principal.subject
        )
        await uow.audit(
            "organisation_change_approved",
            authority_id=principal.authority_id,
            organisation_id=request["organisation_id"],
            request=request_id,
            changed=list(request["changed"]),
        )
        await uow.publish(
            OrganisationUpserted(**organisation),
            aggregate_id=organisation["organisation_id"],
            authority_id=principal.authority_id,
        )
        await _publish_request(uow, decided)
    log.info("organisation_change_approved", request_id=str(request_id), revision=organisation["revision"])
    return decided


async def reject(
    ctx: Context, caller: Caller, principal: Principal, *, request_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    require_council_editor(principal)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        request = await _pending(conn, principal, request_id)
        decided = await change_requests.decide(
            conn=conn, request_id=request_id, status="rejected", reason=reason, decided_by=principal.subject
        )
        await uow.audit(
            "organisation_change_rejected",
            authority_id=principal.authority_id,
            organisation_id=request["organisation_id"],
            request=request_id,
        )
        await _publish_request(uow, decided)
    log.info("organisation_change_rejected", request_id=str(request_id))
    return decided


async def _publish_request(uow: UnitOfWork, request: dict[str, Any]) -> None:
    await uow.publish(
        OrganisationChangeRequestUpserted(**request),
        aggregate_id=request["request_id"],
        authority_id=request["authority_id"],
    )


async def _pending(conn: asyncpg.Connection, principal: Principal, request_id: uuid.UUID) -> dict[str, Any]:
    return await pending_request(conn, principal, change_requests.get, request_id=request_id, what=WHAT)
