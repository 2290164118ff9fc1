"""The Purchase Order document's lines: what finalised runs paid on the order."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from reports.store.streaming import organisations, stream

# --- Purchase Order --------------------------------------------------------------------------------

PURCHASE_ORDER = """
    SELECT coalesce(l.client_name, '') AS client, p.contract_name AS contract,
           l.service_start AS start_date, l.service_end AS end_date,
           -- before VAT, as the order's value and spend to date are (payments' purchase order page)
           (l.service_end - l.service_start + 1) AS quantity, l.excl_vat AS amount,
           -- the document's heading block (reports.rendering.documents.PURCHASE_ORDER)
           l.purchase_order_id, l.purchase_order_number, l.client_name, l.client_reference, p.supplier_name,
           p.contract_name
      FROM reports.scheduled_payment p
      JOIN reports.payment_line l USING (payment_id)
     WHERE {scope} AND l.purchase_order_id = $3 AND p.status = 'finalised' AND l.status = 'payable'
       AND ($1::uuid IS NULL OR p.organisation_id = $1) AND ($2::uuid IS NULL OR p.organisation_id = $2)
     ORDER BY l.service_start, l.client_name NULLS LAST, l.line_id
"""


async def purchase_order(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    """What finalised runs paid on the order, before VAT (quantity: the days paid; no unit rate: a line
    pays a period)."""
    args = (*organisations(organisation_id, params), params["purchase_order_id"])
    async for row in stream(conn, PURCHASE_ORDER, args, authority_id=authority_id, column="p.authority_id"):
        yield row
