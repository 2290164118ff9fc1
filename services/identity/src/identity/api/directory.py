"""The provider directory: authority settings, organisations, contracts and services - read by
providers within their scope, maintained by the council (each change published with full state)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, model_validator

from identity import errors
from identity.api.deps import Authenticated, ContextDep
from identity.api.schemas import EMAIL, PHONE, ContractPublic, OneLine, ServicePublic
from identity.handlers import directory
from identity.handlers.common import require_organisation
from identity.store import contracts
from identity.store import directory as store
from shared.http import CurrentPrincipal
from shared.paging import PAGED, PageDep
from shared.scoping import organisation_filter, require_visible

provider_api = APIRouter(prefix="/api/v1/identity", tags=["directory"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])
REFERENCE = r"^[A-Za-z0-9/_.:-]+$"
COLOUR = r"^#[0-9a-f]{6}$"


class OrganisationUpsert(BaseModel):
    """The contact details are optional: one left out keeps its value, null clears it."""

    reference: str = Field(min_length=1, max_length=50, pattern=REFERENCE)
    name: OneLine = Field(min_length=1, max_length=200)
    active: bool = True
    address: str | None = Field(None, min_length=1, max_length=500, description="lines separated by newlines")
    postcode: str | None = Field(None, min_length=1, max_length=10)
    phone: str | None = Field(None, min_length=5, max_length=40, pattern=PHONE)
    email: str | None = Field(None, max_length=254, pattern=EMAIL)


class OrganisationPublic(BaseModel):
    organisation_id: uuid.UUID
    reference: str
    name: str
    active: bool
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    revision: int


@provider_api.get("/organisations", response_model=list[OrganisationPublic], responses=PAGED)
async def list_organisations(
    principal: CurrentPrincipal, ctx: ContextDep, page: PageDep
) -> list[dict[str, Any]]:
    authority_id, organisation_id = organisation_filter(principal)
    async with ctx.work.read() as conn:
        rows = await store.list_organisations(
            conn=conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            limit=page.fetch,
            offset=page.offset,
        )
    return page.of(rows)


@provider_api.get(
    "/contracts", response_model=list[ContractPublic], summary="Contracts within my scope", responses=PAGED
)
async def list_contracts(principal: CurrentPrincipal, ctx: ContextDep, page: PageDep) -> list[dict[str, Any]]:
    async with ctx.work.read() as conn:
        rows = await contracts.list_contracts(
            conn=conn, principal=principal, limit=page.fetch, offset=page.offset
        )
    return page.of(rows)


@provider_api.get(
    "/services", response_model=list[ServicePublic], summary="Services within my scope", responses=PAGED
)
async def list_services(
    principal: CurrentPrincipal, ctx: ContextDep, page: PageDep, contract_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    async with ctx.work.read() as conn:
        if contract_id is not None:
            contract = await contracts.get_contract(
                conn=conn, authority_id=principal.authority_id, contract_id=contract_id
            )
            require_visible(principal, "contract", **_ids(contract, authority_id=principal.authority_id))
        rows = await contracts.list_services(
            conn=conn, principal=principal, contract_id=contract_id, limit=page.fetch, offset=page.offset
        )
    return page.of(rows)


def _ids(row: dict[str, Any] | None, *, authority_id: uuid.UUID) -> dict[str, Any]:
    """The scoping ids of a contract row (or ids nobody can see when there is no row)."""
    if row is None:
        return {"authority_id": uuid.uuid4()}
    return {
        "authority_id": authority_id,
        "organisation_id": row["organisation_id"],
        "contract_id": row["contract_id"],
    }


@council_api.put("/organisations", response_model=OrganisationPublic)
async def put_organisation(
    body: OrganisationUpsert, principal: CurrentPrincipal, ctx: ContextDep, request: Request
) -> dict[str, Any]:
    """Create or change a provider organisation of the caller's authority (council systems only)."""
    if not principal.is_council or not principal.can_edit:
        raise errors.forbidden("only the council may maintain organisations")
    async with ctx.work.read() as conn:
        if await store.get_authority(conn=conn, authority_id=principal.authority_id) is None:
            raise errors.not_found("authority")
    return await directory.upsert_organisation(
        pool=ctx.work.pool,
        outbox=ctx.work.outbox,
        authority_id=principal.authority_id,
        reference=body.reference,
        name=body.name,
        active=body.active,
        correlation_id=request.state.request_id,
        details={
            k: (v.lower() if k == "email" and v else v)
            for k, v in body.model_dump(exclude_unset=True, include=set(store.ORGANISATION_DETAILS)).items()
        },
    )


class ContractUpsert(BaseModel):
    reference: str = Field(min_length=1, max_length=50, pattern=REFERENCE)
    organisation_id: uuid.UUID
    name: OneLine = Field(min_length=1, max_length=200)
    payment_basis: str = Field(pattern="^(actuals|planned)$")
    frequency: str = Field(pattern="^(weekly|four_weekly)$")
    pays_frustrated: bool = False
    pays_extras: bool = True
    vat_registered: bool = False
    start_date: date | None = None
    end_date: date | None = None
    active: bool = True

    @model_validator(mode="after")
    def _dates_in_order(self) -> ContractUpsert:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


@council_api.put("/contracts", response_model=ContractPublic, summary="Create or change a contract")
async def put_contract(body: ContractUpsert, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    values = body.model_dump(exclude={"organisation_id"})
    return await directory.upsert_contract(
        ctx, caller, principal, organisation_id=body.organisation_id, values=values
    )


@council_api.get("/contracts", response_model=list[ContractPublic], responses=PAGED)
async def council_contracts(
    auth: Authenticated, ctx: ContextDep, page: PageDep, organisation_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    principal, _ = auth
    if not principal.is_council:
        raise errors.forbidden("only the council can use the council API")
    async with ctx.work.read() as conn:
        if organisation_id is not None:
            await require_organisation(conn, principal, organisation_id)
        rows = await contracts.list_contracts(
            conn=conn,
            principal=principal,
            organisation_id=organisation_id,
            limit=page.fetch,
            offset=page.offset,
        )
    return page.of(rows)


class ServiceUpsert(BaseModel):
    reference: str = Field(min_length=1, max_length=50, pattern=REFERENCE)
    contract_id: uuid.UUID
    name: OneLine = Field(min_length=1, max_length=200)
    active: bool = True


@council_api.put(
    "/services", response_model=ServicePublic, summary="Create or change a service under a contract"
)
async def put_service(body: ServiceUpsert, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    return await directory.upsert_service(
        ctx,
        caller,
        principal,
        contract_id=body.contract_id,
        reference=body.reference,
        name=body.name,
        active=body.active,
    )


class AuthorityPublic(BaseModel):
    authority_id: uuid.UUID
    slug: str
    name: str
    primary_colour: str
    secondary_colour: str
    support_email: str | None
    support_phone: str | None
    password_min_length: int
    password_require_letter: bool
    password_require_non_letter: bool
    password_require_upper: bool
    password_require_lower: bool
    password_require_digit: bool
    password_require_symbol: bool
    password_expiry_days: int
    password_history: int
    max_password_failures: int
    max_code_failures: int
    inactivity_lock_days: int
    session_idle_minutes: int
    session_absolute_minutes: int
    api_key_max_days: int = Field(description="the longest an organisation's API key may live")
    revision: int


class AuthorityUpdate(BaseModel):
    """Only the fields given change."""

    name: OneLine | None = Field(None, min_length=1, max_length=200)
    primary_colour: str | None = Field(None, pattern=COLOUR)
    secondary_colour: str | None = Field(None, pattern=COLOUR)
    support_email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    support_phone: str | None = Field(None, max_length=40)
    password_min_length: int | None = Field(None, ge=8, le=128)
    password_require_letter: bool | None = None
    password_require_non_letter: bool | None = None
    password_require_upper: bool | None = None
    password_require_lower: bool | None = None
    password_require_digit: bool | None = None
    password_require_symbol: bool | None = None
    password_expiry_days: int | None = Field(None, ge=0, le=3650)
    password_history: int | None = Field(None, ge=1, le=24)
    max_password_failures: int | None = Field(None, ge=1, le=10)
    max_code_failures: int | None = Field(None, ge=1, le=10)
    inactivity_lock_days: int | None = Field(None, ge=0, le=3650)
    session_idle_minutes: int | None = Field(None, ge=1, le=1440)
    session_absolute_minutes: int | None = Field(None, ge=1, le=10080)
    api_key_max_days: int | None = Field(None, ge=1, le=3650)


@council_api.get("/authority", response_model=AuthorityPublic, summary="My authority's branding and policy")
async def get_authority(auth: Authenticated, ctx: ContextDep) -> store.Authority:
    principal, _ = auth
    if not principal.is_council:
        raise errors.forbidden("only the council can use the council API")
    async with ctx.work.read() as conn:
        authority = await store.get_authority(conn=conn, authority_id=principal.authority_id)
    if authority is None:
        raise errors.not_found("authority")
    return authority


@council_api.patch(
    "/authority", response_model=AuthorityPublic, summary="Change branding, support contact or policy"
)
async def patch_authority(body: AuthorityUpdate, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    nullable = {"support_email", "support_phone"}
    values = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k in nullable}
    if not values:
        raise errors.bad_request("nothing to change")
    return await directory.update_authority(ctx, caller, principal, values=values)
