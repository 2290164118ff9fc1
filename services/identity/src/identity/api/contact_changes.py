"""Changes to existing contacts: a provider's Admin or Full users ask for a leaver's removal or a change
of a contact's role or scope; the council approves or rejects, as for new contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from identity.api.contacts import STATUS, Rejection
from identity.api.schemas import ScopedGrant
from identity.domain.contact_requests import ContactChangeRequest
from identity.handlers import contact_changes
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/identity", tags=["contacts"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])


class RemovalIn(BaseModel):
    change: Literal["removal"] = Field(description="unlink the contact (a leaver) from my organisation")
    user_id: uuid.UUID = Field(description="the contact")


class AccessChangeIn(ScopedGrant):
    change: Literal["access"] = Field(description="give the contact this role and scope instead")
    user_id: uuid.UUID = Field(description="the contact")


ContactChangeIn = Annotated[RemovalIn | AccessChangeIn, Field(discriminator="change")]


class AccessPublic(BaseModel):
    role: str = Field(description="full | finance | care | admin | main")
    can_edit: bool = Field(description="Edit (true) or Read-only (false)")
    scope_type: str = Field(description="organisation | contract | service")
    scope_id: uuid.UUID


class ContactChangePublic(BaseModel):
    request_id: uuid.UUID
    organisation_id: uuid.UUID
    requested_by: uuid.UUID
    change: str = Field(description="removal | access")
    user_id: uuid.UUID = Field(description="the contact")
    forename: str = Field(description="the contact's, when asked")
    surname: str
    email: str
    current: AccessPublic = Field(description="the contact's role and scope when asked")
    asked: AccessPublic | None = Field(description="the role and scope asked for; null for a removal")
    status: str = Field(description="pending | approved | rejected")
    reason: str | None
    decided_at: datetime | None
    created_at: datetime


@provider_api.post(
    "/contact-change-requests",
    status_code=201,
    response_model=ContactChangePublic,
    summary="Request a contact's removal, or a change of their role or scope (the council approves)",
)
async def request_change(body: ContactChangeIn, caller: CurrentCaller, work: WorkDep) -> ContactChangeRequest:
    if isinstance(body, RemovalIn):
        return await contact_changes.request_removal(caller, work, user_id=body.user_id)
    access = body.model_dump(include={"role", "can_edit", "scope_type", "scope_id"})
    return await contact_changes.request_access_change(caller, work, user_id=body.user_id, access=access)


@provider_api.get("/contact-change-requests", response_model=list[ContactChangePublic], responses=PAGED)
async def list_my_changes(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[ContactChangeRequest]:
    return page.of(await contact_changes.list_own(caller, work, limit=page.fetch, offset=page.offset))


@provider_api.get("/contact-change-requests/{request_id}", response_model=ContactChangePublic)
async def get_my_change(request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ContactChangeRequest:
    return await contact_changes.get_visible(caller, work, request_id=request_id)


@council_api.get("/contact-change-requests", response_model=list[ContactChangePublic], responses=PAGED)
async def council_changes(
    caller: CurrentCaller, work: WorkDep, page: PageDep, status: str | None = Query(None, pattern=STATUS)
) -> list[ContactChangeRequest]:
    rows = await contact_changes.list_for_council(
        caller, work, status=status, limit=page.fetch, offset=page.offset
    )
    return page.of(rows)


@council_api.get("/contact-change-requests/{request_id}", response_model=ContactChangePublic)
async def council_change(request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ContactChangeRequest:
    return await contact_changes.get_visible(caller, work, request_id=request_id, council=True)


@council_api.post(
    "/contact-change-requests/{request_id}/approve",
    response_model=ContactChangePublic,
    summary="Unlink the contact, or give them the role and scope asked for (the user is republished)",
)
async def approve_change(request_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ContactChangeRequest:
    return await contact_changes.approve(caller, work, request_id=request_id)


@council_api.post("/contact-change-requests/{request_id}/reject", response_model=ContactChangePublic)
async def reject_change(
    request_id: uuid.UUID, body: Rejection, caller: CurrentCaller, work: WorkDep
) -> ContactChangeRequest:
    return await contact_changes.reject(caller, work, request_id=request_id, reason=body.reason)
