"""Remittance Advice and the Annual Statement of Foster Carer Payments: what finalised runs paid, from
the remittances payments issued (see reports.store.sources)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from reports.domain.years import tax_year
from reports.store.streaming import SOURCE_LABELS, TAXABLE_SOURCES, frequency, organisations, stream

# --- Remittance Advice -----------------------------------------------------------------------------

REMITTANCE_LINES = """
    SELECT coalesce(l.client_name, '') AS client, l.source, l.service_start AS period_start,
           l.service_end AS period_end, (l.service_end - l.service_start + 1) AS quantity,
           l.excl_vat AS net, l.vat, l.total AS gross,
           -- the document's heading block (reports.rendering.documents.REMITTANCE_ADVICE)
           r.remittance_id, r.reference AS remittance_reference, r.supplier_name, r.supplier_reference,
           r.contract_name, r.contract_reference, r.payment_run_reference, r.pay_date
      FROM reports.remittance r
      JOIN reports.remittance_line l USING (remittance_id)
      LEFT JOIN reports.contract c ON c.contract_id = r.contract_id
     WHERE {scope}
       AND ($1::uuid IS NULL OR r.organisation_id = $1) AND ($2::uuid IS NULL OR r.organisation_id = $2)
       AND ($3::uuid IS NULL OR r.contract_id = $3) AND ($4::text IS NULL OR c.frequency = $4)
       AND ($5::date IS NULL OR r.period_start = $5) AND ($6::uuid IS NULL OR r.remittance_id = $6)
     ORDER BY r.pay_date, r.remittance_id, l.line_no
"""

REMITTANCE_SUMMARY = """
    SELECT r.contract_name AS client, r.period_start, r.period_end, count(l.line_no) AS quantity,
           r.excl_vat AS net, r.vat, r.total AS gross
      FROM reports.remittance r
      LEFT JOIN reports.remittance_line l USING (remittance_id)
      LEFT JOIN reports.contract c ON c.contract_id = r.contract_id
     WHERE {scope}
       AND ($1::uuid IS NULL OR r.organisation_id = $1) AND ($2::uuid IS NULL OR r.organisation_id = $2)
       AND ($3::uuid IS NULL OR r.contract_id = $3) AND ($4::text IS NULL OR c.frequency = $4)
       AND ($5::date IS NULL OR r.period_start = $5) AND ($6::uuid IS NULL OR r.remittance_id = $6)
     GROUP BY r.remittance_id
     ORDER BY r.pay_date, r.remittance_id
"""


async def remittance_advice(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    """The remittance of `contract_id`'s period starting `period_start` (or `remittance_id`, as the
    payments pages' View asks); `summary`: one line per remittance (the contract), else line by line."""
    args = (
        *organisations(organisation_id, params),
        params.get("contract_id"),
        frequency(params),
        params.get("period_start"),
        params.get("remittance_id"),
    )
    if params.get("contract_id") is None and params.get("remittance_id") is None:
        raise ValueError("a remittance advice is of a contract's period, or of one remittance")
    summary = bool(params.get("summary"))
    sql = REMITTANCE_SUMMARY if summary else REMITTANCE_LINES
    async for row in stream(conn, sql, args, authority_id=authority_id, column="r.authority_id"):
        if summary:
            yield {**row, "client": "", "service": row["client"]}
        else:
            source = row.pop("source")
            yield {**row, "service": SOURCE_LABELS[source]}


# --- Annual Statement of Foster Carer Payments -----------------------------------------------------

ANNUAL_STATEMENT = """
    WITH paid AS (
        SELECT l.client_id, l.source, l.service_start, l.service_end, l.total
          FROM reports.remittance r
          JOIN reports.remittance_line l USING (remittance_id)
         WHERE {scope} AND l.client_id IS NOT NULL
           AND ($1::uuid IS NULL OR r.organisation_id = $1) AND ($2::uuid IS NULL OR r.organisation_id = $2)
           AND r.pay_date BETWEEN $3 AND $4
    ), days AS (
        SELECT client_id, count(DISTINCT d) AS days_of_care
          FROM paid, generate_series(service_start, service_end, interval '1 day') AS d
         WHERE source <> ALL($5::text[]) AND total > 0
         GROUP BY client_id
    )
    SELECT coalesce(cl.name, '') AS child, cl.date_of_birth, coalesce(d.days_of_care, 0) AS days_of_care,
           coalesce(sum(p.total) FILTER (WHERE p.source <> ALL($5::text[])), 0) AS non_taxable,
           coalesce(sum(p.total) FILTER (WHERE p.source = ANY($5::text[])), 0) AS taxable,
           sum(p.total) AS total
      FROM paid p
      LEFT JOIN days d USING (client_id)
      LEFT JOIN reports.client cl ON cl.client_id = p.client_id
     GROUP BY p.client_id, cl.name, cl.date_of_birth, d.days_of_care
     ORDER BY child, p.client_id
"""


async def annual_statement_foster_carer(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    first, last = tax_year(int(params["tax_year"]))
    args = (*organisations(organisation_id, params), first, last, list(TAXABLE_SOURCES))
    async for row in stream(conn, ANNUAL_STATEMENT, args, authority_id=authority_id, column="r.authority_id"):
        yield row
