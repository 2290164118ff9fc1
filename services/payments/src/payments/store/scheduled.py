"""The scheduled payments a caller lists, and the writes of a confirmation, a dispute, an amendment and a
dispute's decision. Every query is within the caller's scope (`payment_scope`); each writer has locked
the payment first (`payments.store.payments.get_payment(..., for_update=True)`) and bumps its version.

The CURRENT payment of a contract: of its payments not yet finalised, the one whose period starts
earliest (the one the provider should look at next; none once every payment is finalised).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from payments.store.payments import PAYMENT_ROWS
from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, Scope, execute, fetch, fetch_one, fetch_value, scoped_sql

CONTRACT_ROWS = Columns(
    authority="c.authority_id", organisation="c.organisation_id", contract="c.contract_id"
)


def payment_scope(principal: Principal) -> Scope:
    """A provider: its organisation's payments, within its contract or service; the council: its
    authority's."""
    return Scope.of(principal, PAYMENT_ROWS)


class PeriodRow(Record):
    payment_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    contract_name: str
    period_start: date
    period_end: date
    pay_date: date
    status: str
    excl_vat: Decimal
    vat: Decimal
    total: Decimal
    version: int
    current: bool


class ContractRow(Record):
    contract_id: uuid.UUID
    name: str


class Summary(Record):
    next_pay_date: date | None
    next_total: Decimal | None
    unconfirmed: int


PERIODS = """
    SELECT p.payment_id, p.organisation_id, p.contract_id, c.name AS contract_name,
           pe.start_date AS period_start, pe.end_date AS period_end, pe.pay_date, p.status, p.excl_vat,
           p.vat, p.total, p.version,
           p.status <> 'finalised' AND pe.start_date = min(pe.start_date)
               FILTER (WHERE p.status <> 'finalised') OVER (PARTITION BY p.contract_id) AS current
      FROM payments.scheduled_payment p
      JOIN payments.period pe USING (period_id)
      JOIN payments.contract c ON c.contract_id = p.contract_id
"""


async def periods(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    year_start: date,
    year_end: date,
    contract_id: uuid.UUID | None,
) -> list[PeriodRow]:
    """The payments of periods starting in the financial year (of one contract when given), newest
    period first. CURRENT is worked out over every period of the contract, not the year's alone."""
    return await fetch(
        conn,
        PeriodRow,
        f"SELECT * FROM ({PERIODS} WHERE ($3::uuid IS NULL OR p.contract_id = $3) AND {{scope}}) s"
        " WHERE s.period_start BETWEEN $1 AND $2 ORDER BY s.period_start DESC, s.contract_name, s.payment_id",
        year_start,
        year_end,
        contract_id,
        scope=scope,
    )


async def is_current(conn: asyncpg.Connection, *, scope: AnyScope, payment_id: uuid.UUID) -> bool:
    """Whether the payment is its contract's CURRENT one (the rule above). The inner query reads the
    same contract as the payment found in scope."""
    found = await fetch_value(
        conn,
        """
        SELECT p.status <> 'finalised' AND NOT EXISTS (
                   SELECT 1 FROM payments.scheduled_payment q JOIN payments.period qe USING (period_id)
                    WHERE q.contract_id = p.contract_id AND q.status <> 'finalised'
                      AND qe.start_date < pe.start_date)
          FROM payments.scheduled_payment p
          JOIN payments.period pe USING (period_id)
         WHERE p.payment_id = $1 AND {scope}
        """,
        payment_id,
        scope=scope,
    )
    return bool(found)


async def council_page(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    organisation_id: uuid.UUID | None,
    status: str | None,
    period_start: date | None,
    limit: int,
    offset: int,
) -> list[PeriodRow]:
    """The authority's payments, newest period first, ending in the id so pages never overlap."""
    return await fetch(
        conn,
        PeriodRow,
        f"SELECT * FROM ({PERIODS} WHERE ($1::uuid IS NULL OR p.organisation_id = $1) AND {{scope}}) s"
        " WHERE ($2::text IS NULL OR s.status = $2) AND ($3::date IS NULL OR s.period_start = $3)"
        " ORDER BY s.period_start DESC, s.contract_name, s.payment_id LIMIT $4 OFFSET $5",
        organisation_id,
        status,
        period_start,
        limit,
        offset,
        scope=scope,
    )


async def years(conn: asyncpg.Connection, *, scope: AnyScope) -> list[date]:
    """The first day of every period with a payment (the handler turns them into financial years)."""
    query, params = scoped_sql(
        "SELECT DISTINCT pe.start_date FROM payments.scheduled_payment p"
        " JOIN payments.period pe USING (period_id) WHERE {scope}",
        (),
        scope,
    )
    return [r["start_date"] for r in await conn.fetch(query, *params)]


async def contracts(conn: asyncpg.Connection, *, scope: AnyScope) -> list[ContractRow]:
    """The caller's contracts, by name."""
    return await fetch(
        conn,
        ContractRow,
        "SELECT c.contract_id, c.name FROM payments.contract c WHERE {scope} ORDER BY c.name, c.contract_id",
        scope=scope,
    )


async def summary(conn: asyncpg.Connection, *, scope: AnyScope, today: date) -> Summary:
    """The next payment: of the payments not paid yet (not finalised, or finalised with a pay date of
    `today` or later) and paying something (disputed and held lines are not paid, so a wholly disputed
    payment pays nothing and is passed over), the one with the earliest pay date, with its payable
    total; and how many are unconfirmed."""
    row = await fetch_one(
        conn,
        Summary,
        """
        WITH mine AS (
            SELECT p.payment_id, p.status, pe.pay_date,
                   (SELECT coalesce(sum(l.total), 0) FROM payments.payment_line l
                     WHERE l.payment_id = p.payment_id AND l.status = 'payable') AS payable
              FROM payments.scheduled_payment p
              JOIN payments.period pe USING (period_id)
             WHERE {scope}
        )
        SELECT (array_agg(m.pay_date ORDER BY m.pay_date, m.payment_id) FILTER (WHERE pending))[1]
                   AS next_pay_date,
               (array_agg(m.payable ORDER BY m.pay_date, m.payment_id) FILTER (WHERE pending))[1]
                   AS next_total,
               count(*) FILTER (WHERE m.status = 'unconfirmed') AS unconfirmed
          FROM mine m,
               LATERAL (SELECT (m.status <> 'finalised' OR m.pay_date >= $1) AND m.payable > 0 AS pending) x
        """,
        today,
        scope=scope,
    )
    assert row is not None  # an aggregate answers one row
    return row


async def confirm(
    conn: asyncpg.Connection, *, scope: AnyScope, payment_id: uuid.UUID, confirmed_by: str, at: datetime
) -> None:
    _one(
        await execute(
            conn,
            "UPDATE payments.scheduled_payment p SET status = 'confirmed', confirmed_by = $2,"
            " confirmed_at = $3, version = version + 1, updated_at = $3"
            " WHERE p.payment_id = $1 AND p.status = 'unconfirmed' AND {scope}",
            payment_id,
            confirmed_by,
            at,
            scope=scope,
        )
    )


async def dispute_lines(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    payment_id: uuid.UUID,
    line_ids: Sequence[uuid.UUID],
    reason: str,
    request_id: uuid.UUID,
) -> None:
    """The lines disputed with the request, and the payment disputed."""
    await execute(
        conn,
        "UPDATE payments.payment_line p SET status = 'disputed', dispute_reason = $3, dispute_request_id = $4"
        " WHERE p.payment_id = $1 AND p.line_id = ANY($2::uuid[]) AND p.status = 'payable' AND {scope}",
        payment_id,
        list(line_ids),
        reason,
        request_id,
        scope=scope,
    )
    await set_status(conn, scope=scope, payment_id=payment_id, status="disputed")


async def set_status(
    conn: asyncpg.Connection, *, scope: AnyScope, payment_id: uuid.UUID, status: str
) -> None:
    _one(
        await execute(
            conn,
            "UPDATE payments.scheduled_payment p SET status = $2, version = version + 1, updated_at = now()"
            " WHERE p.payment_id = $1 AND {scope}",
            payment_id,
            status,
            scope=scope,
        )
    )


async def amend_line(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    payment_id: uuid.UUID,
    line_id: uuid.UUID,
    excl_vat: Decimal,
    vat: Decimal,
    amended_by: str,
    reason: str,
) -> None:
    """A line's new amount with who changed it and why, then the payment's totals summed from its lines."""
    _one(
        await execute(
            conn,
            "UPDATE payments.payment_line p SET excl_vat = $3, vat = $4, total = $3::numeric + $4::numeric,"
            " amended_by = $5, amend_reason = $6 WHERE p.payment_id = $1 AND p.line_id = $2 AND {scope}",
            payment_id,
            line_id,
            excl_vat,
            vat,
            amended_by,
            reason,
            scope=scope,
        )
    )
    _one(
        await execute(
            conn,
            """
            UPDATE payments.scheduled_payment p
               SET excl_vat = s.excl_vat, vat = s.vat, total = s.excl_vat + s.vat, version = version + 1,
                   updated_at = now()
              FROM (SELECT coalesce(sum(excl_vat), 0) AS excl_vat, coalesce(sum(vat), 0) AS vat
                      FROM payments.payment_line WHERE payment_id = $1) s
             WHERE p.payment_id = $1 AND {scope}
            """,
            payment_id,
            scope=scope,
        )
    )


async def vat_rate(conn: asyncpg.Connection, *, scope: AnyScope, contract_id: uuid.UUID) -> Decimal:
    """The VAT rate of the contract's schedule (0 when it has none yet)."""
    rate = await fetch_value(
        conn,
        "SELECT p.vat_rate FROM payments.schedule p WHERE p.contract_id = $1 AND {scope}",
        contract_id,
        scope=scope,
    )
    return Decimal("0") if rate is None else Decimal(rate)


async def release_lines(
    conn: asyncpg.Connection, *, scope: AnyScope, payment_id: uuid.UUID, request_id: uuid.UUID
) -> int:
    """A rejected dispute: its lines payable again; answers how many lines of the payment stay disputed."""
    await execute(
        conn,
        "UPDATE payments.payment_line p SET status = 'payable', dispute_reason = NULL, dispute_request_id = NULL"
        " WHERE p.payment_id = $1 AND p.dispute_request_id = $2 AND p.status = 'disputed' AND {scope}",
        payment_id,
        request_id,
        scope=scope,
    )
    still = await fetch_value(
        conn,
        "SELECT count(*) FROM payments.payment_line p WHERE p.payment_id = $1 AND p.status = 'disputed'"
        " AND {scope}",
        payment_id,
        scope=scope,
    )
    return int(still)


def _one(status: str) -> None:
    assert status.endswith(" 1"), status  # the caller locked the row in its scope: exactly one changes
