"""Organisation details (seed 003: Admin Functions "request changes to Organisation Details"): a provider
Admin or Full (Edit) user with the whole organisation in scope asks; the council approves (the details
asked for that changed are applied and the organisation republished) or rejects with a reason. The
request's life is request and decide (shared.decisions)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import asyncpg

from identity import errors
from identity.domain.organisation import (
    DETAILS_SUBJECT,
    ORGANISATION_CHANGE,
    OrganisationChange,
    OrganisationChangeRequest,
    changed_details,
    tidy,
)
from identity.handlers.decisions import REQUESTS, status_filter
from identity.store import directory as store
from identity.store.directory import Organisation
from shared.auth import Principal, ScopeType
from shared.capabilities import Capability, require_capability
from shared.decisions import rules
from shared.errors import Forbidden, NotFound
from shared.events import OrganisationUpserted
from shared.scoping import organisation_filter
from shared.uow import Caller, Work


async def _own(conn: asyncpg.Connection, principal: Principal, *, for_update: bool = False) -> Organisation:
    _, organisation_id = organisation_filter(principal)
    if organisation_id is None:
        raise Forbidden("council staff have no organisation of their own")
    organisation = await store.get_organisation(
        conn=conn, authority_id=principal.authority_id, organisation_id=organisation_id, for_update=for_update
    )
    if organisation is None:
        raise NotFound.of("organisation")
    return organisation


async def my_organisation(caller: Caller, work: Work) -> Organisation:
    """The caller's organisation with its contact details (Admin functions)."""
    require_capability(caller.principal, Capability.organisation_details)
    async with work.read() as conn:
        return await _own(conn, caller.principal)


async def request_change(
    caller: Caller, work: Work, *, details: Mapping[str, str]
) -> OrganisationChangeRequest:
    """Ask for new details of the caller's organisation; only those that differ are requested."""
    principal = caller.principal
    rules.require_asker(principal, ORGANISATION_CHANGE.capability, ORGANISATION_CHANGE.what)
    if principal.scope_type is not ScopeType.organisation:
        raise Forbidden("your access covers part of the organisation, not its details")
    asked = tidy(details)
    async with work.begin(caller.actor) as uow:
        current = await _own(uow.conn, principal)
        changed = changed_details(current.model_dump(), asked)
        if not changed:
            raise errors.nothing_changed("organisation's details")
        request = await REQUESTS.submit(
            uow,
            principal,
            ORGANISATION_CHANGE,
            OrganisationChange(**asked, changed=changed),
            subject=DETAILS_SUBJECT,
            changed=changed,
        )
    return OrganisationChangeRequest.of(request)


async def list_own(
    caller: Caller, work: Work, *, limit: int | None, offset: int
) -> list[OrganisationChangeRequest]:
    """The change requests of the caller's organisation, newest first."""
    async with work.read() as conn:
        rows = await REQUESTS.listing(
            conn, caller.principal, [ORGANISATION_CHANGE], limit=limit, offset=offset
        )
    return [OrganisationChangeRequest.of(r) for r in rows]


async def list_for_council(
    caller: Caller, work: Work, *, status: str | None, limit: int | None, offset: int
) -> list[OrganisationChangeRequest]:
    rules.require_council(caller.principal)
    async with work.read() as conn:
        rows = await REQUESTS.listing(
            conn,
            caller.principal,
            [ORGANISATION_CHANGE],
            status=status_filter(status),
            limit=limit,
            offset=offset,
        )
    return [OrganisationChangeRequest.of(r) for r in rows]


async def get_visible(
    caller: Caller, work: Work, *, request_id: uuid.UUID, council: bool = False
) -> OrganisationChangeRequest:
    """One request: the council's any of its authority, a provider's only of its organisation."""
    if council:
        rules.require_council(caller.principal)
    async with work.read() as conn:
        request = await REQUESTS.visible(conn, caller.principal, [ORGANISATION_CHANGE], request_id=request_id)
    return OrganisationChangeRequest.of(request)


async def approve(caller: Caller, work: Work, *, request_id: uuid.UUID) -> OrganisationChangeRequest:
    """Apply the details that were asked to change, and publish the organisation's new state."""
    principal = caller.principal
    async with work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, principal, [ORGANISATION_CHANGE], request_id=request_id)
        change = request.details(OrganisationChange)
        organisation = await store.update_organisation(
            conn=uow.conn,
            authority_id=request.authority_id,
            organisation_id=request.organisation_id,
            values={name: getattr(change, name) for name in change.changed},
        )
        assert organisation is not None  # the request's organisation is the authority's (foreign key)
        await uow.publish(
            OrganisationUpserted(**organisation.model_dump()),
            aggregate_id=organisation.organisation_id,
            authority_id=organisation.authority_id,
        )
        decided = await REQUESTS.approve(uow, principal, request, changed=change.changed)
        uow.log(
            "organisation_upserted",
            organisation_id=str(organisation.organisation_id),
            revision=organisation.revision,
        )
    return OrganisationChangeRequest.of(decided)


async def reject(
    caller: Caller, work: Work, *, request_id: uuid.UUID, reason: str
) -> OrganisationChangeRequest:
    async with work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, caller.principal, [ORGANISATION_CHANGE], request_id=request_id)
        decided = await REQUESTS.reject(uow, caller.principal, request, reason=reason)
    return OrganisationChangeRequest.of(decided)
