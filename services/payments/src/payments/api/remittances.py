"""Remittance advice (/api/v1/payments/remittances): a provider's list, one remittance with its lines,
its lines as CSV, and the lines paid in one payment period."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from payments.handlers import remittances
from payments.handlers.remittances import PeriodRemittance, Remittance
from payments.store.remittances import RemittanceLine, RemittanceRow
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/api/v1/payments", tags=["remittances"])


class Contract(BaseModel):
    contract_id: uuid.UUID
    reference: str
    name: str


class Period(BaseModel):
    start: date
    end: date


class RemittanceOut(BaseModel):
    remittance_id: uuid.UUID
    reference: str
    organisation_id: uuid.UUID
    supplier_name: str
    supplier_reference: str
    contract: Contract
    payment_id: uuid.UUID
    payment_run_reference: str
    period: Period = Field(description="the payment period whose run paid it")
    pay_date: date
    excl_vat: Money
    vat: Money
    total: Money
    issued_at: datetime


class LineOut(BaseModel):
    line_id: uuid.UUID
    remittance_id: uuid.UUID
    remittance_reference: str
    pay_date: date
    source: str
    client_id: uuid.UUID | None
    client_reference: str | None
    client_name: str | None
    purchase_order_id: uuid.UUID
    purchase_order_number: str
    service_period: Period = Field(
        description="the days the line pays for (older than the payment period: an adjustment)"
    )
    adjustment: bool
    excl_vat: Money
    vat: Money
    total: Money


class RemittanceDocument(RemittanceOut):
    lines: list[LineOut]


class PeriodOut(BaseModel):
    contract: Contract
    period: Period
    remittances: list[RemittanceOut]
    lines: list[LineOut]
    total: Money


def remittance_out(r: RemittanceRow) -> RemittanceOut:
    return RemittanceOut(
        remittance_id=r.remittance_id,
        reference=r.reference,
        organisation_id=r.organisation_id,
        supplier_name=r.supplier_name,
        supplier_reference=r.supplier_reference,
        contract=Contract(contract_id=r.contract_id, reference=r.contract_reference, name=r.contract_name),
        payment_id=r.payment_id,
        payment_run_reference=r.run_reference,
        period=Period(start=r.period_start, end=r.period_end),
        pay_date=r.pay_date,
        excl_vat=r.excl_vat,
        vat=r.vat,
        total=r.total,
        issued_at=r.issued_at,
    )


def line_out(line: RemittanceLine) -> LineOut:
    return LineOut(
        **line.model_dump(exclude={"service_start", "service_end"}),
        service_period=Period(start=line.service_start, end=line.service_end),
    )


def document_out(found: Remittance) -> RemittanceDocument:
    return RemittanceDocument(
        **remittance_out(found.header).model_dump(), lines=[line_out(line) for line in found.lines]
    )


def period_out(found: PeriodRemittance) -> PeriodOut:
    return PeriodOut(
        contract=Contract(
            contract_id=found.contract_id, reference=found.contract_reference, name=found.contract_name
        ),
        period=Period(start=found.period_start, end=found.period_end),
        remittances=[remittance_out(r) for r in found.remittances],
        lines=[line_out(line) for line in found.lines],
        total=found.total,
    )


@router.get(
    "/remittances",
    response_model=list[RemittanceOut],
    responses=PAGED,
    summary="My remittance advice paid in a financial year (the current one unless asked), newest first",
)
async def list_remittances(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    contract_id: uuid.UUID | None = None,
    financial_year: Annotated[str | None, Query(max_length=20, description="such as 2019/2020")] = None,
) -> list[RemittanceOut]:
    found = await remittances.list_remittances(
        caller,
        work,
        contract_id=contract_id,
        financial_year=financial_year,
        limit=page.fetch,
        offset=page.offset,
    )
    return [remittance_out(r) for r in page.of(found)]


@router.get(
    "/remittances/by-period",
    response_model=PeriodOut,
    summary="Every line paid in one payment period of a contract (adjustments for older periods included)",
)
async def remittance_by_period(
    caller: CurrentCaller, work: WorkDep, contract_id: uuid.UUID, period_start: date
) -> PeriodOut:
    return period_out(
        await remittances.by_period(caller, work, contract_id=contract_id, period_start=period_start)
    )


@router.get(
    "/remittances/{remittance_id}", response_model=RemittanceDocument, summary="A remittance with its lines"
)
async def get_remittance(
    remittance_id: uuid.UUID, caller: CurrentCaller, work: WorkDep
) -> RemittanceDocument:
    return document_out(await remittances.get_remittance(caller, work, remittance_id=remittance_id))


@router.get(
    "/remittances/{remittance_id}/lines.csv",
    summary="A remittance's lines as CSV (Download Data)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def remittance_csv(remittance_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> Response:
    name, body = await remittances.remittance_csv(caller, work, remittance_id=remittance_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
