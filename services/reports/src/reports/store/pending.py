"""Pending Scheduled Payments and Pending Payments Exceptions: the lines of payments not finalised yet,
and what is not on its way to be paid as it stands (see reports.store.sources)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from reports.store.streaming import SOURCE_LABELS, frequency, organisations, stream

# --- Pending Scheduled Payments and Pending Payments Exceptions ------------------------------------

PENDING = """
    SELECT p.contract_name AS contract, coalesce(l.client_name, '') AS client, l.source,
           l.service_start AS period_start, l.service_end AS period_end, p.pay_date,
           CASE WHEN l.status = 'disputed' THEN 'disputed' ELSE p.status END AS status, l.total AS amount
      FROM reports.scheduled_payment p
      JOIN reports.payment_line l USING (payment_id)
      LEFT JOIN reports.contract c ON c.contract_id = p.contract_id
     WHERE {scope} AND p.status <> 'finalised'
       AND ($1::uuid IS NULL OR p.organisation_id = $1) AND ($2::uuid IS NULL OR p.organisation_id = $2)
       AND ($3::uuid IS NULL OR p.contract_id = $3) AND ($4::text IS NULL OR c.frequency = $4)
     ORDER BY p.contract_name, p.contract_id, p.period_start, l.client_name NULLS LAST, l.service_start,
              l.line_id
"""

STATUS_LABELS = {
    "unconfirmed": "Unconfirmed",
    "confirmed": "Confirmed",
    "disputed": "Disputed",
    "held": "On hold",
}


async def pending_scheduled_payments(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    args = (*organisations(organisation_id, params), params.get("contract_id"), frequency(params))
    async for row in stream(conn, PENDING, args, authority_id=authority_id, column="p.authority_id"):
        yield {
            "contract": row["contract"],
            "client": row["client"],
            "service": SOURCE_LABELS[row["source"]],
            "period_start": row["period_start"],
            "period_end": row["period_end"],
            "pay_date": row["pay_date"],
            "status": STATUS_LABELS[row["status"]],
            "amount": row["amount"],
        }


EXCEPTIONS = """
    SELECT p.contract_name AS contract, coalesce(l.client_name, '') AS client,
           l.service_start AS period_start, l.service_end AS period_end,
           CASE WHEN l.status IN ('disputed', 'held') THEN l.status ELSE p.status END AS status,
           l.dispute_reason, l.total AS amount
      FROM reports.scheduled_payment p
      JOIN reports.payment_line l USING (payment_id)
      LEFT JOIN reports.contract c ON c.contract_id = p.contract_id
     WHERE {scope}
       AND ($1::uuid IS NULL OR p.organisation_id = $1) AND ($2::uuid IS NULL OR p.organisation_id = $2)
       AND ($3::uuid IS NULL OR p.contract_id = $3) AND ($4::text IS NULL OR c.frequency = $4)
       AND ((p.status = 'unconfirmed')
            OR (p.status <> 'finalised' AND l.status = 'disputed')
            OR (p.status = 'finalised' AND l.status = 'held' AND NOT EXISTS (
                    SELECT 1 FROM reports.scheduled_payment later
                      JOIN reports.payment_line paid USING (payment_id)
                     WHERE later.contract_id = p.contract_id AND later.period_start > p.period_start
                       AND later.status = 'finalised' AND paid.status = 'payable'
                       AND paid.client_id IS NOT DISTINCT FROM l.client_id
                       AND paid.service_start = l.service_start AND paid.service_end = l.service_end)))
     ORDER BY p.contract_name, p.contract_id, p.period_start, l.client_name NULLS LAST, l.service_start,
              l.line_id
"""


async def pending_payments_exceptions(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    args = (*organisations(organisation_id, params), params.get("contract_id"), frequency(params))
    async for row in stream(conn, EXCEPTIONS, args, authority_id=authority_id, column="p.authority_id"):
        status = row["status"]
        reason = row["dispute_reason"] or ""
        if status == "unconfirmed":
            reason = "Not confirmed by the provider yet"
        yield {
            "contract": row["contract"],
            "client": row["client"],
            "period_start": row["period_start"],
            "period_end": row["period_end"],
            "status": STATUS_LABELS[status],
            "reason": reason,
            "amount": row["amount"],
        }
