"""The council API of actuals (/council/v1/actuals): bulk upserts and lists of clients, service levels
and CPLIs; unlocking weeks, the confirmations and the late weeks (docs/actuals.md, "Council API")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from actuals.handlers import council_weeks, reference, reference_cplis
from actuals.handlers.reference import (
    MAX_ITEMS,
    ClientIn,
    CpliIn,
    ServiceLevelIn,
    UpsertResult,
)
from actuals.store.council_weeks import Confirmation, Week
from actuals.store.reference import Client, Cpli, ServiceLevel
from actuals.store.weeks_due import DueService
from shared import bulk
from shared.http import CurrentCaller
from shared.money import Money, Rate
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/actuals", tags=["council"])
LONDON = ZoneInfo("Europe/London")  # the councils' weeks start at midnight, UK time


async def read_items(request: Request) -> list[object]:
    return await bulk.read_items(request, limit=MAX_ITEMS)


def bulk_body(model: type[BaseModel]) -> dict[str, Any]:
    return bulk.bulk_body(model, limit=MAX_ITEMS)


class UpsertResultOut(BaseModel):
    created: int = Field(description="New rows (each published)")
    updated: int = Field(description="Changed rows (each published with a new revision)")
    unchanged: int = Field(description="Items that matched what is stored (neither written nor published)")


# --- clients, service levels, CPLIs ----------------------------------------------------------------------


class ClientOut(BaseModel):
    client_id: uuid.UUID
    reference: str
    name: str
    date_of_birth: date | None
    revision: int
    updated_at: datetime


class RateOut(BaseModel):
    effective_from: date
    rate: Rate


class ServiceLevelOut(BaseModel):
    service_level_id: uuid.UUID
    reference: str
    name: str
    unit: str
    extras_payable: bool
    rates: list[RateOut]
    revision: int
    updated_at: datetime


class VisitOut(BaseModel):
    weekday: int
    start_time: str
    minutes: int
    carers: int


class CpliOut(BaseModel):
    cpli_id: uuid.UUID
    reference: str
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    service_level_id: uuid.UUID
    service_level_reference: str
    care_package_ref: str
    start_date: date
    end_date: date | None
    cost: Money
    frequency: str
    pricing: str
    units_per_week: str | None
    timetable: list[VisitOut]
    authorised: bool
    revision: int
    updated_at: datetime


def _cpli_out(cpli: Cpli) -> CpliOut:
    return CpliOut(
        **cpli.model_dump(exclude={"timetable", "units_per_week"}),
        units_per_week=None if cpli.units_per_week is None else str(cpli.units_per_week),
        timetable=[
            VisitOut(
                weekday=v.weekday,
                start_time=v.start_time.strftime("%H:%M"),
                minutes=v.minutes,
                carers=v.carers,
            )
            for v in cpli.timetable
        ],
    )


@router.post(
    "/clients",
    response_model=UpsertResultOut,
    summary="Create or change clients by their reference (SSRef), up to 10,000 a call; all or nothing",
    openapi_extra=bulk_body(ClientIn),
)
async def upsert_clients(request: Request, caller: CurrentCaller, work: WorkDep) -> UpsertResult:
    return await reference.upsert_clients(caller, work, items=await read_items(request))


@router.get("/clients", response_model=list[ClientOut], responses=PAGED, summary="The authority's clients")
async def list_clients(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[Client]:
    return page.of(await reference.list_clients(caller, work, limit=page.fetch, offset=page.offset))


@router.post(
    "/service-levels",
    response_model=UpsertResultOut,
    summary="Create or change service levels and their rate histories, up to 10,000 a call; all or nothing",
    openapi_extra=bulk_body(ServiceLevelIn),
)
async def upsert_service_levels(request: Request, caller: CurrentCaller, work: WorkDep) -> UpsertResult:
    return await reference.upsert_service_levels(caller, work, items=await read_items(request))


@router.get(
    "/service-levels",
    response_model=list[ServiceLevelOut],
    responses=PAGED,
    summary="The authority's service levels",
)
async def list_service_levels(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[ServiceLevel]:
    return page.of(await reference.list_service_levels(caller, work, limit=page.fetch, offset=page.offset))


@router.post(
    "/cplis",
    response_model=UpsertResultOut,
    summary="Create or change care package line items, up to 10,000 a call; all or nothing",
    openapi_extra=bulk_body(CpliIn),
)
async def upsert_cplis(request: Request, caller: CurrentCaller, work: WorkDep) -> UpsertResult:
    return await reference_cplis.upsert_cplis(caller, work, items=await read_items(request))


@router.get("/cplis", response_model=list[CpliOut], responses=PAGED, summary="The authority's CPLIs")
async def list_cplis(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    organisation_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> list[CpliOut]:
    rows = await reference_cplis.list_cplis(
        caller,
        work,
        organisation_id=organisation_id,
        service_id=service_id,
        limit=page.fetch,
        offset=page.offset,
    )
    return [_cpli_out(c) for c in page.of(rows)]


# --- weeks ---------------------------------------------------------------------------------------------


class UnlockIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why (the provider reads it)")


class WeekOut(BaseModel):
    week_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    week_commencing: date
    state: str
    version: int


class ConfirmationOut(BaseModel):
    confirmation_id: uuid.UUID
    week_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    service_name: str | None
    week_commencing: date
    action: str = Field(description="confirmed, unlocked or locked")
    at: datetime
    by_subject: str
    reason: str
    lines: int
    total: Money
    planned_total: Money


class LateService(BaseModel):
    service_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_reference: str
    service_name: str
    unconfirmed_weeks: int = Field(
        description="Past weeks (up to 12 back) with authorised care, not confirmed"
    )
    weeks: list[date] = Field(description="Their Mondays, oldest first")


@router.post(
    "/weeks/{week_id}/unlock",
    response_model=WeekOut,
    summary="Unlock a confirmed week for the provider to correct (a locked week stays locked)",
)
async def unlock_week(week_id: uuid.UUID, body: UnlockIn, caller: CurrentCaller, work: WorkDep) -> Week:
    return await council_weeks.unlock_week(caller, work, week_id=week_id, reason=body.reason)


@router.get(
    "/confirmations",
    response_model=list[ConfirmationOut],
    responses=PAGED,
    summary="Confirmations, unlocks and locks of weeks, newest first",
)
async def list_confirmations(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    organisation_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> list[Confirmation]:
    rows = await council_weeks.list_confirmations(
        caller,
        work,
        organisation_id=organisation_id,
        service_id=service_id,
        limit=page.fetch,
        offset=page.offset,
    )
    return page.of(rows)


@router.get(
    "/late-weeks",
    response_model=list[LateService],
    summary="Per service, the past weeks (up to 12 back) with authorised care that are not confirmed",
    responses=PAGED,
)
async def late_weeks(
    caller: CurrentCaller, work: WorkDep, page: PageDep, organisation_id: uuid.UUID | None = None
) -> list[DueService]:
    # Only the late services, each one row: read whole, then paged.
    late = await council_weeks.late_weeks(
        caller, work, organisation_id=organisation_id, today=datetime.now(LONDON).date()
    )
    return page.cut(late)
