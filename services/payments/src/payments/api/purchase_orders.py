"""A provider's purchase orders (/api/v1/payments/purchase-orders): the filters' choices, the year's list
with value and spend to date, and one order's printable document."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from payments.handlers import purchase_orders
from payments.handlers.purchase_orders import OrderDocument, OrderSummary
from shared.http import CurrentCaller
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/api/v1/payments", tags=["purchase orders"])
YEAR_HELP = "a financial year such as 2019/2020 (1 April to 31 March); the current one when left out"


class ServiceChoice(BaseModel):
    service_id: uuid.UUID
    reference: str
    name: str


class ClientChoice(BaseModel):
    client_id: uuid.UUID
    reference: str
    name: str


class OrderOptions(BaseModel):
    financial_years: list[str]
    current_year: str
    services: list[ServiceChoice]
    clients: list[ClientChoice]


class StillToCome(BaseModel):
    first: date | None = Field(description="first day not yet paid that is still commissioned")
    last: date | None = Field(description="the CPLI's end or 31 March, whichever is first")
    amount: Money = Field(description="one-off claims order: accepted items not yet paid")


class OrderRow(BaseModel):
    purchase_order_id: uuid.UUID
    title: str = Field(examples=["Simpson, Bart (C2000020) - 2019/2020", "One-Off Claims - 2019/2020"])
    number: str
    kind: str = Field(description="client or one_off_claims")
    client_id: uuid.UUID | None
    service_id: uuid.UUID | None
    value: Money = Field(description="spend to date + still to come in the year if the placement continues")
    spend_to_date: Money = Field(description="what finalised runs paid on the order, excluding VAT")
    still_to_come: StillToCome
    financial_year: str
    issued_on: date


class PaidLineOut(BaseModel):
    line_id: uuid.UUID
    source: str
    service_start: date
    service_end: date
    adjustment: bool
    amount: Money = Field(description="excluding VAT")
    pay_date: date
    remittance_id: uuid.UUID | None


class Supplier(BaseModel):
    name: str
    reference: str
    address: str | None
    postcode: str | None


class OrderDocumentOut(BaseModel):
    purchase_order: OrderRow
    supplier: Supplier
    year_start: date
    year_end: date
    printed_on: date
    payment_terms: str
    invoice_address: str
    delivery_address: str
    client_reference: str | None
    client_name: str | None
    service_name: str | None
    lines: list[PaidLineOut]


def order_out(summary: OrderSummary) -> OrderRow:
    rest = summary.still_to_come
    return OrderRow(
        purchase_order_id=summary.purchase_order_id,
        title=summary.title,
        number=summary.number,
        kind=summary.kind,
        client_id=summary.client_id,
        service_id=summary.service_id,
        value=summary.value,
        spend_to_date=summary.spend_to_date,
        still_to_come=StillToCome(first=rest.first, last=rest.last, amount=rest.amount),
        financial_year=summary.financial_year,
        issued_on=summary.issued_on,
    )


def document_out(doc: OrderDocument) -> OrderDocumentOut:
    return OrderDocumentOut(
        purchase_order=order_out(doc.order),
        supplier=Supplier(
            name=doc.supplier_name,
            reference=doc.supplier_reference,
            address=doc.supplier_address,
            postcode=doc.supplier_postcode,
        ),
        year_start=doc.year_start,
        year_end=doc.year_end,
        printed_on=doc.printed_on,
        payment_terms=doc.payment_terms,
        invoice_address=doc.invoice_address,
        delivery_address=doc.delivery_address,
        client_reference=doc.client_reference,
        client_name=doc.client_name,
        service_name=doc.service_name,
        lines=[
            PaidLineOut(
                line_id=line.line_id,
                source=line.source,
                service_start=line.service_start,
                service_end=line.service_end,
                adjustment=line.adjustment,
                amount=line.excl_vat,
                pay_date=line.pay_date,
                remittance_id=line.remittance_id,
            )
            for line in doc.lines
        ],
    )


@router.get(
    "/purchase-orders/options",
    response_model=OrderOptions,
    summary="The choices of the purchase orders' filters",
)
async def order_options(caller: CurrentCaller, work: WorkDep) -> OrderOptions:
    found = await purchase_orders.options(caller, work)
    return OrderOptions(
        financial_years=found.financial_years,
        current_year=found.current_year,
        services=[ServiceChoice(service_id=s.id, reference=s.reference, name=s.name) for s in found.services],
        clients=[ClientChoice(client_id=c.id, reference=c.reference, name=c.name) for c in found.clients],
    )


@router.get(
    "/purchase-orders",
    response_model=list[OrderRow],
    responses=PAGED,
    summary="The year's purchase orders with value and spend to date (one-off claims order first)",
)
async def list_orders(
    caller: CurrentCaller,
    work: WorkDep,
    page: PageDep,
    financial_year: Annotated[str | None, Query(max_length=20, description=YEAR_HELP)] = None,
    service_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
) -> list[OrderRow]:
    found = await purchase_orders.list_orders(
        caller,
        work,
        financial_year=financial_year,
        service_id=service_id,
        client_id=client_id,
        limit=page.fetch,
        offset=page.offset,
    )
    return [order_out(s) for s in page.of(found)]


@router.get(
    "/purchase-orders/{purchase_order_id}",
    response_model=OrderDocumentOut,
    summary="A purchase order as its printable document",
)
async def get_order(purchase_order_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> OrderDocumentOut:
    return document_out(await purchase_orders.get_order(caller, work, purchase_order_id=purchase_order_id))
