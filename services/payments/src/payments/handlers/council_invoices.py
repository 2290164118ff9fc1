"""The council's reading of invoices and credit notes (/council/v1/payments/invoices): every organisation's
of its authority, drafts excepted (a draft is the provider's own business until submitted)."""

from __future__ import annotations

import uuid

from payments.handlers.invoice_access import check_filters, view_of
from payments.handlers.invoice_views import InvoiceView
from payments.store import invoices as store
from payments.store.invoices import InvoiceRow
from shared.decisions.rules import require_council
from shared.errors import Invalid, NotFound
from shared.uow import Caller, Work


async def list_invoices(
    caller: Caller,
    work: Work,
    *,
    organisation_id: uuid.UUID | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[InvoiceRow]:
    require_council(caller.principal)
    check_filters(kind, status)
    if status == "draft":
        raise Invalid.field("status", "the council does not see drafts", code="invalid-field")
    async with work.read() as conn:
        return await store.list_page(
            conn,
            scope=store.council_scope(caller.principal),
            kind=kind,
            status=status,
            organisation_id=organisation_id,
            limit=limit,
            offset=offset,
            hide_drafts=True,
        )


async def get_invoice(caller: Caller, work: Work, *, invoice_id: uuid.UUID) -> InvoiceView:
    require_council(caller.principal)
    async with work.read() as conn:
        row = await store.get(conn, scope=store.council_scope(caller.principal), invoice_id=invoice_id)
        if row is None or row.status == "draft":
            raise NotFound.of("invoice or credit note", code="invoice-not-found")
        return await view_of(conn, row)
