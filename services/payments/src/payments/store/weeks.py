"""Confirmed weeks of actuals as invoices use them (payments.confirmed_week, .confirmed_line): the weeks a
provider can invoice, and the weeks of a new invoice locked while it is written."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Scope, Unscoped, execute, fetch, fetch_one, fetch_value

WEEK_ROWS = Columns(
    authority="w.authority_id",
    organisation="w.organisation_id",
    contract="w.contract_id",
    service="w.service_id",
)


SCHEDULE_ROWS = Columns(
    authority="s.authority_id", organisation="s.organisation_id", contract="s.contract_id"
)


def week_scope(principal: Principal) -> Scope:
    return Scope.of(principal, WEEK_ROWS)


def schedule_scope(principal: Principal) -> Scope:
    return Scope.of(principal, SCHEDULE_ROWS)


class WeekRow(Record):
    week_id: uuid.UUID
    contract_id: uuid.UUID
    contract_reference: str
    contract_name: str
    payment_basis: str
    service_id: uuid.UUID
    service_name: str | None
    week_commencing: date
    total: Decimal
    confirmed: bool
    invoice_number: str | None  # the standing invoice it is on, if any
    clients: int


class WeekLineRow(Record):
    week_id: uuid.UUID
    client_id: uuid.UUID
    total: Decimal


WEEKS = """
    SELECT w.week_id, w.contract_id, c.reference AS contract_reference, c.name AS contract_name,
           c.payment_basis, w.service_id, s.name AS service_name, w.week_commencing, w.total, w.confirmed,
           (SELECT i.number FROM payments.invoice_line l JOIN payments.invoice i USING (invoice_id)
             WHERE l.week_id = w.week_id AND l.standing LIMIT 1) AS invoice_number,
           (SELECT count(DISTINCT cl.client_id) FROM payments.confirmed_line cl
             WHERE cl.week_id = w.week_id)::int AS clients
      FROM payments.confirmed_week w
      JOIN payments.contract c ON c.contract_id = w.contract_id
      LEFT JOIN payments.provider_service s ON s.service_id = w.service_id
"""


async def invoiceable(
    conn: asyncpg.Connection, *, scope: AnyScope, contract_id: uuid.UUID | None
) -> list[WeekRow]:
    """Confirmed weeks of contracts paid on actuals, on no standing invoice: oldest first."""
    return await fetch(
        conn,
        WeekRow,
        "SELECT * FROM (" + WEEKS + " WHERE w.confirmed AND c.payment_basis = 'actuals'"
        " AND ($1::uuid IS NULL OR w.contract_id = $1) AND {scope}) AS found"
        " WHERE invoice_number IS NULL ORDER BY contract_reference, week_commencing, service_name, week_id",
        contract_id,
        scope=scope,
    )


async def locked(conn: asyncpg.Connection, *, scope: AnyScope, week_ids: list[uuid.UUID]) -> list[WeekRow]:
    """The weeks among `week_ids` within the caller's scope, locked for the transaction in one order (two
    invoices of overlapping weeks wait for each other rather than deadlock)."""
    await execute(
        conn,
        "SELECT w.week_id FROM payments.confirmed_week w"
        " WHERE w.week_id = ANY($1::uuid[]) AND {scope} ORDER BY w.week_id FOR UPDATE",
        week_ids,
        scope=scope,
    )
    return await fetch(
        conn, WeekRow, WEEKS + " WHERE w.week_id = ANY($1::uuid[]) AND {scope}", week_ids, scope=scope
    )


async def lines_of(conn: asyncpg.Connection, *, week_ids: list[uuid.UUID]) -> list[WeekLineRow]:
    """The client lines of weeks already found in the caller's scope, by week then client."""
    return await fetch(
        conn,
        WeekLineRow,
        "SELECT l.week_id, l.client_id, l.total FROM payments.confirmed_line l"
        " JOIN payments.confirmed_week w USING (week_id) LEFT JOIN payments.client c USING (client_id)"
        " WHERE l.week_id = ANY($1::uuid[])"
        " ORDER BY w.week_commencing, w.week_id, c.name, l.client_id, l.line_id",
        week_ids,
        scope=Unscoped("the weeks were found in the caller's scope"),
    )


async def schedule_vat(
    conn: asyncpg.Connection, *, scope: AnyScope, contract_id: uuid.UUID
) -> Decimal | None:
    """The VAT rate of the contract's payment schedule, None when the council set none."""
    rate = await fetch_value(
        conn,
        "SELECT s.vat_rate FROM payments.schedule s WHERE s.contract_id = $1 AND {scope}",
        contract_id,
        scope=scope,
    )
    return None if rate is None else Decimal(rate)


class ContractRow(Record):
    contract_id: uuid.UUID
    reference: str
    name: str
    payment_basis: str
    vat_registered: bool


CONTRACT_ROWS = Columns(
    authority="c.authority_id", organisation="c.organisation_id", contract="c.contract_id"
)


def contract_scope(principal: Principal) -> Scope:
    return Scope.of(principal, CONTRACT_ROWS)


async def contract(
    conn: asyncpg.Connection, *, scope: AnyScope, contract_id: uuid.UUID
) -> ContractRow | None:
    return await fetch_one(
        conn,
        ContractRow,
        "SELECT c.contract_id, c.reference, c.name, c.payment_basis, c.vat_registered"
        " FROM payments.contract c WHERE c.contract_id = $1 AND {scope}",
        contract_id,
        scope=scope,
    )
