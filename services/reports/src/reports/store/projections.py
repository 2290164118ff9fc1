"""What reports keeps of actuals' weeks, payments' scheduled payments, runs, remittances, invoices and
credit notes, and claims' accepted claims (migrations 0003, 0006): applied by `reports.consumers`. A state with lines is guarded by its aggregate's revision (an older
state after a newer one, or the same state twice, changes nothing) and its lines are replaced whole; a
run or a remittance never changes once published, so it is kept once.

A consumer applies events for every authority: the service's own work, not a caller's, so the SQL is
unscoped (the event's authority travels in its rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from shared.events import (
    ClaimDecided,
    CreditNoteIssued,
    InvoiceSubmitted,
    PaymentRunFinalised,
    RemittanceIssued,
    ScheduledPaymentState,
    WeekConfirmed,
    WeekUnlocked,
)
from shared.projections import ChildRows, Projection

UPSERT_WEEK = """
    INSERT INTO reports.confirmed_week AS w
           (week_id, authority_id, organisation_id, contract_id, service_id, week_commencing, confirmed,
            revision)
    VALUES ($1, $2, $3, $4, $5, $6, true, $7)
    ON CONFLICT (week_id) DO UPDATE
       SET authority_id = EXCLUDED.authority_id, organisation_id = EXCLUDED.organisation_id,
           contract_id = EXCLUDED.contract_id, service_id = EXCLUDED.service_id,
           week_commencing = EXCLUDED.week_commencing, confirmed = true, revision = EXCLUDED.revision
     WHERE w.revision < EXCLUDED.revision
    RETURNING week_id
"""

CONFIRMED_LINES = ChildRows(
    "reports.confirmed_line",
    "week_id",
    (
        ("line_id", "uuid"),
        ("cpli_id", "uuid"),
        ("client_id", "uuid"),
        ("service_level_id", "uuid"),
        ("unit", "text"),
        ("planned", "numeric"),
        ("actual", "numeric"),
        ("planned_total", "numeric"),
        ("total", "numeric"),
    ),
)


async def apply_week_confirmed(conn: asyncpg.Connection, *, event: WeekConfirmed) -> bool:
    """The week and its lines as confirmed; False (nothing changed) when a newer state is held."""
    applied = await conn.fetchval(
        UPSERT_WEEK,
        event.week_id,
        event.authority_id,
        event.organisation_id,
        event.contract_id,
        event.service_id,
        event.week_commencing,
        event.revision,
    )
    if applied is None:
        return False
    await CONFIRMED_LINES.replace(conn, event.week_id, event.lines)
    return True


async def apply_week_unlocked(conn: asyncpg.Connection, *, event: WeekUnlocked) -> bool:
    """An unlocked week is no longer confirmed (its lines stay, as last confirmed, until it is again)."""
    status = await conn.execute(
        "UPDATE reports.confirmed_week SET confirmed = false, revision = $2"
        " WHERE week_id = $1 AND revision < $2",
        event.week_id,
        event.revision,
    )
    return bool(status != "UPDATE 0")


UPSERT_PAYMENT = """
    INSERT INTO reports.scheduled_payment AS p
           (payment_id, authority_id, organisation_id, supplier_reference, supplier_name, contract_id,
            contract_reference, contract_name, payment_run_id, period_start, period_end, pay_date, status,
            excl_vat, vat, total, revision)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
    ON CONFLICT (payment_id) DO UPDATE
       SET authority_id = EXCLUDED.authority_id, organisation_id = EXCLUDED.organisation_id,
           supplier_reference = EXCLUDED.supplier_reference, supplier_name = EXCLUDED.supplier_name,
           contract_id = EXCLUDED.contract_id, contract_reference = EXCLUDED.contract_reference,
           contract_name = EXCLUDED.contract_name, payment_run_id = EXCLUDED.payment_run_id,
           period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
           pay_date = EXCLUDED.pay_date, status = EXCLUDED.status, excl_vat = EXCLUDED.excl_vat,
           vat = EXCLUDED.vat, total = EXCLUDED.total, revision = EXCLUDED.revision, changed_at = now()
     WHERE p.revision < EXCLUDED.revision
    RETURNING payment_id
"""

PAYMENT_LINES = ChildRows(
    "reports.payment_line",
    "payment_id",
    (
        ("line_id", "uuid"),
        ("source", "text"),
        ("client_id", "uuid"),
        ("client_reference", "text"),
        ("client_name", "text"),
        ("purchase_order_id", "uuid"),
        ("purchase_order_number", "text"),
        ("cost_code", "text"),
        ("service_start", "date"),
        ("service_end", "date"),
        ("adjustment", "boolean"),
        ("excl_vat", "numeric"),
        ("vat", "numeric"),
        ("total", "numeric"),
        ("status", "text"),
        ("dispute_reason", "text"),
    ),
)


async def apply_payment(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, state: ScheduledPaymentState
) -> bool:
    """The payment and its lines as they stand; False (nothing changed) when a newer revision is held.
    The upserted, confirmed and disputed events all carry the state: whichever comes, the newest wins."""
    applied = await conn.fetchval(
        UPSERT_PAYMENT,
        state.payment_id,
        authority_id,
        state.organisation_id,
        state.supplier_reference,
        state.supplier_name,
        state.contract_id,
        state.contract_reference,
        state.contract_name,
        state.payment_run_id,
        state.period_start,
        state.period_end,
        state.pay_date,
        state.status,
        state.excl_vat,
        state.vat,
        state.total,
        state.revision,
    )
    if applied is None:
        return False
    await PAYMENT_LINES.replace(conn, state.payment_id, state.lines)
    return True


INSERT_RUN = """
    INSERT INTO reports.payment_run
           (payment_run_id, authority_id, reference, frequency, period_start, period_end, excl_vat, vat,
            total, finalised_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (payment_run_id) DO NOTHING
"""


async def apply_run_finalised(conn: asyncpg.Connection, *, event: PaymentRunFinalised) -> None:
    await conn.execute(
        INSERT_RUN,
        event.payment_run_id,
        event.authority_id,
        event.reference,
        event.frequency,
        event.period_start,
        event.period_end,
        event.excl_vat,
        event.vat,
        event.total,
        event.finalised_at,
    )


INSERT_REMITTANCE = """
    INSERT INTO reports.remittance
           (remittance_id, authority_id, organisation_id, supplier_reference, supplier_name, reference,
            payment_run_id, payment_run_reference, payment_id, contract_id, contract_reference,
            contract_name, period_start, period_end, pay_date, excl_vat, vat, total, issued_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
    ON CONFLICT (remittance_id) DO NOTHING
    RETURNING remittance_id
"""

REMITTANCE_LINES = ChildRows(
    "reports.remittance_line",
    "remittance_id",
    (
        ("line_id", "uuid"),
        ("source", "text"),
        ("client_id", "uuid"),
        ("client_reference", "text"),
        ("client_name", "text"),
        ("purchase_order_number", "text"),
        ("cost_code", "text"),
        ("service_start", "date"),
        ("service_end", "date"),
        ("adjustment", "boolean"),
        ("invoice_number", "text"),
        ("excl_vat", "numeric"),
        ("vat", "numeric"),
        ("total", "numeric"),
    ),
    numbered=True,
)


async def apply_remittance(conn: asyncpg.Connection, *, event: RemittanceIssued) -> bool:
    """The remittance and its lines, in the event's order (line_no); False when already kept."""
    kept = await conn.fetchval(
        INSERT_REMITTANCE,
        event.remittance_id,
        event.authority_id,
        event.organisation_id,
        event.supplier_reference,
        event.supplier_name,
        event.reference,
        event.payment_run_id,
        event.payment_run_reference,
        event.payment_id,
        event.contract_id,
        event.contract_reference,
        event.contract_name,
        event.period_start,
        event.period_end,
        event.pay_date,
        event.excl_vat,
        event.vat,
        event.total,
        event.issued_at,
    )
    if kept is None:
        return False
    await REMITTANCE_LINES.insert(conn, event.remittance_id, event.lines)
    return True


INVOICE_LINES = ChildRows(
    "reports.invoice_line",
    "invoice_id",
    (
        ("week_id", "uuid"),
        ("service_id", "uuid"),
        ("week_commencing", "date"),
        ("client_id", "uuid"),
        ("client_reference", "text"),
        ("client_name", "text"),
        ("purchase_order_number", "text"),
        ("cost_code", "text"),
        ("excl_vat", "numeric"),
        ("vat", "numeric"),
        ("total", "numeric"),
    ),
    numbered=True,
)


async def apply_invoice(
    conn: asyncpg.Connection, *, header: Projection, event: InvoiceSubmitted | CreditNoteIssued
) -> bool:
    """An invoice or credit note and its lines, by the kit's guarded upsert of `header` (its revision:
    when it was issued); False when it is already kept (a redelivery, a backfill)."""
    applied = await conn.fetchval(f"{header.upsert_sql} RETURNING invoice_id", *header.upsert_values(event))
    if applied is None:
        return False
    await INVOICE_LINES.replace(conn, event.invoice_id, event.lines)
    return True


CLAIM_ITEMS = ChildRows(
    "reports.accepted_claim_item",
    "claim_id",
    (
        ("item_id", "uuid"),
        ("client_id", "uuid"),
        ("client_reference", "text"),
        ("service_level_id", "uuid"),
        ("service_level_reference", "text"),
        ("cost_code", "text"),
        ("financial_year", "text"),
        ("amount", "numeric"),
    ),
)


async def apply_accepted_claim(conn: asyncpg.Connection, *, header: Projection, event: ClaimDecided) -> bool:
    """An accepted claim and its included items at the claim's highest revision (the kit's guarded
    upsert of `header`, items replaced whole); a rejected claim is not kept (False, like a state already
    held)."""
    if event.decision != "accepted":
        return False
    applied = await conn.fetchval(f"{header.upsert_sql} RETURNING claim_id", *header.upsert_values(event))
    if applied is None:
        return False
    await CLAIM_ITEMS.replace(conn, event.claim_id, event.accepted_items)
    return True


# The tables a backfill can fill (reports.consumers.BACKFILLED): only these names go into the SQL.
BACKFILLED_TABLES = frozenset(
    {
        *("authority", "organisation", "contract", "provider_service"),
        *("client", "service_level", "cpli", "scheduled_payment"),
        *("invoice", "accepted_claim"),
    }
)


async def empty_tables(conn: asyncpg.Connection, *, tables: Sequence[str]) -> list[str]:
    """Which of reports' backfilled `tables` hold no row at all."""
    empty = []
    for table in tables:
        if table not in BACKFILLED_TABLES:
            raise ValueError(f"reports backfills no table {table!r}")
        if await conn.fetchval(f"SELECT NOT EXISTS (SELECT 1 FROM reports.{table})"):
            empty.append(table)
    return empty
