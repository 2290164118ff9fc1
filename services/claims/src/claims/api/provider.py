"""A provider's claims (/api/v1/claims/claims): list, start, read, change, delete, submit. The items,
sent as forms with their files, are in `claims.api.provider_items`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from claims.api.deps import FilesDep
from claims.handlers import claims
from claims.store.records import ClaimRow
from shared.events.claims import ClaimState
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/claims", tags=["one-off claims"])
Status = Literal["unsubmitted", "pending", "accepted", "rejected"]
Version = Annotated[int, Field(ge=1, description="the claim's version you started from")]


class ClaimSummary(BaseModel):
    claim_id: uuid.UUID
    claim_date: date
    notes: str
    status: Status
    total: Money = Field(description="Sum of the items' amounts")
    accepted_total: Money | None = Field(
        description="Sum of the included items' amounts once decided (0.00 when rejected); null until then"
    )
    version: int
    submitted_at: datetime | None
    decided_at: datetime | None


class ClaimCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim_date: date | None = Field(None, description="date of claim; today when left out")
    notes: str | None = Field(None, description="at most 1,000 characters")


class ClaimUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    claim_date: date | None = Field(None, description="new date of claim; unchanged when left out")
    notes: str | None = Field(None, description="new notes; unchanged when left out")


class ClaimSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version


@provider_api.get(
    "/claims",
    response_model=list[ClaimSummary],
    summary="My organisation's one-off claims, newest claim date first",
    responses=PAGED,
)
async def list_claims(
    caller: CurrentCaller, work: WorkDep, page: PageDep, status: Status | None = None
) -> list[ClaimRow]:
    rows = await claims.list_claims(caller, work, status=status, limit=page.fetch, offset=page.offset)
    return page.of(rows)


@provider_api.post("/claims", response_model=ClaimState, status_code=201, summary="Start a claim (a draft)")
async def create_claim(body: ClaimCreate, caller: CurrentCaller, work: WorkDep) -> ClaimState:
    return await claims.create_claim(caller, work, claim_date=body.claim_date, notes=body.notes)


@provider_api.get("/claims/{claim_id}", response_model=ClaimState, summary="A claim with its items")
async def get_claim(claim_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ClaimState:
    return await claims.get_claim(caller, work, claim_id=claim_id)


@provider_api.patch("/claims/{claim_id}", response_model=ClaimState, summary="Change a draft's date or notes")
async def change_claim(
    claim_id: uuid.UUID, body: ClaimUpdate, caller: CurrentCaller, work: WorkDep
) -> ClaimState:
    change = claims.ClaimChange(version=body.version, claim_date=body.claim_date, notes=body.notes)
    return await claims.change_claim(caller, work, claim_id=claim_id, change=change)


@provider_api.delete("/claims/{claim_id}", status_code=204, summary="Delete a draft with its items and files")
async def delete_claim(
    claim_id: uuid.UUID,
    caller: CurrentCaller,
    work: WorkDep,
    files: FilesDep,
    version: Annotated[int, Query(ge=1, description="the claim's version you started from")],
) -> Response:
    await claims.delete_claim(caller, work, claim_id=claim_id, version=version, files=files)
    return Response(status_code=204)


@provider_api.post(
    "/claims/{claim_id}/submit", response_model=ClaimState, summary="Submit a draft to the council"
)
async def submit_claim(
    claim_id: uuid.UUID, body: ClaimSubmit, caller: CurrentCaller, work: WorkDep
) -> ClaimState:
    return await claims.submit_claim(caller, work, claim_id=claim_id, version=body.version)
