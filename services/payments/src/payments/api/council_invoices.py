"""The council's reading of its providers' invoices and credit notes (/council/v1/payments/invoices)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter

from payments.handlers import council_invoices
from payments.handlers.invoice_views import InvoiceSummary, InvoiceView, summary_view
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/payments", tags=["council"])


@router.get(
    "/invoices",
    response_model=list[InvoiceSummary],
    summary="Submitted invoices and credit notes of the authority's providers, newest first",
    responses=PAGED,
)
async def list_invoices(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    organisation_id: uuid.UUID | None = None,
    kind: Literal["invoice", "credit_note"] | None = None,
    status: Literal["submitted", "retracted", "issued"] | None = None,
) -> list[InvoiceSummary]:
    rows = await council_invoices.list_invoices(
        caller,
        work,
        organisation_id=organisation_id,
        kind=kind,
        status=status,
        limit=page.fetch,
        offset=page.offset,
    )
    return [summary_view(r) for r in page.of(rows)]


@router.get("/invoices/{invoice_id}", response_model=InvoiceView, summary="An invoice or credit note")
async def get_invoice(invoice_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> InvoiceView:
    return await council_invoices.get_invoice(caller, work, invoice_id=invoice_id)
