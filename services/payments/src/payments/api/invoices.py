"""A provider's invoices and credit notes (/api/v1/payments/invoices): list, read, the weeks it can invoice,
make a draft from confirmed weeks, submit, delete a draft, retract (docs/invoices.md)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from payments.handlers import invoices
from payments.handlers.invoice_views import InvoiceSummary, InvoiceView, summary_view
from payments.store.weeks import WeekRow
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/payments", tags=["invoices"])
Kind = Literal["invoice", "credit_note"]
Status = Literal["draft", "submitted", "retracted", "issued"]
Version = Annotated[int, Field(ge=1, description="the document's version you started from")]


class InvoiceableWeek(BaseModel):
    week_id: uuid.UUID
    contract_id: uuid.UUID
    contract_reference: str
    contract_name: str
    service_id: uuid.UUID
    service_name: str | None
    week_commencing: date
    clients: int = Field(description="How many clients' lines it holds (one invoice line each)")
    total: Money = Field(description="What actuals computed for the week, excluding VAT")


class InvoiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_id: uuid.UUID = Field(description="The contract invoiced (one per invoice)")
    week_ids: list[uuid.UUID] = Field(
        description="Its confirmed weeks to invoice, at least one", max_length=260
    )
    provider_reference: str | None = Field(None, description="Your own reference, at most 100 characters")


class InvoiceSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version


class InvoiceRetract(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version
    reason: str | None = Field(None, description="Why (required; the council reads it)", max_length=2000)


@provider_api.get(
    "/invoices",
    response_model=list[InvoiceSummary],
    summary="My organisation's invoices and credit notes, newest first",
    responses=PAGED,
)
async def list_invoices(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    kind: Kind | None = None,
    status: Status | None = None,
) -> list[InvoiceSummary]:
    rows = await invoices.list_invoices(
        caller, work, kind=kind, status=status, limit=page.fetch, offset=page.offset
    )
    return [summary_view(r) for r in page.of(rows)]


@provider_api.get(
    "/invoices/invoiceable-weeks",
    response_model=list[InvoiceableWeek],
    responses=PAGED,
    summary="Confirmed weeks of actuals on no standing invoice",
)
async def invoiceable_weeks(
    caller: CurrentCaller, work: WorkDep, page: PageDep, contract_id: uuid.UUID | None = None
) -> list[WeekRow]:
    return page.cut(await invoices.invoiceable_weeks(caller, work, contract_id=contract_id))


@provider_api.get("/invoices/{invoice_id}", response_model=InvoiceView, summary="An invoice or credit note")
async def get_invoice(invoice_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> InvoiceView:
    return await invoices.get_invoice(caller, work, invoice_id=invoice_id)


@provider_api.post(
    "/invoices",
    response_model=InvoiceView,
    status_code=201,
    summary="Make a draft invoice from confirmed weeks",
)
async def create_invoice(body: InvoiceCreate, caller: CurrentCaller, work: WorkDep) -> InvoiceView:
    return await invoices.create_invoice(
        caller,
        work,
        contract_id=body.contract_id,
        week_ids=body.week_ids,
        provider_reference=body.provider_reference,
    )


@provider_api.post(
    "/invoices/{invoice_id}/submit",
    response_model=InvoiceView,
    summary="Submit a draft invoice to the council",
)
async def submit_invoice(
    invoice_id: uuid.UUID, body: InvoiceSubmit, caller: CurrentCaller, work: WorkDep
) -> InvoiceView:
    return await invoices.submit_invoice(caller, work, invoice_id=invoice_id, version=body.version)


@provider_api.delete("/invoices/{invoice_id}", status_code=204, summary="Delete a draft invoice")
async def delete_invoice(
    invoice_id: uuid.UUID,
    caller: CurrentCaller,
    work: WorkDep,
    version: Annotated[int, Query(ge=1, description="the invoice's version you started from")],
) -> Response:
    await invoices.delete_invoice(caller, work, invoice_id=invoice_id, version=version)
    return Response(status_code=204)


@provider_api.post(
    "/invoices/{invoice_id}/retract",
    response_model=InvoiceView,
    status_code=201,
    summary="Retract a submitted invoice: answers the credit note issued",
)
async def retract_invoice(
    invoice_id: uuid.UUID, body: InvoiceRetract, caller: CurrentCaller, work: WorkDep
) -> InvoiceView:
    return await invoices.retract_invoice(
        caller, work, invoice_id=invoice_id, version=body.version, reason=body.reason
    )
