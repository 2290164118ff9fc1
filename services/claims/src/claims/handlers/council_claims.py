"""The council's side of one-off claims: the queue of submitted claims, a claim with its items and
files, and the decision (the claims contract, "Council API"; seed 004 section 6).

A submitted claim is a request of the kind "claim" (claims.domain.requests): the decision locks the
claim, then the request (`REQUESTS.pending`, 409 once decided), writes each item's included flag and
LA notes and the claim's status, approves or rejects the request, and publishes
`claims.claim.decided.v1`, all in one unit of work. The claim's lock and its `status = 'pending'`
guard make a second decision a 409 that writes and publishes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from claims.domain.decision import ItemDecision, item_decisions
from claims.domain.requests import CLAIM, REQUESTS
from claims.handlers.attachments import ClaimFiles
from claims.handlers.views import claim_state, decided_event
from claims.store import claims as claim_store
from claims.store import decisions as store
from claims.store import items as item_store
from claims.store.records import ClaimRow
from shared.attachments import Attachment
from shared.auth import Principal
from shared.decisions import rules
from shared.errors import Conflict, NotFound
from shared.events.claims import ClaimState
from shared.money import total
from shared.uow import Caller, Work


@dataclass(frozen=True)
class CouncilClaim:
    claim: ClaimState
    organisation_id: uuid.UUID


def _require_council(principal: Principal) -> None:
    rules.require_council(principal)


def _visible(claim: ClaimRow | None) -> ClaimRow:
    """A claim the council may see: submitted (a provider's draft is the provider's own business)."""
    if claim is None or claim.status == "unsubmitted":
        raise NotFound.of("claim", code="claim-not-found")
    return claim


async def pending(
    caller: Caller, work: Work, *, organisation_id: uuid.UUID | None, limit: int, offset: int
) -> list[ClaimRow]:
    _require_council(caller.principal)
    async with work.read() as conn:
        return await store.pending_page(
            conn,
            scope=claim_store.claim_scope(caller.principal),
            organisation_id=organisation_id,
            limit=limit,
            offset=offset,
        )


async def get_claim(caller: Caller, work: Work, *, claim_id: uuid.UUID) -> CouncilClaim:
    principal = caller.principal
    _require_council(principal)
    async with work.read() as conn:
        claim = _visible(
            await claim_store.get(conn, scope=claim_store.claim_scope(principal), claim_id=claim_id)
        )
        rows = await item_store.of_claim(conn, scope=item_store.item_scope(principal), claim_id=claim_id)
    return CouncilClaim(claim_state(claim, rows), claim.organisation_id)


async def attachment(
    caller: Caller, work: Work, files: ClaimFiles, *, claim_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[Attachment, bytes]:
    """The file of an item of a submitted claim of the council's authority; 404 for anything else."""
    principal = caller.principal
    _require_council(principal)
    async with work.read() as conn:
        _visible(await claim_store.get(conn, scope=claim_store.claim_scope(principal), claim_id=claim_id))
        item = await item_store.get(
            conn, scope=item_store.item_scope(principal), claim_id=claim_id, item_id=item_id
        )
        if item is None or item.attachment_id is None:
            raise NotFound.of("attachment on that item", code="attachment-not-found")
        return await files.read(conn, principal, item.attachment_id)


async def decide(
    caller: Caller,
    work: Work,
    *,
    claim_id: uuid.UUID,
    decision: str,
    reason: str | None,
    items: Sequence[ItemDecision],
) -> CouncilClaim:
    principal = caller.principal
    rules.require_decider(principal)  # council staff or systems with Edit, before anything is read
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        claim = _visible(
            await claim_store.get(
                conn, scope=claim_store.claim_scope(principal), claim_id=claim_id, lock=True
            )
        )
        if claim.status != "pending" or claim.request_id is None:
            raise Conflict(
                f"this claim was {claim.status} on {_day(claim)}: it has been decided already",
                code="already-decided",
            )
        request = await REQUESTS.pending(uow, principal, [CLAIM], request_id=claim.request_id)
        text = rules.rejection_reason(reason) if decision == "rejected" else _optional(reason)
        rows = await item_store.of_claim(conn, scope=item_store.item_scope(principal), claim_id=claim_id)
        decided = item_decisions(decision, [r.item_id for r in rows], items)
        included = {d.item_id for d in decided if d.included}
        accepted_total = total(r.amount for r in rows if r.item_id in included)
        await store.decide_items(
            conn,
            scope=item_store.item_scope(principal),
            claim_id=claim_id,
            item_ids=[d.item_id for d in decided],
            included=[d.included for d in decided],
            la_notes=[d.la_notes for d in decided],
        )
        claim = await store.decide(
            conn,
            scope=claim_store.claim_scope(principal),
            claim_id=claim_id,
            status=decision,
            reason=text,
            accepted_total=accepted_total if decision == "accepted" else Decimal("0.00"),
            decided_by=principal.subject,
        )
        if decision == "accepted":
            await REQUESTS.approve(
                uow, principal, request, outcome={"accepted_total": str(accepted_total)}, claim=str(claim_id)
            )
        else:
            await REQUESTS.reject(uow, principal, request, reason=text, claim=str(claim_id))
        rows = await item_store.of_claim(conn, scope=item_store.item_scope(principal), claim_id=claim_id)
        await uow.publish(
            decided_event(claim, rows), aggregate_id=claim.claim_id, authority_id=claim.authority_id
        )
        uow.log(
            "claim_decided", claim=str(claim_id), decision=decision, accepted_total=str(claim.accepted_total)
        )
    return CouncilClaim(claim_state(claim, rows), claim.organisation_id)


def _day(claim: ClaimRow) -> str:
    return claim.decided_at.date().isoformat() if claim.decided_at else "an earlier day"


def _optional(reason: str | None) -> str | None:
    text = (reason or "").strip()
    return text or None
