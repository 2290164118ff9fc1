"""A provider's purchase orders: the list with each order's value and spend to date, the filters'
choices, and one order as its printable document (docs/purchase-orders.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

from payments.domain.periods import financial_year, year_bounds
from payments.domain.purchase_orders import Commissioned, StillToCome, order_title, still_to_come
from payments.handlers.document_access import require_provider, today, year_asked
from payments.store import purchase_orders as orders
from payments.store import settings as council_settings
from payments.store.purchase_orders import CPLI_ROWS, ORDER_ROWS, OrderRow, PaidLine
from shared.auth import Principal
from shared.capabilities import Capability
from shared.errors import NotFound
from shared.store import AuthorityScope, Scope
from shared.uow import Caller, Work


def order_scope(principal: Principal) -> Scope:
    return Scope.of(principal, ORDER_ROWS, organisation_rows=True)


@dataclass(frozen=True)
class OrderSummary:
    purchase_order_id: uuid.UUID
    title: str
    number: str
    kind: str
    client_id: uuid.UUID | None
    service_id: uuid.UUID | None
    value: Decimal
    spend_to_date: Decimal
    still_to_come: StillToCome
    financial_year: str
    issued_on: date


@dataclass(frozen=True)
class Options:
    financial_years: list[str]
    current_year: str
    services: list[orders.Choice]
    clients: list[orders.Choice]


@dataclass(frozen=True)
class OrderDocument:
    order: OrderSummary
    supplier_name: str
    supplier_reference: str
    supplier_address: str | None
    supplier_postcode: str | None
    year_start: date
    year_end: date
    printed_on: date
    payment_terms: str
    invoice_address: str
    delivery_address: str
    client_reference: str | None
    client_name: str | None
    service_name: str | None
    lines: list[PaidLine]


async def _summaries(conn: asyncpg.Connection, scope: Scope, rows: list[OrderRow]) -> list[OrderSummary]:
    pairs = [(r.client_id, r.service_id) for r in rows if r.client_id and r.service_id]
    cpli_scope = Scope.of(scope.principal, CPLI_ROWS)
    found = await orders.commissioned(conn, scope=cpli_scope, pairs=pairs)
    by_pair: dict[tuple[uuid.UUID, uuid.UUID], list[Commissioned]] = {}
    for c in found:
        by_pair.setdefault((c.client_id, c.service_id), []).append(
            Commissioned(cost=c.cost, start_date=c.start_date, end_date=c.end_date)
        )
    summaries = []
    for r in rows:
        if r.kind == "one_off_claims":
            rest = StillToCome(None, None, r.claims_unpaid)  # accepted items not paid yet
        else:
            assert r.client_id is not None and r.service_id is not None  # the table's CHECK
            rest = still_to_come(
                by_pair.get((r.client_id, r.service_id), []),
                last_paid=r.last_paid,
                year=year_bounds(r.financial_year),
            )
        summaries.append(
            OrderSummary(
                purchase_order_id=r.purchase_order_id,
                title=order_title(
                    kind=r.kind,
                    year=r.financial_year,
                    client_name=r.client_name,
                    client_reference=r.client_reference,
                ),
                number=r.number,
                kind=r.kind,
                client_id=r.client_id,
                service_id=r.service_id,
                value=r.spend_to_date + rest.amount,
                spend_to_date=r.spend_to_date,
                still_to_come=rest,
                financial_year=r.financial_year,
                issued_on=r.issued_on,
            )
        )
    return summaries


async def list_orders(
    caller: Caller,
    work: Work,
    *,
    financial_year: str | None,
    service_id: uuid.UUID | None,
    client_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[OrderSummary]:
    """The year's orders (the current financial year unless asked), filtered by service and client."""
    require_provider(caller.principal, Capability.purchase_orders)
    year, _ = year_asked(financial_year)
    scope = order_scope(caller.principal)
    async with work.read() as conn:
        rows = await orders.list_page(
            conn,
            scope=scope,
            financial_year=year,
            service_id=service_id,
            client_id=client_id,
            limit=limit,
            offset=offset,
        )
        return await _summaries(conn, scope, rows)


async def options(caller: Caller, work: Work) -> Options:
    """The choices of the list's filters: the years with orders (and the current one), services, clients."""
    require_provider(caller.principal, Capability.purchase_orders)
    scope = order_scope(caller.principal)
    current = financial_year(today())
    async with work.read() as conn:
        years = await orders.years(conn, scope=scope)
        return Options(
            financial_years=sorted({*years, current}, reverse=True),
            current_year=current,
            services=await orders.services(conn, scope=scope),
            clients=await orders.clients(conn, scope=scope),
        )


async def get_order(caller: Caller, work: Work, *, purchase_order_id: uuid.UUID) -> OrderDocument:
    """The printable order: the supplier's address, the council's terms and addresses, every paid line and
    what is still to come; 404 for an order the caller may not see."""
    principal = caller.principal
    require_provider(principal, Capability.purchase_orders)
    scope = order_scope(principal)
    async with work.read() as conn:
        row = await orders.get(conn, scope=scope, purchase_order_id=purchase_order_id)
        if row is None:
            raise NotFound.of("purchase order")
        (summary,) = await _summaries(conn, scope, [row])
        lines = await orders.paid_lines(conn, purchase_order_id=row.purchase_order_id)
        settings = await council_settings.get(conn, scope=AuthorityScope(row.authority_id))
        supplier = await council_settings.supplier(conn, organisation_id=row.organisation_id)
    first, last = year_bounds(row.financial_year)
    return OrderDocument(
        order=summary,
        supplier_name=supplier.name,
        supplier_reference=supplier.reference,
        supplier_address=supplier.address,
        supplier_postcode=supplier.postcode,
        year_start=first,
        year_end=last,
        printed_on=today(),
        payment_terms=settings.payment_terms,
        invoice_address=settings.invoice_address,
        delivery_address=settings.delivery_address,
        client_reference=row.client_reference,
        client_name=row.client_name,
        service_name=row.service_name,
        lines=lines,
    )
