"""Purchase orders in the caller's scope with what finalised runs paid on them (migration 0002's
payments.purchase_order and payment_line), and what is commissioned for their clients (payments.cpli).

A client's order is its service's and contract's: a contract- or service-scoped user sees those of their
contract or service; the organisation's one-off claims order (no contract) only organisation-wide users.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, fetch, fetch_one

ORDER_ROWS = Columns(
    authority="po.authority_id",
    organisation="po.organisation_id",
    contract="po.contract_id",
    service="po.service_id",
)
CPLI_ROWS = Columns(
    authority="c.authority_id",
    organisation="c.organisation_id",
    contract="c.contract_id",
    service="c.service_id",
)


class OrderRow(Record):
    purchase_order_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: str
    number: str
    client_id: uuid.UUID | None
    client_reference: str | None
    client_name: str | None
    service_id: uuid.UUID | None
    service_name: str | None
    financial_year: str
    issued_on: date
    spend_to_date: Decimal
    last_paid: date | None
    claims_unpaid: Decimal  # accepted one-off claim items of the year not yet paid (one-off order only)


class PaidLine(Record):
    line_id: uuid.UUID
    source: str
    service_start: date
    service_end: date
    adjustment: bool
    excl_vat: Decimal
    pay_date: date
    remittance_id: uuid.UUID | None


class CommissionedRow(Record):
    client_id: uuid.UUID
    service_id: uuid.UUID
    cost: Decimal
    start_date: date
    end_date: date | None


# A line is spent once its run is finalised and it was paid (not disputed, not held).
ORDER = """
    SELECT po.purchase_order_id, po.authority_id, po.organisation_id, po.kind, po.number, po.client_id,
           cl.reference AS client_reference, cl.name AS client_name, po.service_id, s.name AS service_name,
           po.financial_year, po.issued_on, coalesce(paid.spend, 0.00) AS spend_to_date,
           paid.last_paid, coalesce(unpaid.amount, 0.00) AS claims_unpaid
      FROM payments.purchase_order po
      LEFT JOIN payments.client cl ON cl.client_id = po.client_id
      LEFT JOIN payments.provider_service s ON s.service_id = po.service_id
      LEFT JOIN LATERAL (
            SELECT sum(l.excl_vat) AS spend, max(l.service_end) AS last_paid
              FROM payments.payment_line l
              JOIN payments.scheduled_payment p ON p.payment_id = l.payment_id
             WHERE l.purchase_order_id = po.purchase_order_id AND l.status = 'payable'
               AND p.status = 'finalised'
           ) paid ON true
      LEFT JOIN LATERAL (
            SELECT sum(i.amount) AS amount
              FROM payments.accepted_item i
             WHERE po.kind = 'one_off_claims' AND i.authority_id = po.authority_id
               AND i.organisation_id = po.organisation_id AND i.financial_year = po.financial_year
               AND NOT EXISTS (
                   SELECT 1 FROM payments.payment_line l
                     JOIN payments.scheduled_payment p ON p.payment_id = l.payment_id
                    WHERE l.source_key = 'claim:' || i.item_id::text AND l.status = 'payable'
                      AND p.status = 'finalised' AND l.organisation_id = i.organisation_id)
           ) unpaid ON true
"""


async def list_page(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    financial_year: str,
    service_id: uuid.UUID | None,
    client_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[OrderRow]:
    """The year's orders: the one-off claims order first, then by client name (the seed's order). A
    service or client filter leaves the one-off claims order out (it is neither's)."""
    return await fetch(
        conn,
        OrderRow,
        ORDER
        + """
         WHERE po.financial_year = $1 AND ($2::uuid IS NULL OR po.service_id = $2)
           AND ($3::uuid IS NULL OR po.client_id = $3) AND {scope}
         ORDER BY po.kind DESC, cl.name, po.number, po.purchase_order_id
         LIMIT $4 OFFSET $5
        """,
        financial_year,
        service_id,
        client_id,
        limit,
        offset,
        scope=scope,
    )


async def get(conn: asyncpg.Connection, *, scope: AnyScope, purchase_order_id: uuid.UUID) -> OrderRow | None:
    return await fetch_one(
        conn, OrderRow, ORDER + " WHERE po.purchase_order_id = $1 AND {scope}", purchase_order_id, scope=scope
    )


async def paid_lines(conn: asyncpg.Connection, *, purchase_order_id: uuid.UUID) -> list[PaidLine]:
    """The order's lines that finalised runs paid, by service period (the order is in scope: so are they)."""
    rows = await conn.fetch(
        """
        SELECT l.line_id, l.source, l.service_start, l.service_end, l.adjustment, l.excl_vat,
               pe.pay_date, r.remittance_id
          FROM payments.payment_line l
          JOIN payments.scheduled_payment p ON p.payment_id = l.payment_id
          JOIN payments.period pe ON pe.period_id = p.period_id
          LEFT JOIN payments.remittance r ON r.payment_id = p.payment_id
         WHERE l.purchase_order_id = $1 AND l.status = 'payable' AND p.status = 'finalised'
         ORDER BY l.service_start, pe.pay_date, l.line_id
        """,
        purchase_order_id,
    )
    return PaidLine.from_rows(rows)


async def commissioned(
    conn: asyncpg.Connection, *, scope: AnyScope, pairs: list[tuple[uuid.UUID, uuid.UUID]]
) -> list[CommissionedRow]:
    """The authorised CPLIs of each (client, service) pair."""
    if not pairs:
        return []
    return await fetch(
        conn,
        CommissionedRow,
        """
        SELECT c.client_id, c.service_id, c.cost, c.start_date, c.end_date
          FROM payments.cpli c
          JOIN unnest($1::uuid[], $2::uuid[]) AS want(client_id, service_id)
            ON want.client_id = c.client_id AND want.service_id = c.service_id
         WHERE c.authorised AND {scope}
        """,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        scope=scope,
    )


class YearRow(Record):
    financial_year: str


async def years(conn: asyncpg.Connection, *, scope: AnyScope) -> list[str]:
    """The financial years the caller has orders in, newest first."""
    rows = await fetch(
        conn,
        YearRow,
        "SELECT DISTINCT po.financial_year FROM payments.purchase_order po WHERE {scope}"
        " ORDER BY po.financial_year DESC",
        scope=scope,
    )
    return [r.financial_year for r in rows]


class Choice(Record):
    id: uuid.UUID
    reference: str
    name: str


async def services(conn: asyncpg.Connection, *, scope: AnyScope) -> list[Choice]:
    """The services the caller's orders are on."""
    return await fetch(
        conn,
        Choice,
        """
        SELECT DISTINCT s.service_id AS id, s.reference, s.name
          FROM payments.purchase_order po JOIN payments.provider_service s ON s.service_id = po.service_id
         WHERE {scope} ORDER BY s.name, s.service_id
        """,
        scope=scope,
    )


async def clients(conn: asyncpg.Connection, *, scope: AnyScope) -> list[Choice]:
    """The clients the caller's orders are for."""
    return await fetch(
        conn,
        Choice,
        """
        SELECT DISTINCT cl.client_id AS id, cl.reference, cl.name
          FROM payments.purchase_order po JOIN payments.client cl ON cl.client_id = po.client_id
         WHERE {scope} ORDER BY cl.name, cl.client_id
        """,
        scope=scope,
    )
