"""Each report's rows from the read model (migration 0003), by the definition's `source` key: one async
generator per report, yielding dicts keyed like the definition's columns
(reports.domain.catalogue), in the order the report prints them.

    async def source(conn, *, authority_id, organisation_id, params) -> AsyncIterator[dict]

Every query is filtered by the run's authority (`{scope}`) and, for a provider's run, its organisation;
the organisation, contract, remittance or purchase order chosen in `params` only narrows that further, so
another tenant's id finds nothing (the caller's 404 is the run API's). Rows come from a server-side cursor
`BATCH` at a time, so a report of 100,000 lines holds one batch in memory, never the whole.

The reports' rules (docs/reports.md):
- a payment method is a contract's schedule: `PAYMENT_METHODS` names them;
- Pending Scheduled Payments: every line of the payments not finalised yet (unconfirmed, confirmed,
  disputed), with its payment's status (or Disputed for a disputed line);
- Pending Payments Exceptions: what is not on its way to be paid as it stands: lines of unconfirmed
  payments, disputed lines, and lines a finalised run held (disputed) that no later payment has paid;
- Remittance Advice: the remittance of a contract's period (or the one given), line by line, or one
  line per remittance in summary; quantity is the days of the service period;
- Annual Statement of Foster Carer Payments: the remittances paid (pay date) in the tax year (6 April
  to 5 April), per child: days of care are the distinct days of the care periods paid (planned or actuals
  lines); care allowances are non-taxable, one-off claim items (`TAXABLE_SOURCES`) taxable;
- Purchase Order: what finalised runs paid on the order, line by line.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from reports.store import commissioned, orders, paid, pending
from reports.store.streaming import PAYMENT_METHODS, RowSource, organisations, stream
from shared.store import AuthorityScope, fetch_value

__all__ = ["PAYMENT_METHODS", "SOURCES", "RowSource", "branding"]

# --- Provider Organisations ------------------------------------------------------------------------

DIRECTORY = """
    SELECT name, reference, CASE WHEN active THEN 'Active' ELSE 'Closed' END AS status
      FROM reports.organisation
     WHERE {scope} AND ($1::uuid IS NULL OR organisation_id = $1) AND ($2::uuid IS NULL OR organisation_id = $2)
     ORDER BY name, organisation_id
"""


async def organisation_directory(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    args = organisations(organisation_id, params)
    async for row in stream(conn, DIRECTORY, args, authority_id=authority_id, column="authority_id"):
        yield row


SOURCES: dict[str, RowSource] = {
    "organisation-directory": organisation_directory,
    "commissioned-vs-actuals": commissioned.commissioned_vs_actuals,
    "pending-payments-exceptions": pending.pending_payments_exceptions,
    "pending-scheduled-payments": pending.pending_scheduled_payments,
    "remittance-advice": paid.remittance_advice,
    "annual-statement-foster-carer": paid.annual_statement_foster_carer,
    "purchase-order": orders.purchase_order,
}


# --- Branding --------------------------------------------------------------------------------------


async def branding(conn: asyncpg.Connection, *, authority_id: uuid.UUID) -> tuple[str, str] | None:
    """The council's name and primary colour for its reports, or None until identity told us."""
    found = await conn.fetchrow(
        "SELECT name, primary_colour FROM reports.authority WHERE authority_id = $1", authority_id
    )
    return None if found is None else (found["name"], found["primary_colour"])


async def names_of(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, params: dict[str, Any]
) -> dict[str, str]:
    """The organisation's and the contract's names (with its reference), the remittance's reference and
    pay date, and the purchase order's number for a report's header, by parameter, as far as the authority's read model has them (an id it lacks
    is printed as given)."""
    names: dict[str, str] = {}
    scope = AuthorityScope(authority_id)
    if (organisation_id := params.get("organisation_id")) is not None:
        found = await fetch_value(
            conn,
            "SELECT name FROM reports.organisation WHERE organisation_id = $1 AND {scope}",
            organisation_id,
            scope=scope,
        )
        if found is not None:
            names["organisation_id"] = found
    if (contract_id := params.get("contract_id")) is not None:
        found = await fetch_value(
            conn,
            "SELECT name || ' (' || reference || ')' FROM reports.contract WHERE contract_id = $1 AND {scope}",
            contract_id,
            scope=scope,
        )
        if found is not None:
            names["contract_id"] = found
    if (remittance_id := params.get("remittance_id")) is not None:
        found = await fetch_value(
            conn,
            "SELECT reference || ', paid ' || to_char(pay_date, 'FMDD FMMonth YYYY') FROM reports.remittance"
            " WHERE remittance_id = $1 AND {scope}",
            remittance_id,
            scope=scope,
        )
        if found is not None:
            names["remittance_id"] = found
    if (order_id := params.get("purchase_order_id")) is not None:
        found = await fetch_value(
            conn,
            "SELECT l.purchase_order_number FROM reports.payment_line l"
            " JOIN reports.scheduled_payment p USING (payment_id)"
            " WHERE l.purchase_order_id = $1 AND {scope} LIMIT 1",
            order_id,
            scope=AuthorityScope(authority_id, column="p.authority_id"),
        )
        if found is not None:
            names["purchase_order_id"] = found
    return names
