"""The provider directory: authority settings, organisations, contracts and services - read by
providers within their scope, maintained by the council (each change published with full state)."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from identity.api.schemas import ContractPublic, Email, OneLine, Phone, Postcode, ServicePublic
from identity.handlers import directory, directory_views
from identity.store import directory as store
from identity.store.contracts import Contract, Service
from identity.store.directory import Authority, Organisation
from shared.errors import BadRequest
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

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
    postcode: Postcode | None = None
    phone: Phone | None = None
    email: Email | None = None


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
async def list_organisations(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[Organisation]:
    return page.of(
        await directory_views.list_organisations(caller, work, limit=page.fetch, offset=page.offset)
    )


@provider_api.get(
    "/contracts", response_model=list[ContractPublic], summary="Contracts within my scope", responses=PAGED
)
async def list_contracts(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[Contract]:
    return page.of(await directory_views.list_contracts(caller, work, limit=page.fetch, offset=page.offset))


@provider_api.get(
    "/services", response_model=list[ServicePublic], summary="Services within my scope", responses=PAGED
)
async def list_services(
    caller: CurrentCaller, work: WorkDep, page: PageDep, contract_id: uuid.UUID | None = None
) -> list[Service]:
    rows = await directory_views.list_services(
        caller, work, contract_id=contract_id, limit=page.fetch, offset=page.offset
    )
    return page.of(rows)


@council_api.put("/organisations", response_model=OrganisationPublic)
async def put_organisation(body: OrganisationUpsert, caller: CurrentCaller, work: WorkDep) -> Organisation:
    """Create or change a provider organisation of the caller's authority (council systems only)."""
    details = body.model_dump(exclude_unset=True, include=set(store.ORGANISATION_DETAILS))
    return await directory.upsert_organisation(
        caller,
        work,
        reference=body.reference,
        name=body.name,
        active=body.active,
        details={k: (v.lower() if k == "email" and v else v) for k, v in details.items()},
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
async def put_contract(body: ContractUpsert, caller: CurrentCaller, work: WorkDep) -> Contract:
    values = body.model_dump(exclude={"organisation_id"})
    return await directory.upsert_contract(caller, work, organisation_id=body.organisation_id, values=values)


@council_api.get("/contracts", response_model=list[ContractPublic], responses=PAGED)
async def council_contracts(
    caller: CurrentCaller, work: WorkDep, page: PageDep, organisation_id: uuid.UUID | None = None
) -> list[Contract]:
    rows = await directory_views.list_contracts(
        caller, work, council=True, organisation_id=organisation_id, limit=page.fetch, offset=page.offset
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
async def put_service(body: ServiceUpsert, caller: CurrentCaller, work: WorkDep) -> Service:
    return await directory.upsert_service(
        caller,
        work,
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
async def get_authority(caller: CurrentCaller, work: WorkDep) -> Authority:
    return await directory_views.my_authority(caller, work)


@council_api.patch(
    "/authority", response_model=AuthorityPublic, summary="Change branding, support contact or policy"
)
async def patch_authority(body: AuthorityUpdate, caller: CurrentCaller, work: WorkDep) -> Authority:
    nullable = {"support_email", "support_phone"}
    values = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k in nullable}
    if not values:
        raise BadRequest("nothing to change")
    return await directory.update_authority(caller, work, values=values)
