"""The documents a run can be of (a remittance, a purchase order), as the read model knows them: whether
the caller may see one, and when it last changed (whether a kept run of it is still current).

A remittance comes from payments.remittance.issued and never changes; a purchase order is known by the
scheduled payments' lines paid on it (payments publishes no purchase order of its own), and changes
whenever one of those payments does (`changed_at`, set by reports.store.projections.apply_payment).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.auth import Principal
from shared.scoping import Columns
from shared.store import Scope, fetch_value

REMITTANCE_COLUMNS = Columns(authority="authority_id", organisation="organisation_id", contract="contract_id")
PAYMENT_COLUMNS = Columns(
    authority="p.authority_id", organisation="p.organisation_id", contract="p.contract_id"
)


async def remittance_changed_at(
    *, conn: asyncpg.Connection, remittance_id: uuid.UUID, principal: Principal
) -> datetime | None:
    """When the remittance was issued, if the caller may see it (None for a missing one or another
    tenant's: a provider sees its own organisation's, of its own contracts when it is scoped to some)."""
    issued: datetime | None = await fetch_value(
        conn,
        "SELECT issued_at FROM reports.remittance WHERE remittance_id = $1 AND {scope}",
        remittance_id,
        scope=Scope.of(principal, REMITTANCE_COLUMNS),
    )
    return issued


async def purchase_order_changed_at(
    *, conn: asyncpg.Connection, purchase_order_id: uuid.UUID, principal: Principal
) -> datetime | None:
    """When a payment with lines on the order last changed, among the payments the caller may see (None:
    no such order within the caller's scope)."""
    changed: datetime | None = await fetch_value(
        conn,
        """
        SELECT max(p.changed_at)
          FROM reports.scheduled_payment p
         WHERE {scope} AND EXISTS (SELECT 1 FROM reports.payment_line l
                                    WHERE l.payment_id = p.payment_id AND l.purchase_order_id = $1)
        """,
        purchase_order_id,
        scope=Scope.of(principal, PAYMENT_COLUMNS),
    )
    return changed
