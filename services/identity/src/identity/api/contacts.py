"""Contacts and contact requests: a provider's Admin or Full users ask, the council decides."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from identity.api.deps import ContextDep
from identity.api.schemas import Email, OneLine, Phone, ScopedGrant
from identity.domain.contact_requests import ContactRequest
from identity.handlers import contacts
from identity.store.memberships import Contact
from shared.http import CurrentCaller
from shared.lanes import HASHING, lane
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/identity", tags=["contacts"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])
STATUS = "^(pending|approved|rejected)$"


class ContactPublic(BaseModel):
    user_id: uuid.UUID
    email: str
    forename: str
    surname: str
    phone: str | None
    active: bool
    role: str = Field(description="the contact's role in my organisation")
    can_edit: bool = Field(description="Edit (true) or Read-only (false)")
    scope_type: str = Field(description="organisation | contract | service")
    scope_id: uuid.UUID
    scope_name: str | None = Field(None, description="the name of the organisation, contract or service")


@provider_api.get(
    "/contacts",
    response_model=list[ContactPublic],
    summary="The contacts of my organisation",
    responses=PAGED,
)
async def list_contacts(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[Contact]:
    return page.of(await contacts.list_contacts(caller, work, limit=page.fetch, offset=page.offset))


@provider_api.get(
    "/contacts/{user_id}", response_model=ContactPublic, summary="One contact of my organisation"
)
async def get_contact(user_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> Contact:
    return await contacts.get_contact(caller, work, user_id=user_id)


class ContactRequestIn(ScopedGrant):
    forename: OneLine = Field(min_length=1, max_length=100)
    surname: OneLine = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1, max_length=500)
    phone: Phone
    email: Email = Field(description="the new contact's portal e-mail")


class ContactRequestPublic(BaseModel):
    request_id: uuid.UUID
    organisation_id: uuid.UUID
    requested_by: uuid.UUID
    forename: str
    surname: str
    address: str
    phone: str
    email: str
    role: str
    can_edit: bool
    scope_type: str
    scope_id: uuid.UUID
    status: str = Field(description="pending | approved | rejected")
    reason: str | None
    decided_at: datetime | None
    user_id: uuid.UUID | None
    created_at: datetime


@provider_api.post(
    "/contact-requests",
    status_code=201,
    response_model=ContactRequestPublic,
    summary="Request a new contact (the council approves)",
)
async def request_contact(body: ContactRequestIn, caller: CurrentCaller, work: WorkDep) -> ContactRequest:
    return await contacts.request_contact(caller, work, details=body.model_dump())


@provider_api.get("/contact-requests", response_model=list[ContactRequestPublic], responses=PAGED)
async def list_my_requests(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[ContactRequest]:
    return page.of(await contacts.list_own(caller, work, limit=page.fetch, offset=page.offset))


@provider_api.get("/contact-requests/{request_id}", response_model=ContactRequestPublic)
async def get_my_request(request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ContactRequest:
    return await contacts.get_visible(caller, work, request_id=request_id)


@council_api.get("/contact-requests", response_model=list[ContactRequestPublic], responses=PAGED)
async def council_requests(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    status: str | None = Query(None, pattern=STATUS),
) -> list[ContactRequest]:
    rows = await contacts.list_for_council(caller, work, status=status, limit=page.fetch, offset=page.offset)
    return page.of(rows)


@council_api.get("/contact-requests/{request_id}", response_model=ContactRequestPublic)
async def council_request(request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ContactRequest:
    return await contacts.get_visible(caller, work, request_id=request_id, council=True)


class Approved(BaseModel):
    request: ContactRequestPublic
    temporary_password: str | None = Field(
        description="for a new login, shown once (also e-mailed); null when an existing login was linked"
    )


@council_api.post(
    "/contact-requests/{request_id}/approve", response_model=Approved, openapi_extra=lane(HASHING)
)
async def approve_request(request_id: uuid.UUID, caller: CurrentCaller, ctx: ContextDep) -> Approved:
    decided, password = await contacts.approve(caller, ctx, request_id=request_id)
    return Approved(
        request=ContactRequestPublic.model_validate(decided.model_dump()), temporary_password=password
    )


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


@council_api.post("/contact-requests/{request_id}/reject", response_model=ContactRequestPublic)
async def reject_request(
    request_id: uuid.UUID, body: Rejection, caller: CurrentCaller, work: WorkDep
) -> ContactRequest:
    return await contacts.reject(caller, work, request_id=request_id, reason=body.reason)
