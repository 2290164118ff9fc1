"""The steps of request and decide, for a service's handlers: ask, see, decide, withdraw.

Each step works inside the handler's unit of work (shared.uow), so that what the kind does on approval
(a login created, a detail changed, a claim paid) is written with the decision, its audit entry and the
request's full-state event, or none of them is. A service declares its kinds once:

    REQUESTS = Decisions("identity", [NEW_CONTACT, ORGANISATION_CHANGE])

and a handler uses them:

    async with work.begin(caller.actor) as uow:
        request = await REQUESTS.pending(uow, caller.principal, [NEW_CONTACT], request_id=request_id)
        ...  # apply what was asked
        return await REQUESTS.approve(uow, caller.principal, request, outcome={"user_id": user_id})
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import asyncpg
from pydantic import BaseModel

from shared.auth import Principal
from shared.decisions import rules
from shared.decisions.model import DecisionRequest, Kind, Status
from shared.decisions.store import COLUMNS, RequestTable
from shared.errors import Conflict, NotFound
from shared.store import Scope
from shared.uow import UnitOfWork


class Decisions:
    """A service's requests: its table (in its schema) and the kinds it takes."""

    def __init__(self, schema: str, kinds: Iterable[Kind[Any]]) -> None:
        self.store = RequestTable(schema)
        self.kinds = {kind.name: kind for kind in kinds}

    def kind_of(self, request: DecisionRequest) -> Kind[Any]:
        return self.kinds[request.kind]

    @staticmethod
    def scope(principal: Principal) -> Scope:
        """The council: its authority's requests; a provider: its organisation's, within its scope."""
        return Scope.of(principal, COLUMNS)

    async def submit(
        self,
        uow: UnitOfWork,
        principal: Principal,
        kind: Kind[Any],
        details: BaseModel,
        *,
        subject: str | None,
        contract_id: uuid.UUID | None = None,
        service_id: uuid.UUID | None = None,
        **audit: Any,
    ) -> DecisionRequest:
        """A provider asks: a pending request of the caller's own organisation (never an id from the
        request). 409 when the kind is exclusive and one for `subject` is already waiting."""
        rules.require_asker(principal, kind.capability, kind.what)
        if kind.exclusive and subject is None:
            raise ValueError(f"{kind.name} is exclusive: its requests need a subject")
        assert principal.organisation_id is not None  # a provider's person (require_asker)
        request = await self.store.add(
            conn=uow.conn,
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            contract_id=contract_id,
            service_id=service_id,
            kind=kind.name,
            subject=subject,
            exclusive=kind.exclusive,
            requested_by=principal.subject,
            payload=details.model_dump(mode="json"),
        )
        if request is None:
            raise Conflict(kind.already_pending, code="already-pending")
        await self._record(uow, kind, request, kind.actions.submitted, **audit)
        return request

    async def visible(
        self,
        conn: asyncpg.Connection,
        principal: Principal,
        kinds: Sequence[Kind[Any]],
        *,
        request_id: uuid.UUID,
    ) -> DecisionRequest:
        """One request the caller may see; 404 for any other id (another tenant's included)."""
        rules.require_viewer(principal, (kind.capability for kind in kinds))
        request = await self.store.get(
            conn=conn, scope=self.scope(principal), request_id=request_id, kinds=_names(kinds)
        )
        if request is None:
            raise NotFound.of(kinds[0].what)
        return request

    async def listing(
        self,
        conn: asyncpg.Connection,
        principal: Principal,
        kinds: Sequence[Kind[Any]],
        *,
        status: Status | None = None,
        limit: int | None,
        offset: int,
    ) -> list[DecisionRequest]:
        """The requests of `kinds` the caller may see, newest first."""
        rules.require_viewer(principal, (kind.capability for kind in kinds))
        return await self.store.page(
            conn=conn,
            scope=self.scope(principal),
            kinds=_names(kinds),
            status=status,
            limit=limit,
            offset=offset,
        )

    async def pending(
        self, uow: UnitOfWork, principal: Principal, kinds: Sequence[Kind[Any]], *, request_id: uuid.UUID
    ) -> DecisionRequest:
        """The council's request to decide, locked until the unit ends; 404 outside its authority,
        409 once decided."""
        rules.require_decider(principal)
        request = await self.store.get(
            conn=uow.conn,
            scope=self.scope(principal),
            request_id=request_id,
            kinds=_names(kinds),
            for_update=True,
        )
        if request is None:
            raise NotFound.of(kinds[0].what)
        rules.require_pending(request)
        return request

    async def approve(
        self,
        uow: UnitOfWork,
        principal: Principal,
        request: DecisionRequest,
        *,
        outcome: Mapping[str, Any] | None = None,
        reason: str | None = None,
        **audit: Any,
    ) -> DecisionRequest:
        """Record the approval (after the handler applied what was asked, in the same unit), with the
        council's reason when it gave one (optional; 422 naming `reason` when too long)."""
        text = rules.approval_reason(reason)
        return await self._decide(uow, principal, request, Status.approved, text, outcome or {}, audit)

    async def reject(
        self,
        uow: UnitOfWork,
        principal: Principal,
        request: DecisionRequest,
        *,
        reason: str | None,
        **audit: Any,
    ) -> DecisionRequest:
        """Refuse, saying why (422 naming `reason` when none is given)."""
        text = rules.rejection_reason(reason)
        return await self._decide(uow, principal, request, Status.rejected, text, {}, audit)

    async def withdraw(
        self, uow: UnitOfWork, principal: Principal, kinds: Sequence[Kind[Any]], *, request_id: uuid.UUID
    ) -> DecisionRequest:
        """The person who asked takes a pending request back (still with Edit access)."""
        for kind in kinds:
            rules.require_asker(principal, kind.capability, kind.what)
        request = await self.store.get(
            conn=uow.conn,
            scope=self.scope(principal),
            request_id=request_id,
            kinds=_names(kinds),
            for_update=True,
        )
        if request is None:
            raise NotFound.of(kinds[0].what)
        rules.require_withdrawer(principal, request)
        rules.require_pending(request)
        return await self._decide(uow, principal, request, Status.withdrawn, None, {}, {})

    async def _decide(
        self,
        uow: UnitOfWork,
        principal: Principal,
        request: DecisionRequest,
        status: Status,
        reason: str | None,
        outcome: Mapping[str, Any],
        audit: dict[str, Any],
    ) -> DecisionRequest:
        if status is not Status.withdrawn:
            rules.require_decider(principal)
        rules.require_pending(request)
        decided = await self.store.decide(
            conn=uow.conn,
            scope=self.scope(principal),
            request_id=request.request_id,
            status=status,
            reason=reason,
            decided_by=principal.subject,
            outcome=outcome,
        )
        if decided is None:  # decided meanwhile: a caller that did not lock it with `pending`
            raise Conflict("this request has just been decided by someone else", code="already-decided")
        kind = self.kind_of(decided)
        action = {
            Status.approved: kind.actions.approved,
            Status.rejected: kind.actions.rejected,
            Status.withdrawn: kind.actions.withdrawn,
        }[status]
        if reason:
            audit = {"reason": reason} | audit
        await self._record(uow, kind, decided, action, **audit)
        return decided

    @staticmethod
    async def _record(
        uow: UnitOfWork, kind: Kind[Any], request: DecisionRequest, action: str, **audit: Any
    ) -> None:
        """The audit entry, the request's full state published, and the log line after the commit."""
        await uow.audit(
            action,
            authority_id=request.authority_id,
            organisation_id=request.organisation_id,
            request=request.request_id,
            kind=request.kind,
            **audit,
        )
        await uow.publish(
            kind.event(request), aggregate_id=request.request_id, authority_id=request.authority_id
        )
        uow.log(action, request=str(request.request_id), kind=request.kind, status=request.status.value)


def _names(kinds: Sequence[Kind[Any]]) -> list[str]:
    if not kinds:
        raise ValueError("name at least one kind of request")
    return [kind.name for kind in kinds]
