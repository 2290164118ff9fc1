"""The council's side of one-off claims (/council/v1/claims): the queue of submitted claims, a claim
with its items, an item's file, and the decision."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from claims.api.deps import FilesDep
from claims.domain.decision import NOTES_MAX, ItemDecision
from claims.handlers import council_claims
from claims.handlers.council_claims import CouncilClaim
from shared.attachments import download_response
from shared.events.claims import ClaimState, ClaimStatus
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/claims", tags=["council"])


class PendingClaim(BaseModel):
    claim_id: uuid.UUID
    organisation_id: uuid.UUID
    claim_date: date
    notes: str
    status: ClaimStatus
    total: Money
    version: int
    submitted_at: datetime | None
    decided_at: datetime | None


class CouncilClaimOut(ClaimState):
    organisation_id: uuid.UUID = Field(description="The provider organisation that claimed")


class ItemDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: uuid.UUID
    included: bool = Field(description="Paid (accepted claims only)")
    la_notes: Annotated[str, Field(max_length=NOTES_MAX)] | None = Field(
        None, description="The council's notes on the item (the provider reads them)"
    )


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accepted", "rejected"]
    reason: Annotated[str, Field(max_length=1000)] | None = Field(
        None, description="Why; required to reject (the provider reads it)"
    )
    items: list[ItemDecisionIn] = Field(
        default_factory=list,
        max_length=1000,
        description="Items not listed are included when accepted; a rejected claim includes none",
    )


def _out(found: CouncilClaim) -> CouncilClaimOut:
    return CouncilClaimOut(**found.claim.model_dump(), organisation_id=found.organisation_id)


@router.get(
    "/claims/pending",
    response_model=list[PendingClaim],
    responses=PAGED,
    summary="Submitted claims waiting for a decision, oldest submitted first",
)
async def list_pending(
    caller: CurrentCaller, work: WorkDep, page: PageDep, organisation_id: uuid.UUID | None = None
) -> list[PendingClaim]:
    rows = await council_claims.pending(
        caller, work, organisation_id=organisation_id, limit=page.fetch, offset=page.offset
    )
    return [PendingClaim.model_validate(r.model_dump()) for r in page.of(rows)]


@router.get("/claims/{claim_id}", response_model=CouncilClaimOut, summary="A submitted claim with its items")
async def get_claim(claim_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> CouncilClaimOut:
    return _out(await council_claims.get_claim(caller, work, claim_id=claim_id))


@router.get(
    "/claims/{claim_id}/items/{item_id}/attachment",
    response_class=Response,
    summary="The file attached to an item of a submitted claim",
)
async def download_attachment(
    claim_id: uuid.UUID, item_id: uuid.UUID, caller: CurrentCaller, work: WorkDep, files: FilesDep
) -> Response:
    attachment, data = await council_claims.attachment(
        caller, work, files, claim_id=claim_id, item_id=item_id
    )
    return download_response(attachment, data)


@router.post(
    "/claims/{claim_id}/decision",
    response_model=CouncilClaimOut,
    summary="Accept (with the items included) or reject (with a reason) a submitted claim, once",
)
async def decide_claim(
    claim_id: uuid.UUID, body: DecisionIn, caller: CurrentCaller, work: WorkDep
) -> CouncilClaimOut:
    found = await council_claims.decide(
        caller,
        work,
        claim_id=claim_id,
        decision=body.decision,
        reason=body.reason,
        items=[ItemDecision(i.item_id, i.included, i.la_notes) for i in body.items],
    )
    return _out(found)
