"""The council's side of scheduled payments (/council/v1/payments): the authority's payments, one
payment, a line's amendment, and the decision of the providers' disputes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from payments.api.scheduled_payments import PaymentOut, PeriodOut, Version, payment_out
from payments.domain.disputes import DisputeRequest
from payments.handlers import council_payments as handlers
from shared.decisions import DecisionRequest
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/payments", tags=["council"])


class CouncilPeriodOut(PeriodOut):
    organisation_id: uuid.UUID


class AmendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    excl_vat: Money = Field(
        description="The line's new amount excluding VAT (VAT follows at the schedule's rate)"
    )
    reason: str | None = Field(None, description="Why (required; the provider reads it)")


class DisputeOut(BaseModel):
    request_id: uuid.UUID
    organisation_id: uuid.UUID
    payment_id: uuid.UUID
    line_ids: list[uuid.UUID]
    whole_payment: bool
    total: Money = Field(description="The disputed lines' total")
    status: Literal["pending", "approved", "rejected", "withdrawn"]
    requested_by: str
    provider_reason: str | None = Field(
        description="Why the provider disputes the lines (null on disputes made before 1 December 2026)"
    )
    reason: str | None = Field(
        None, description="The council's reason: always on a rejection, on an approval if it gave one"
    )
    created_at: datetime
    decided_at: datetime | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"] = Field(
        description="approve: the provider is right, the lines stay unpaid; reject: they are payable again"
    )
    reason: str | None = Field(
        None, max_length=1000, description="Why; required to reject, optional to approve"
    )


def dispute_out(request: DecisionRequest) -> DisputeOut:
    asked = request.details(DisputeRequest)
    return DisputeOut(
        request_id=request.request_id,
        organisation_id=request.organisation_id,
        payment_id=asked.payment_id,
        line_ids=asked.line_ids,
        whole_payment=asked.whole_payment,
        total=asked.total,
        status=request.status.value,
        requested_by=request.requested_by,
        provider_reason=asked.provider_reason,
        # An approval decided before its reason was kept on the request has it in its outcome.
        reason=request.reason or request.outcome.get("reason"),
        created_at=request.created_at,
        decided_at=request.decided_at,
    )


@router.get(
    "/scheduled-payments",
    response_model=list[CouncilPeriodOut],
    responses=PAGED,
    summary="The authority's scheduled payments, newest period first",
)
async def list_payments(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    organisation_id: uuid.UUID | None = None,
    status: str | None = None,
    period_start: date | None = None,
) -> list[CouncilPeriodOut]:
    rows = await handlers.list_payments(
        caller,
        work,
        organisation_id=organisation_id,
        status=status,
        period_start=period_start,
        limit=page.fetch,
        offset=page.offset,
    )
    return [CouncilPeriodOut.model_validate(r.model_dump()) for r in page.of(rows)]


@router.get("/scheduled-payments/{payment_id}", response_model=PaymentOut, summary="A scheduled payment")
async def get_payment(payment_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> PaymentOut:
    return payment_out(await handlers.get_payment(caller, work, payment_id=payment_id))


@router.patch(
    "/scheduled-payments/{payment_id}/lines/{line_id}",
    response_model=PaymentOut,
    summary="Amend a line of an unconfirmed payment, with a reason",
)
async def amend_line(
    payment_id: uuid.UUID, line_id: uuid.UUID, body: AmendIn, caller: CurrentCaller, work: WorkDep
) -> PaymentOut:
    view = await handlers.amend_line(
        caller,
        work,
        payment_id=payment_id,
        line_id=line_id,
        version=body.version,
        excl_vat=body.excl_vat,
        reason=body.reason,
    )
    return payment_out(view)


@router.get(
    "/disputes/pending",
    response_model=list[DisputeOut],
    responses=PAGED,
    summary="Providers' disputes waiting for a decision, newest first",
)
async def pending_disputes(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[DisputeOut]:
    rows = await handlers.pending_disputes(caller, work, limit=page.fetch, offset=page.offset)
    return [dispute_out(r) for r in page.of(rows)]


@router.post(
    "/disputes/{request_id}/decision",
    response_model=DisputeOut,
    summary="Approve (the lines stay unpaid) or reject (with a reason: payable again) a dispute, once",
)
async def decide(request_id: uuid.UUID, body: DecisionIn, caller: CurrentCaller, work: WorkDep) -> DisputeOut:
    decided = await handlers.decide_dispute(
        caller, work, request_id=request_id, decision=body.decision, reason=body.reason
    )
    return dispute_out(decided)
