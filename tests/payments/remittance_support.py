"""Rows a finalised payment run leaves for purchase orders and remittance advice, written straight into
payments' schema until the run ("run" helper) writes them itself: exactly as migration 0002 says
finalisation leaves them.

    paid = await seed_payment(conn, payee, period_start=..., amounts=[...], status="finalised")
    await add_line(conn, payee, paid, service_start=date(2019, 9, 23), amount=Decimal("12.34"))  # an adjustment
    remittance_id = await issue_remittance(conn, payee, paid)  # its payable lines, totals, pay date
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import asyncpg

from tests.payments.support import Payee, SeededPayment, financial_year


async def add_line(
    conn: asyncpg.Connection,
    payee: Payee,
    paid: SeededPayment,
    *,
    service_start: date,
    amount: Decimal,
    client: int = 0,
    days: int = 7,
    status: str = "payable",
    adjustment: bool = True,
    purchase_order_id: uuid.UUID | None = None,
    source: str = "planned",
    source_key: str | None = None,
) -> uuid.UUID:
    """One more line on the payment (by default an adjustment for client `client`'s older week, on the
    client's purchase order of that week's year); a payable line adds to the payment's totals."""
    client_id = payee.client_ids[client] if source != "claim" else None
    if purchase_order_id is None:
        purchase_order_id = await conn.fetchval(
            """
            SELECT purchase_order_id FROM payments.purchase_order
             WHERE client_id = $1 AND service_id = $2 AND financial_year = $3
            """,
            payee.client_ids[client],
            payee.service_id,
            financial_year(service_start),
        )
    line_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO payments.payment_line
               (line_id, payment_id, authority_id, organisation_id, contract_id, source, source_key, client_id,
                purchase_order_id, service_start, service_end, adjustment, excl_vat, vat, total, status)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $13, $14)
        """,
        line_id,
        paid.payment_id,
        payee.authority_id,
        payee.organisation_id,
        payee.contract_id,
        source,
        source_key or f"{source}:{uuid.uuid4()}",
        client_id,
        purchase_order_id,
        service_start,
        service_start + timedelta(days=days - 1),
        adjustment,
        amount,
        status,
    )
    if status == "payable":
        await conn.execute(
            """
            UPDATE payments.scheduled_payment
               SET excl_vat = excl_vat + $2, total = total + $2 WHERE payment_id = $1
            """,
            paid.payment_id,
            amount,
        )
    return line_id


async def one_off_order(conn: asyncpg.Connection, payee: Payee, *, year: str, issued_on: date) -> uuid.UUID:
    """The organisation's "One-Off Claims - <year>" purchase order."""
    return await conn.fetchval(
        """
        INSERT INTO payments.purchase_order
               (purchase_order_id, authority_id, organisation_id, kind, number, financial_year, issued_on)
        VALUES ($1, $2, $3, 'one_off_claims', $4, $5, $6)
        RETURNING purchase_order_id
        """,
        uuid.uuid4(),
        payee.authority_id,
        payee.organisation_id,
        f"OOC-{uuid.uuid4().hex[:8]}",
        year,
        issued_on,
    )


async def accept_item(
    conn: asyncpg.Connection, payee: Payee, *, amount: Decimal, claim_date: date
) -> uuid.UUID:
    """An included item of an accepted one-off claim, as the consumer keeps it."""
    item_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO payments.accepted_item
               (item_id, claim_id, authority_id, organisation_id, service_level_id, service_level_reference,
                financial_year, claim_date, amount, decided_at, revision)
        VALUES ($1, $2, $3, $4, $5, 'MILEAGE', $6, $7, $8, now(), 2)
        """,
        item_id,
        uuid.uuid4(),
        payee.authority_id,
        payee.organisation_id,
        uuid.uuid4(),
        financial_year(claim_date),
        claim_date,
        amount,
    )
    return item_id


async def issue_remittance(
    conn: asyncpg.Connection, payee: Payee, paid: SeededPayment, *, reference: str | None = None
) -> uuid.UUID:
    """The remittance finalisation issues for a finalised payment: its period and pay date, its payable
    lines' totals."""
    remittance_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO payments.remittance
               (remittance_id, authority_id, organisation_id, contract_id, run_id, payment_id, reference,
                period_start, period_end, pay_date, excl_vat, vat, total, issued_at)
        SELECT $1, p.authority_id, p.organisation_id, p.contract_id, p.run_id, p.payment_id, $3,
               pe.start_date, pe.end_date, pe.pay_date,
               coalesce(sum(l.excl_vat) FILTER (WHERE l.status = 'payable'), 0),
               coalesce(sum(l.vat) FILTER (WHERE l.status = 'payable'), 0),
               coalesce(sum(l.total) FILTER (WHERE l.status = 'payable'), 0), $4
          FROM payments.scheduled_payment p
          JOIN payments.period pe ON pe.period_id = p.period_id
          LEFT JOIN payments.payment_line l ON l.payment_id = p.payment_id
         WHERE p.payment_id = $2
         GROUP BY p.payment_id, pe.period_id
        """,
        remittance_id,
        paid.payment_id,
        reference or f"RA-{uuid.uuid4().hex[:8]}",
        datetime.now().astimezone(),
    )
    return remittance_id
