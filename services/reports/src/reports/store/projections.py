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
from shared.projections import Projection

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

WEEK_LINES = """
    INSERT INTO reports.confirmed_line
           (week_id, line_id, cpli_id, client_id, service_level_id, unit, planned, actual, planned_total,
            total)
    SELECT $1, l.* FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::numeric[],
                               $8::numeric[], $9::numeric[], $10::numeric[])
           AS l(line_id, cpli_id, client_id, service_level_id, unit, planned, actual, planned_total, total)
"""


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
    await conn.execute("DELETE FROM reports.confirmed_line WHERE week_id = $1", event.week_id)
    lines = event.lines
    await conn.execute(
        WEEK_LINES,
        event.week_id,
        [x.line_id for x in lines],
        [x.cpli_id for x in lines],
        [x.client_id for x in lines],
        [x.service_level_id for x in lines],
        [x.unit for x in lines],
        [x.planned for x in lines],
        [x.actual for x in lines],
        [x.planned_total for x in lines],
        [x.total for x in lines],
    )
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

PAYMENT_LINES = """
    INSERT INTO reports.payment_line
           (payment_id, line_id, source, client_id, client_reference, client_name, purchase_order_id,
            purchase_order_number, cost_code, service_start, service_end, adjustment, excl_vat, vat, total,
            status, dispute_reason)
    SELECT $1, l.* FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::uuid[],
                               $8::text[], $9::text[], $10::date[], $11::date[], $12::boolean[],
                               $13::numeric[], $14::numeric[], $15::numeric[], $16::text[], $17::text[])
           AS l(line_id, source, client_id, client_reference, client_name, purchase_order_id,
                purchase_order_number, cost_code, service_start, service_end, adjustment, excl_vat, vat,
                total, status, dispute_reason)
"""


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
    await conn.execute("DELETE FROM reports.payment_line WHERE payment_id = $1", state.payment_id)
    lines = state.lines
    await conn.execute(
        PAYMENT_LINES,
        state.payment_id,
        [x.line_id for x in lines],
        [x.source for x in lines],
        [x.client_id for x in lines],
        [x.client_reference for x in lines],
        [x.client_name for x in lines],
        [x.purchase_order_id for x in lines],
        [x.purchase_order_number for x in lines],
        [x.cost_code for x in lines],
        [x.service_start for x in lines],
        [x.service_end for x in lines],
        [x.adjustment for x in lines],
        [x.excl_vat for x in lines],
        [x.vat for x in lines],
        [x.total for x in lines],
        [x.status for x in lines],
        [x.dispute_reason for x in lines],
    )
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

REMITTANCE_LINES = """
    INSERT INTO reports.remittance_line
           (remittance_id, line_no, line_id, source, client_id, client_reference, client_name,
            purchase_order_number, cost_code, service_start, service_end, adjustment, invoice_number,
            excl_vat, vat, total)
    SELECT $1, l.* FROM unnest($2::int[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[],
                               $8::text[], $9::text[], $10::date[], $11::date[], $12::boolean[],
                               $13::text[], $14::numeric[], $15::numeric[], $16::numeric[])
           AS l(line_no, line_id, source, client_id, client_reference, client_name, purchase_order_number,
                cost_code, service_start, service_end, adjustment, invoice_number, excl_vat, vat, total)
"""


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
    lines = event.lines
    await conn.execute(
        REMITTANCE_LINES,
        event.remittance_id,
        list(range(1, len(lines) + 1)),
        [x.line_id for x in lines],
        [x.source for x in lines],
        [x.client_id for x in lines],
        [x.client_reference for x in lines],
        [x.client_name for x in lines],
        [x.purchase_order_number for x in lines],
        [x.cost_code for x in lines],
        [x.service_start for x in lines],
        [x.service_end for x in lines],
        [x.adjustment for x in lines],
        [x.invoice_number for x in lines],
        [x.excl_vat for x in lines],
        [x.vat for x in lines],
        [x.total for x in lines],
    )
    return True


INVOICE_LINES = """
    INSERT INTO reports.invoice_line
           (invoice_id, line_no, week_id, service_id, week_commencing, client_id, client_reference,
            client_name, purchase_order_number, cost_code, excl_vat, vat, total)
    SELECT $1, l.* FROM unnest($2::integer[], $3::uuid[], $4::uuid[], $5::date[], $6::uuid[], $7::text[],
                               $8::text[], $9::text[], $10::text[], $11::numeric[], $12::numeric[],
                               $13::numeric[])
           AS l(line_no, week_id, service_id, week_commencing, client_id, client_reference, client_name,
                purchase_order_number, cost_code, excl_vat, vat, total)
"""


async def apply_invoice(
    conn: asyncpg.Connection, *, header: Projection, event: InvoiceSubmitted | CreditNoteIssued
) -> bool:
    """An invoice or credit note and its lines, by the kit's guarded upsert of `header` (its revision:
    when it was issued); False when it is already kept (a redelivery, a backfill)."""
    applied = await conn.fetchval(f"{header.upsert_sql} RETURNING invoice_id", *header.upsert_values(event))
    if applied is None:
        return False
    await conn.execute("DELETE FROM reports.invoice_line WHERE invoice_id = $1", event.invoice_id)
    lines = event.lines
    await conn.execute(
        INVOICE_LINES,
        event.invoice_id,
        list(range(1, len(lines) + 1)),
        [x.week_id for x in lines],
        [x.service_id for x in lines],
        [x.week_commencing for x in lines],
        [x.client_id for x in lines],
        [x.client_reference for x in lines],
        [x.client_name for x in lines],
        [x.purchase_order_number for x in lines],
        [x.cost_code for x in lines],
        [x.excl_vat for x in lines],
        [x.vat for x in lines],
        [x.total for x in lines],
    )
    return True


CLAIM_ITEMS = """
    INSERT INTO reports.accepted_claim_item
           (claim_id, item_id, client_id, client_reference, service_level_id, service_level_reference,
            cost_code, financial_year, amount)
    SELECT $1, i.* FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[],
                               $8::text[], $9::numeric[])
           AS i(item_id, client_id, client_reference, service_level_id, service_level_reference, cost_code,
                financial_year, amount)
"""


async def apply_accepted_claim(conn: asyncpg.Connection, *, header: Projection, event: ClaimDecided) -> bool:
    """An accepted claim and its included items at the claim's highest revision (the kit's guarded
    upsert of `header`, items replaced whole); a rejected claim is not kept (False, like a state already
    held)."""
    if event.decision != "accepted":
        return False
    applied = await conn.fetchval(f"{header.upsert_sql} RETURNING claim_id", *header.upsert_values(event))
    if applied is None:
        return False
    await conn.execute("DELETE FROM reports.accepted_claim_item WHERE claim_id = $1", event.claim_id)
    items = event.accepted_items
    await conn.execute(
        CLAIM_ITEMS,
        event.claim_id,
        [x.item_id for x in items],
        [x.client_id for x in items],
        [x.client_reference for x in items],
        [x.service_level_id for x in items],
        [x.service_level_reference for x in items],
        [x.cost_code for x in items],
        [x.financial_year for x in items],
        [x.amount for x in items],
    )
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
