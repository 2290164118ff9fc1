"""My organisation's details, and the changes to them that a provider asks for and the council decides."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from identity.api.contacts import STATUS, Rejection
from identity.api.directory import OrganisationPublic
from identity.api.schemas import Email, OneLine, Phone, Postcode
from identity.domain.organisation import OrganisationChangeRequest
from identity.handlers import organisation_details
from identity.store.directory import Organisation
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/identity", tags=["organisation"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])


@provider_api.get(
    "/organisation", response_model=OrganisationPublic, summary="My organisation and its contact details"
)
async def get_my_organisation(caller: CurrentCaller, work: WorkDep) -> Organisation:
    return await organisation_details.my_organisation(caller, work)


class OrganisationChangeIn(BaseModel):
    """The details as they should be (all of them); only those that differ are asked for."""

    name: OneLine = Field(min_length=1, max_length=200, description="trading name")
    address: str = Field(
        min_length=1, max_length=500, description="postal address, lines separated by newlines"
    )
    postcode: Postcode
    phone: Phone
    email: Email = Field(description="the organisation's contact e-mail")


class OrganisationChangePublic(BaseModel):
    request_id: uuid.UUID
    organisation_id: uuid.UUID
    requested_by: uuid.UUID
    name: str
    address: str
    postcode: str
    phone: str
    email: str
    changed: list[str] = Field(description="the details that differ from the organisation's when asked")
    status: str = Field(description="pending | approved | rejected")
    reason: str | None
    decided_at: datetime | None
    created_at: datetime


@provider_api.post(
    "/organisation-change-requests",
    status_code=201,
    response_model=OrganisationChangePublic,
    summary="Request a change to my organisation's details (the council approves)",
)
async def request_organisation_change(
    body: OrganisationChangeIn, caller: CurrentCaller, work: WorkDep
) -> OrganisationChangeRequest:
    return await organisation_details.request_change(caller, work, details=body.model_dump())


@provider_api.get(
    "/organisation-change-requests", response_model=list[OrganisationChangePublic], responses=PAGED
)
async def list_my_organisation_changes(
    caller: CurrentCaller, work: WorkDep, page: PageDep
) -> list[OrganisationChangeRequest]:
    return page.of(await organisation_details.list_own(caller, work, limit=page.fetch, offset=page.offset))


@provider_api.get("/organisation-change-requests/{request_id}", response_model=OrganisationChangePublic)
async def get_my_organisation_change(
    request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep
) -> OrganisationChangeRequest:
    return await organisation_details.get_visible(caller, work, request_id=request_id)


@council_api.get(
    "/organisation-change-requests", response_model=list[OrganisationChangePublic], responses=PAGED
)
async def council_organisation_changes(
    caller: CurrentCaller, work: WorkDep, page: PageDep, status: str | None = Query(None, pattern=STATUS)
) -> list[OrganisationChangeRequest]:
    rows = await organisation_details.list_for_council(
        caller, work, status=status, limit=page.fetch, offset=page.offset
    )
    return page.of(rows)


@council_api.get("/organisation-change-requests/{request_id}", response_model=OrganisationChangePublic)
async def council_organisation_change(
    request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep
) -> OrganisationChangeRequest:
    return await organisation_details.get_visible(caller, work, request_id=request_id, council=True)


@council_api.post(
    "/organisation-change-requests/{request_id}/approve",
    response_model=OrganisationChangePublic,
    summary="Apply the details asked for (the organisation is republished)",
)
async def approve_organisation_change(
    request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep
) -> OrganisationChangeRequest:
    return await organisation_details.approve(caller, work, request_id=request_id)


@council_api.post(
    "/organisation-change-requests/{request_id}/reject", response_model=OrganisationChangePublic
)
async def reject_organisation_change(
    request_id: uuid.UUID, body: Rejection, caller: CurrentCaller, work: WorkDep
) -> OrganisationChangeRequest:
    return await organisation_details.reject(caller, work, request_id=request_id, reason=body.reason)
