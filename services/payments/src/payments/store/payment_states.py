"""Scheduled payments' full states as `payments.scheduled_payment.upserted.v1` events, built in SQL.

A payment run writes thousands of payments per chunk; building each event in Python would read every
payment and line back and cost the run seconds. So the state is built by one query (`STATE`, the same
shape as `store.payments.get_payment` answers) and `publish_states` writes the events straight into
payments' outbox with `INSERT ... SELECT`, in the caller's transaction, as `Outbox.add` would: the same
envelope (shared.events.Envelope), the same NOTIFY to wake the relay. Amounts travel as strings, as
pydantic writes Decimals.

`REPUBLISHERS` answers a backfill request (`payments.backfill.requested.v1`) with the same query.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from shared.backfill import Republisher
from shared.bus.outbox import notify_channel
from shared.events import ScheduledPaymentUpserted

# One line of the event (PaymentLineState), from payment_line `l`, purchase_order `po`, client `cl`.
_LINE = """
    json_build_object(
        'line_id', l.line_id, 'source', l.source, 'client_id', l.client_id,
        'client_reference', cl.reference, 'client_name', cl.name,
        'purchase_order_id', l.purchase_order_id, 'purchase_order_number', po.number,
        'cost_code', l.cost_code, 'service_start', l.service_start, 'service_end', l.service_end,
        'adjustment', l.adjustment, 'excl_vat', l.excl_vat::text, 'vat', l.vat::text,
        'total', l.total::text, 'status', l.status, 'dispute_reason', l.dispute_reason)
"""
_LINE_ORDER = "cl.name NULLS LAST, l.service_start, l.source, l.line_id"  # as get_payment orders them
_LINE_JOINS = """
      FROM payments.payment_line l
      JOIN payments.purchase_order po USING (purchase_order_id)
      LEFT JOIN payments.client cl ON cl.client_id = l.client_id
"""


_INSERT = """
INSERT INTO payments.outbox (event_id, routing_key, body)
    SELECT e.event_id, $4, convert_to(json_build_object(
               'event_id', e.event_id, 'event_type', $5::text, 'event_version', $6::int,
               'occurred_at', now(), 'producer', 'payments', 'authority_id', e.authority_id,
               'aggregate_id', e.payment_id::text, 'correlation_id', $2::text,
               'payload', e.payload)::text, 'UTF8')
      FROM events e, wake
     ORDER BY e.payment_id
"""


def _state(lines: str) -> str:
    """One row per payment, its columns named as the event's fields; `lines` the lines' JSON array."""
    return f"""
    SELECT p.payment_id, p.organisation_id, o.reference AS supplier_reference, o.name AS supplier_name,
           p.contract_id, c.reference AS contract_reference, c.name AS contract_name,
           pe.start_date AS period_start, pe.end_date AS period_end, pe.pay_date,
           p.run_id AS payment_run_id, p.status, p.excl_vat::text AS excl_vat, p.vat::text AS vat,
           p.total::text AS total, {lines} AS lines, p.version AS revision, p.authority_id
      FROM payments.scheduled_payment p
      JOIN payments.period pe USING (period_id)
      JOIN payments.contract c ON c.contract_id = p.contract_id
      JOIN payments.organisation o ON o.organisation_id = p.organisation_id
"""


# Each payment's lines by a subquery (by the index on payment_line (payment_id, source_key)).
STATE = _state(
    f"COALESCE((SELECT json_agg({_LINE} ORDER BY {_LINE_ORDER}) {_LINE_JOINS}"
    " WHERE l.payment_id = p.payment_id), '[]'::json)"
)


def _publish_sql(which: str) -> str:
    """The events of the payments `which` selects (a condition on `p`, its parameter $1)."""
    return f"""
    WITH wake AS (SELECT pg_notify($3, '')),
    events AS (
        SELECT gen_random_uuid() AS event_id, s.payment_id, s.authority_id, to_json(s) AS payload
          FROM ({STATE} WHERE {which}) s
    )
    {_INSERT}
"""


_BY_ID = _publish_sql("p.payment_id = ANY($1::uuid[])")

# A chunk's payments (compute.py's temporary table run_chunk holds its contracts' periods): listed in a
# temporary table of their own, analysed, so that their lines are read in one hash join and aggregated at
# once, not looked up payment by payment.
_CHUNK_PAYMENTS = """
    CREATE TEMPORARY TABLE run_payments ON COMMIT DROP AS
    SELECT p.payment_id FROM payments.scheduled_payment p
     WHERE p.run_id = $1 AND p.period_id IN (SELECT period_id FROM run_chunk)
"""
_BY_CHUNK = f"""
    WITH wake AS (SELECT pg_notify($3, '')),
    lines AS (
        SELECT l.payment_id, json_agg({_LINE} ORDER BY {_LINE_ORDER}) AS lines {_LINE_JOINS}
          JOIN run_payments rp ON rp.payment_id = l.payment_id
         GROUP BY l.payment_id
    ),
    events AS (
        SELECT gen_random_uuid() AS event_id, s.payment_id, s.authority_id, to_json(s) AS payload
          FROM ({_state("COALESCE(ln.lines, '[]'::json)")}
                JOIN run_payments rp ON rp.payment_id = p.payment_id
                LEFT JOIN lines ln ON ln.payment_id = p.payment_id
                WHERE p.run_id = $1::uuid) s
    )
    {_INSERT}
"""


async def publish_states(
    conn: asyncpg.Connection, *, payment_ids: Sequence[uuid.UUID], correlation_id: str | None = None
) -> int:
    """Write the upserted event of each payment as it now stands to the outbox (the caller's
    transaction); answers how many."""
    return await _publish(conn, _BY_ID, list(payment_ids), correlation_id)


async def publish_chunk_states(conn: asyncpg.Connection, *, run_id: uuid.UUID) -> int:
    """As `publish_states`, for the payments of the compute chunk in hand (compute.compute_chunk)."""
    await conn.execute(_CHUNK_PAYMENTS, run_id)
    await conn.execute("ANALYZE run_payments")
    published = await _publish(conn, _BY_CHUNK, run_id, None)
    await conn.execute("DROP TABLE run_payments")
    return published


async def _publish(conn: asyncpg.Connection, sql: str, which: object, correlation_id: str | None) -> int:
    if not conn.is_in_transaction():
        raise RuntimeError("payment states are published inside the business transaction")
    await conn.execute("SET LOCAL default_toast_compression = lz4")
    status = await conn.execute(
        sql,
        which,
        correlation_id,
        notify_channel("payments"),
        ScheduledPaymentUpserted.routing_key(),
        ScheduledPaymentUpserted.event_type(),
        ScheduledPaymentUpserted.version,
    )
    return int(status.split()[-1])


REPUBLISHERS = (
    Republisher(ScheduledPaymentUpserted, STATE + " ORDER BY p.payment_id", aggregate_id="payment_id"),
)
