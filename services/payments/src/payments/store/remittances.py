"""Remittance advice (payments.remittance of migration 0002) in the caller's scope, and its lines: the
payable lines of the finalised payment it was issued for, each with its client, purchase order and
service period."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, fetch, fetch_one

REMITTANCE_ROWS = Columns(
    authority="r.authority_id", organisation="r.organisation_id", contract="r.contract_id"
)


class RemittanceRow(Record):
    remittance_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    supplier_name: str
    supplier_reference: str
    contract_id: uuid.UUID
    contract_reference: str
    contract_name: str
    payment_id: uuid.UUID
    run_reference: str
    reference: str
    period_start: date
    period_end: date
    pay_date: date
    excl_vat: Decimal
    vat: Decimal
    total: Decimal
    issued_at: datetime


class RemittanceLine(Record):
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
    service_start: date
    service_end: date
    adjustment: bool
    excl_vat: Decimal
    vat: Decimal
    total: Decimal


HEADER = """
    SELECT r.remittance_id, r.authority_id, r.organisation_id, o.name AS supplier_name,
           o.reference AS supplier_reference, r.contract_id, c.reference AS contract_reference,
           c.name AS contract_name, r.payment_id, run.reference AS run_reference, r.reference,
           r.period_start, r.period_end, r.pay_date, r.excl_vat, r.vat, r.total, r.issued_at
      FROM payments.remittance r
      JOIN payments.contract c ON c.contract_id = r.contract_id
      JOIN payments.organisation o ON o.organisation_id = r.organisation_id
      JOIN payments.payment_run run ON run.run_id = r.run_id
"""

LINES = """
    SELECT l.line_id, r.remittance_id, r.reference AS remittance_reference, r.pay_date, l.source,
           l.client_id, cl.reference AS client_reference, cl.name AS client_name, l.purchase_order_id,
           po.number AS purchase_order_number, l.service_start, l.service_end, l.adjustment, l.excl_vat,
           l.vat, l.total
      FROM payments.remittance r
      JOIN payments.payment_line l ON l.payment_id = r.payment_id AND l.status = 'payable'
      JOIN payments.purchase_order po ON po.purchase_order_id = l.purchase_order_id
      LEFT JOIN payments.client cl ON cl.client_id = l.client_id
"""
LINE_ORDER = " ORDER BY r.pay_date, cl.name NULLS LAST, l.service_start, l.source, l.line_id"


async def list_page(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    contract_id: uuid.UUID | None,
    organisation_id: uuid.UUID | None,
    paid_between: tuple[date, date] | None,
    limit: int,
    offset: int,
) -> list[RemittanceRow]:
    """Newest pay date first."""
    first, last = paid_between or (None, None)
    return await fetch(
        conn,
        RemittanceRow,
        HEADER
        + """
         WHERE ($1::uuid IS NULL OR r.contract_id = $1) AND ($2::uuid IS NULL OR r.organisation_id = $2)
           AND ($3::date IS NULL OR r.pay_date BETWEEN $3 AND $4) AND {scope}
         ORDER BY r.pay_date DESC, c.name, r.remittance_id
         LIMIT $5 OFFSET $6
        """,
        contract_id,
        organisation_id,
        first,
        last,
        limit,
        offset,
        scope=scope,
    )


async def get(conn: asyncpg.Connection, *, scope: AnyScope, remittance_id: uuid.UUID) -> RemittanceRow | None:
    return await fetch_one(
        conn, RemittanceRow, HEADER + " WHERE r.remittance_id = $1 AND {scope}", remittance_id, scope=scope
    )


async def lines_of(conn: asyncpg.Connection, *, remittance_id: uuid.UUID) -> list[RemittanceLine]:
    """The remittance's lines (the remittance is in the caller's scope: so are they)."""
    rows = await conn.fetch(LINES + " WHERE r.remittance_id = $1" + LINE_ORDER, remittance_id)
    return RemittanceLine.from_rows(rows)


async def of_period(
    conn: asyncpg.Connection, *, scope: AnyScope, contract_id: uuid.UUID, period_start: date
) -> list[RemittanceRow]:
    """The remittances of one contract's payment period (every run that paid in it)."""
    return await fetch(
        conn,
        RemittanceRow,
        HEADER + " WHERE r.contract_id = $1 AND r.period_start = $2 AND {scope} ORDER BY r.issued_at",
        contract_id,
        period_start,
        scope=scope,
    )


async def lines_of_many(conn: asyncpg.Connection, *, remittance_ids: list[uuid.UUID]) -> list[RemittanceLine]:
    rows = await conn.fetch(LINES + " WHERE r.remittance_id = ANY($1::uuid[])" + LINE_ORDER, remittance_ids)
    return RemittanceLine.from_rows(rows)


class RemittanceRef(Record):
    remittance_id: uuid.UUID
    reference: str


async def of_payment(conn: asyncpg.Connection, *, payment_id: uuid.UUID) -> RemittanceRef | None:
    """The remittance issued when the payment was finalised (one at most: UNIQUE (payment_id)); the
    payment is in the caller's scope, so is its remittance."""
    row = await conn.fetchrow(
        "SELECT remittance_id, reference FROM payments.remittance WHERE payment_id = $1", payment_id
    )
    return None if row is None else RemittanceRef(**dict(row))
