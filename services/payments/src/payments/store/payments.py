"""Reading a scheduled payment with its lines, as every part of payments answers it and as its events
carry it (`shared.events.ScheduledPaymentState`): the provider's pages, the council's API, the events of
a confirmation, a dispute and a finalised run.

A payment is one contract's: a contract-scoped user sees its own contract's, a service-scoped user those
of the contract its service is under (`PAYMENT_ROWS`).
"""

from __future__ import annotations

import uuid

import asyncpg

from shared.events import PaymentLineState, ScheduledPaymentState
from shared.scoping import Columns
from shared.store import AnyScope, scoped_sql

PAYMENT_ROWS = Columns(authority="p.authority_id", organisation="p.organisation_id", contract="p.contract_id")

HEADER = """
    SELECT p.payment_id, p.authority_id, p.organisation_id, o.reference AS supplier_reference,
           o.name AS supplier_name, p.contract_id, c.reference AS contract_reference,
           c.name AS contract_name, pe.start_date AS period_start, pe.end_date AS period_end,
           pe.pay_date, p.run_id AS payment_run_id, p.status, p.excl_vat, p.vat, p.total,
           p.version AS revision
      FROM payments.scheduled_payment p
      JOIN payments.period pe USING (period_id)
      JOIN payments.contract c ON c.contract_id = p.contract_id
      JOIN payments.organisation o ON o.organisation_id = p.organisation_id
     WHERE p.payment_id = $1 AND {scope}
"""

LINES = """
    SELECT l.line_id, l.source, l.client_id, cl.reference AS client_reference, cl.name AS client_name,
           l.purchase_order_id, po.number AS purchase_order_number, l.cost_code, l.service_start,
           l.service_end, l.adjustment, l.excl_vat, l.vat, l.total, l.status, l.dispute_reason
      FROM payments.payment_line l
      JOIN payments.purchase_order po USING (purchase_order_id)
      LEFT JOIN payments.client cl ON cl.client_id = l.client_id
     WHERE l.payment_id = $1
     ORDER BY cl.name NULLS LAST, l.service_start, l.source, l.line_id
"""


async def get_payment(
    conn: asyncpg.Connection, *, scope: AnyScope, payment_id: uuid.UUID, for_update: bool = False
) -> ScheduledPaymentState | None:
    """The payment and every line, or None when it is not in the caller's scope. `for_update` locks the
    payment's row for the caller's transaction (a confirmation, a dispute, an amendment, finalising)."""
    query, params = scoped_sql(HEADER + (" FOR UPDATE OF p" if for_update else ""), (payment_id,), scope)
    found = await conn.fetchrow(query, *params)
    if found is None:
        return None
    lines = await conn.fetch(LINES, payment_id)  # the payment is in scope: so are its lines
    return ScheduledPaymentState.model_validate(
        {**dict(found), "lines": [PaymentLineState.model_validate(dict(r)) for r in lines]}
    )
