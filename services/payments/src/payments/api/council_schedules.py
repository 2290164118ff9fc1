"""The council's payment schedules and calendar (/council/v1/payments/schedules, /periods): parse, call one
handler, return."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from payments.handlers import schedules
from payments.handlers.schedules import MAX_SCHEDULES, PeriodMove, ScheduleIn, SchedulesUpserted
from shared.bulk import bulk_body, read_items
from shared.http import CurrentCaller
from shared.money import Rate
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/payments", tags=["council"])


class ScheduleOut(BaseModel):
    contract_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_reference: str
    frequency: str
    anchor_date: date
    amendment_days: int
    finalisation_days: int
    pay_days: int
    vat_rate: Rate
    periods: int
    version: int


class PeriodOut(BaseModel):
    period_id: uuid.UUID
    contract_id: uuid.UUID
    start_date: date
    end_date: date
    last_amendment_date: date
    finalisation_date: date
    pay_date: date
    moved: bool
    payment_status: str | None


@router.put(
    "/schedules",
    response_model=SchedulesUpserted,
    summary="Create or change contracts' payment schedules and lay their calendars; all or nothing",
    openapi_extra=bulk_body(ScheduleIn, limit=MAX_SCHEDULES),
)
async def upsert_schedules(request: Request, caller: CurrentCaller, work: WorkDep) -> SchedulesUpserted:
    return await schedules.upsert_schedules(
        caller, work, items=await read_items(request, limit=MAX_SCHEDULES)
    )


@router.get("/schedules/{contract_id}", response_model=ScheduleOut, summary="A contract's payment schedule")
async def get_schedule(contract_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ScheduleOut:
    return ScheduleOut.model_validate(await schedules.get_schedule(caller, work, contract_id=contract_id))


@router.get(
    "/schedules/{contract_id}/periods",
    response_model=list[PeriodOut],
    responses=PAGED,
    summary="A contract's calendar: each period's amendment, finalisation and pay dates",
)
async def list_periods(
    contract_id: uuid.UUID,
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    financial_year: str | None = Query(None, examples=["2019/2020"]),
) -> list[PeriodOut]:
    found = await schedules.list_periods(caller, work, contract_id=contract_id, financial_year=financial_year)
    return page.cut([PeriodOut.model_validate(p) for p in found])  # a year's periods: at most 53


@router.patch(
    "/periods/{period_id}",
    response_model=PeriodOut,
    summary="Move a period's dates (e.g. for Christmas); not once its payment is finalised",
)
async def move_period(
    period_id: uuid.UUID, move: PeriodMove, caller: CurrentCaller, work: WorkDep
) -> PeriodOut:
    return PeriodOut.model_validate(await schedules.move_period(caller, work, period_id=period_id, move=move))
