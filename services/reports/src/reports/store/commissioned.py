"""Commissioned Vs Actuals: each client's confirmed weeks of actuals, what was planned against what
was delivered, units and cost, over a financial year."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from reports.domain.years import financial_year
from reports.store.streaming import organisations, stream

# --- Commissioned Vs Actuals -----------------------------------------------------------------------

COMMISSIONED_VS_ACTUALS = """
    SELECT coalesce(c.name, '') AS contract, coalesce(cl.name, '') AS client,
           coalesce(s.name, '') AS service, w.week_commencing,
           sum(l.planned) AS commissioned_units, sum(l.actual) AS actual_units,
           sum(l.actual) - sum(l.planned) AS variance_units,
           sum(l.planned_total) AS commissioned_amount, sum(l.total) AS actual_amount
      FROM reports.confirmed_week w
      JOIN reports.confirmed_line l USING (week_id)
      LEFT JOIN reports.contract c ON c.contract_id = w.contract_id
      LEFT JOIN reports.client cl ON cl.client_id = l.client_id
      LEFT JOIN reports.provider_service s ON s.service_id = w.service_id
     WHERE {scope} AND w.confirmed
       AND ($1::uuid IS NULL OR w.organisation_id = $1) AND ($2::uuid IS NULL OR w.organisation_id = $2)
       AND ($3::uuid IS NULL OR w.contract_id = $3)
       AND w.week_commencing BETWEEN $4 AND $5
     GROUP BY c.name, w.contract_id, cl.name, l.client_id, s.name, w.service_id, w.week_commencing
     ORDER BY contract, w.contract_id, client, l.client_id, service, w.service_id, w.week_commencing
"""


async def commissioned_vs_actuals(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    first, last = financial_year(int(params["financial_year"]))
    args = (*organisations(organisation_id, params), params.get("contract_id"), first, last)
    async for row in stream(
        conn, COMMISSIONED_VS_ACTUALS, args, authority_id=authority_id, column="w.authority_id"
    ):
        yield row
