"""Filling reports' read model in tests as the other services' events do: each event built as its producer
publishes it and handed to the consumer's own handler (reports.consumers.SUBSCRIPTIONS), in a transaction
as the consumer runs it; and reading a report's rows as a render does (reports.store.sources)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from reports.consumers import SUBSCRIPTIONS
from reports.store.sources import SOURCES
from shared import db
from shared.events import (
    EventPayload,
    PaymentLineState,
    RemittanceIssued,
    RemittanceLine,
    ScheduledPaymentUpserted,
    make_envelope,
)

HANDLERS = {s.payload_type: s.handler for s in SUBSCRIPTIONS}


@asynccontextmanager
async def reports_conn(env: Any) -> AsyncIterator[asyncpg.Connection]:
    conn = await db.connect(env.dsn("reports"))
    try:
        yield conn
    finally:
        await conn.close()


async def deliver(env: Any, *events: EventPayload) -> None:
    """Each event to reports' consumer handler, in order, each in its own transaction."""
    async with reports_conn(env) as conn:
        for event in events:
            envelope = make_envelope(event, aggregate_id=str(uuid.uuid4()), authority_id=None)
            async with conn.transaction():
                await HANDLERS[type(event)](conn, envelope, event)


async def rows(
    env: Any,
    report: str,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    async with reports_conn(env) as conn, conn.transaction():
        return [
            row
            async for row in SOURCES[report](
                conn, authority_id=authority_id, organisation_id=organisation_id, params=params
            )
        ]


def line(
    *,
    client_id: uuid.UUID | None,
    client_name: str | None,
    start: date,
    days: int = 7,
    total: str,
    source: str = "planned",
    status: str = "payable",
    purchase_order_id: uuid.UUID | None = None,
    reason: str | None = None,
    vat: str = "0.00",  # of the total
) -> PaymentLineState:
    amount = Decimal(total)
    return PaymentLineState(
        line_id=uuid.uuid4(),
        source=source,
        client_id=client_id,
        client_reference=None if client_id is None else f"C{str(client_id)[:6]}",
        client_name=client_name,
        purchase_order_id=purchase_order_id or uuid.uuid4(),
        purchase_order_number="PO-2019-1-1",
        service_start=start,
        service_end=start + timedelta(days=days - 1),
        adjustment=False,
        excl_vat=amount - Decimal(vat),
        vat=Decimal(vat),
        total=amount,
        status=status,
        dispute_reason=reason,
    )


def payment(
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    contract_id: uuid.UUID,
    period_start: date,
    lines: list[PaymentLineState],
    status: str = "unconfirmed",
    revision: int = 1,
    payment_id: uuid.UUID | None = None,
    contract_name: str = "Sausage Sandwich",
) -> ScheduledPaymentUpserted:
    total = sum((x.total for x in lines), Decimal("0.00"))
    return ScheduledPaymentUpserted(
        payment_id=payment_id or uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=organisation_id,
        supplier_reference="741254",
        supplier_name="Sausage Sandwich Fostering",
        contract_id=contract_id,
        contract_reference="C-FOST-0148",
        contract_name=contract_name,
        period_start=period_start,
        period_end=period_start + timedelta(days=6),
        pay_date=period_start + timedelta(days=14),
        payment_run_id=uuid.uuid4(),
        status=status,
        excl_vat=total,
        vat=Decimal("0.00"),
        total=total,
        lines=lines,
        revision=revision,
    )


def remittance(
    state: ScheduledPaymentUpserted, *, pay_date: date | None = None, reference: str = "RA-1"
) -> RemittanceIssued:
    """The remittance of a finalised payment: its payable lines."""
    paid = [x for x in state.lines if x.status == "payable"]
    total = sum((x.total for x in paid), Decimal("0.00"))
    return RemittanceIssued(
        remittance_id=uuid.uuid4(),
        authority_id=state.authority_id,
        organisation_id=state.organisation_id,
        supplier_reference=state.supplier_reference,
        supplier_name=state.supplier_name,
        reference=reference,
        payment_run_id=state.payment_run_id,
        payment_run_reference="PR-1",
        payment_id=state.payment_id,
        contract_id=state.contract_id,
        contract_reference=state.contract_reference,
        contract_name=state.contract_name,
        period_start=state.period_start,
        period_end=state.period_end,
        pay_date=pay_date or state.pay_date,
        excl_vat=total,
        vat=Decimal("0.00"),
        total=total,
        lines=[
            RemittanceLine(
                line_id=x.line_id,
                source=x.source,
                client_id=x.client_id,
                client_reference=x.client_reference,
                client_name=x.client_name,
                purchase_order_number=x.purchase_order_number,
                service_start=x.service_start,
                service_end=x.service_end,
                adjustment=x.adjustment,
                excl_vat=x.excl_vat,
                vat=x.vat,
                total=x.total,
            )
            for x in paid
        ],
        issued_at=datetime.now(UTC),
    )
