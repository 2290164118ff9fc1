"""Contacts and contact requests: a provider's Admin or Full users ask, the council decides."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from identity import errors
from identity.api.deps import Authenticated, ContextDep
from identity.api.schemas import EMAIL, PHONE, OneLine, ScopedGrant
from identity.handlers import contacts
from identity.store import memberships, requests
from shared.lanes import HASHING, lane
from shared.paging import PAGED, PageDep
from shared.scoping import Function, organisation_filter, require_function

provider_api = APIRouter(prefix="/api/v1/identity", tags=["contacts"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])


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
async def list_contacts(auth: Authenticated, ctx: ContextDep, page: PageDep) -> list[dict[str, Any]]:
    principal, _ = auth
    require_function(principal, Function.admin)
    authority_id, organisation_id = organisation_filter(principal)
    if organisation_id is None:
        raise errors.forbidden("council staff list users with the council API")
    async with ctx.pool.acquire() as conn:
        rows = await memberships.list_contacts(
            conn=conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            scope_type=principal.scope_type.value,  # a contract or service Admin: only contacts there
            scope_id=principal.scope_id or organisation_id,
            limit=page.fetch,
            offset=page.offset,
        )
    return page.of(rows)


class ContactRequestIn(ScopedGrant):
    forename: OneLine = Field(min_length=1, max_length=100)
    surname: OneLine = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1, max_length=500)
    phone: str = Field(min_length=5, max_length=40, pattern=PHONE)
    email: str = Field(pattern=EMAIL, max_length=254, description="the new contact's portal e-mail")


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
async def request_contact(body: ContactRequestIn, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    details = body.model_dump()
    details["scope_id"] = body.scope_id or principal.organisation_id
    return await contacts.request_contact(ctx, caller, principal, details=details)


@provider_api.get("/contact-requests", response_model=list[ContactRequestPublic], responses=PAGED)
async def list_my_requests(auth: Authenticated, ctx: ContextDep, page: PageDep) -> list[dict[str, Any]]:
    principal, _ = auth
    return page.of(await contacts.list_own(ctx, principal, limit=page.fetch, offset=page.offset))


@provider_api.get("/contact-requests/{request_id}", response_model=ContactRequestPublic)
async def get_my_request(request_id: uuid.UUID, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, _ = auth
    return await contacts.get_visible(ctx, principal, request_id=request_id)


@council_api.get("/contact-requests", response_model=list[ContactRequestPublic], responses=PAGED)
async def council_requests(
    auth: Authenticated,
    ctx: ContextDep,
    page: PageDep,
    status: str | None = Query(None, pattern="^(pending|approved|rejected)$"),
) -> list[dict[str, Any]]:
    principal, _ = auth
    if not principal.is_council:
        raise errors.forbidden("only the council can use the council API")
    async with ctx.pool.acquire() as conn:
        rows = await requests.list_contact_requests(
            conn=conn,
            authority_id=principal.authority_id,
            organisation_id=None,
            status=status,
            limit=page.fetch,
            offset=page.offset,
        )
    return page.of(rows)


@council_api.get("/contact-requests/{request_id}", response_model=ContactRequestPublic)
async def council_request(request_id: uuid.UUID, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, _ = auth
    return await contacts.get_visible(ctx, principal, request_id=request_id)


class Approved(BaseModel):
    request: ContactRequestPublic
    temporary_password: str | None = Field(
        description="for a new login, shown once (also e-mailed); null when an existing login was linked"
    )


@council_api.post(
    "/contact-requests/{request_id}/approve", response_model=Approved, openapi_extra=lane(HASHING)
)
async def approve_request(request_id: uuid.UUID, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    decided, password = await contacts.approve(ctx, caller, principal, request_id=request_id)
    return {"request": decided, "temporary_password": password}


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


@council_api.post("/contact-requests/{request_id}/reject", response_model=ContactRequestPublic)
async def reject_request(
    request_id: uuid.UUID, body: Rejection, auth: Authenticated, ctx: ContextDep
) -> dict[str, Any]:
    principal, caller = auth
    return await contacts.reject(ctx, caller, principal, request_id=request_id, reason=body.reason)
