"""Invoices and credit notes (payments.invoice, .invoice_line) and their numbers (payments.document_counter,
migration 0006). Every query is within the caller's scope: a provider's organisation (and contract, for a
contract- or service-scoped user), the council's authority.

Writers lock the invoice first (`get(..., lock=True)`) and bump its version with every change, in the same
transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from payments.domain.invoices import Line
from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, AuthorityScope, Scope, Unscoped, execute, fetch, fetch_one

INVOICE_ROWS = Columns(authority="i.authority_id", organisation="i.organisation_id", contract="i.contract_id")


def invoice_scope(principal: Principal) -> Scope:
    return Scope.of(principal, INVOICE_ROWS)


class InvoiceRow(Record):
    invoice_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    supplier_reference: str
    supplier_name: str
    contract_id: uuid.UUID
    contract_reference: str
    contract_name: str
    kind: str
    number: str
    provider_reference: str | None
    status: str
    issue_date: date
    excl_vat: Decimal
    vat: Decimal
    total: Decimal
    credits_invoice_id: uuid.UUID | None
    credits_invoice_number: str | None
    credits_payment_id: uuid.UUID | None
    credited_by_id: uuid.UUID | None
    credited_by_number: str | None
    reason: str | None
    created_by: str
    created_at: datetime
    submitted_at: datetime | None
    submitted_by: str | None
    version: int


class InvoiceLineRow(Record):
    line_no: int
    week_id: uuid.UUID | None
    service_id: uuid.UUID | None
    service_name: str | None
    week_commencing: date | None
    service_start: date | None
    service_end: date | None
    client_id: uuid.UUID | None
    client_reference: str | None
    client_name: str | None
    purchase_order_number: str | None
    cost_code: str | None
    excl_vat: Decimal
    vat: Decimal
    total: Decimal
    standing: bool


SELECTED = """
    SELECT i.invoice_id, i.authority_id, i.organisation_id, o.reference AS supplier_reference,
           o.name AS supplier_name, i.contract_id, c.reference AS contract_reference, c.name AS contract_name,
           i.kind, i.number, i.provider_reference, i.status, i.issue_date, i.excl_vat, i.vat, i.total,
           i.credits_invoice_id, ci.number AS credits_invoice_number, i.credits_payment_id,
           cn.invoice_id AS credited_by_id, cn.number AS credited_by_number, i.reason, i.created_by,
           i.created_at, i.submitted_at, i.submitted_by, i.version
      FROM payments.invoice i
      JOIN payments.contract c ON c.contract_id = i.contract_id
      JOIN payments.organisation o ON o.organisation_id = i.organisation_id
      LEFT JOIN payments.invoice ci ON ci.invoice_id = i.credits_invoice_id
      LEFT JOIN payments.invoice cn ON cn.credits_invoice_id = i.invoice_id
"""

# The purchase order of a line: the client's for the service in the financial year of its week. A payment
# run's credit note names no week: its lines keep what its event carried (migration 0007).
LINES = """
    SELECT l.line_no, l.week_id, l.service_id, s.name AS service_name, l.week_commencing,
           COALESCE(l.service_start, l.week_commencing) AS service_start,
           COALESCE(l.service_end, l.week_commencing + 6) AS service_end, l.client_id,
           COALESCE(l.client_reference, cl.reference) AS client_reference,
           COALESCE(l.client_name, cl.name) AS client_name,
           COALESCE(l.purchase_order_number, po.number) AS purchase_order_number, l.cost_code,
           l.excl_vat, l.vat, l.total, l.standing
      FROM payments.invoice_line l
      LEFT JOIN payments.client cl ON cl.client_id = l.client_id
      LEFT JOIN payments.provider_service s ON s.service_id = l.service_id
      LEFT JOIN payments.purchase_order po
             ON po.authority_id = l.authority_id AND po.organisation_id = l.organisation_id
            AND po.kind = 'client' AND po.client_id = l.client_id AND po.service_id = l.service_id
            AND po.financial_year = to_char(l.week_commencing - interval '3 months', 'YYYY') || '/'
                                    || to_char(l.week_commencing + interval '9 months', 'YYYY')
     WHERE l.invoice_id = $1
     ORDER BY l.line_no
"""


async def get(
    conn: asyncpg.Connection, *, scope: AnyScope, invoice_id: uuid.UUID, lock: bool = False
) -> InvoiceRow | None:
    sql = SELECTED + " WHERE i.invoice_id = $1 AND {scope}"
    return await fetch_one(
        conn, InvoiceRow, sql + (" FOR UPDATE OF i" if lock else ""), invoice_id, scope=scope
    )


async def lines_of(conn: asyncpg.Connection, *, invoice_id: uuid.UUID) -> list[InvoiceLineRow]:
    """The lines of an invoice the caller has already found in their scope."""
    return await fetch(
        conn, InvoiceLineRow, LINES, invoice_id, scope=Unscoped("the invoice was found in the caller's scope")
    )


async def list_page(
    conn: asyncpg.Connection,
    *,
    scope: AnyScope,
    kind: str | None,
    status: str | None,
    organisation_id: uuid.UUID | None,
    limit: int,
    offset: int,
    hide_drafts: bool = False,
) -> list[InvoiceRow]:
    """Newest first, ending in the id so pages never overlap; the council's without drafts."""
    return await fetch(
        conn,
        InvoiceRow,
        SELECTED + " WHERE ($1::text IS NULL OR i.kind = $1) AND ($2::text IS NULL OR i.status = $2)"
        " AND ($3::uuid IS NULL OR i.organisation_id = $3) AND (NOT $6::bool OR i.status <> 'draft')"
        " AND {scope} ORDER BY i.created_at DESC, i.number DESC, i.invoice_id LIMIT $4 OFFSET $5",
        kind,
        status,
        organisation_id,
        limit,
        offset,
        hide_drafts,
        scope=scope,
    )


async def next_number(conn: asyncpg.Connection, *, authority_id: uuid.UUID, kind: str) -> int:
    """The authority's next number of the kind; the counter stays locked until the caller's transaction
    ends (see migration 0006)."""
    value = await conn.fetchval(
        """
        INSERT INTO payments.document_counter AS d (authority_id, kind, last) VALUES ($1, $2, 1)
        ON CONFLICT (authority_id, kind) DO UPDATE SET last = d.last + 1
        RETURNING last
        """,
        authority_id,
        kind,
    )
    return int(value)


async def add(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    contract_id: uuid.UUID,
    kind: str,
    number: str,
    status: str,
    provider_reference: str | None,
    issue_date: date,
    lines: list[Line],
    created_by: str,
    credits_invoice_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> uuid.UUID:
    """A new document with its lines (numbered from 1 in order); one not a draft (a credit note) is issued
    now by its creator (`submitted_at`, `submitted_by`). A credit note's lines do not stand: the
    weeks they name are free to be invoiced again. Raises asyncpg.UniqueViolationError when a week's
    client is on a standing invoice (invoice_line_week_once)."""
    invoice_id = uuid.uuid4()
    excl = sum((x.excl_vat for x in lines), Decimal("0.00"))
    vat = sum((x.vat for x in lines), Decimal("0.00"))
    await conn.execute(
        """
        INSERT INTO payments.invoice
               (invoice_id, authority_id, organisation_id, contract_id, kind, number, provider_reference,
                status, issue_date, excl_vat, vat, total, credits_invoice_id, reason, created_by,
                submitted_by, submitted_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                CASE WHEN $8 = 'draft' THEN NULL ELSE $15 END, CASE WHEN $8 = 'draft' THEN NULL ELSE now() END)
        """,
        invoice_id,
        authority_id,
        organisation_id,
        contract_id,
        kind,
        number,
        provider_reference,
        status,
        issue_date,
        excl,
        vat,
        excl + vat,
        credits_invoice_id,
        reason,
        created_by,
    )
    await conn.execute(
        """
        INSERT INTO payments.invoice_line
               (invoice_id, line_no, authority_id, organisation_id, week_id, service_id, week_commencing,
                client_id, excl_vat, vat, total, standing)
        SELECT $1, l.n, $2, $3, l.week_id, l.service_id, l.week_commencing, l.client_id, l.excl_vat, l.vat,
               l.excl_vat + l.vat, $4
          FROM unnest($5::uuid[], $6::uuid[], $7::date[], $8::uuid[], $9::numeric[], $10::numeric[])
               WITH ORDINALITY AS l(week_id, service_id, week_commencing, client_id, excl_vat, vat, n)
        """,
        invoice_id,
        authority_id,
        organisation_id,
        kind == "invoice",
        [x.week_id for x in lines],
        [x.service_id for x in lines],
        [x.week_commencing for x in lines],
        [x.client_id for x in lines],
        [x.excl_vat for x in lines],
        [x.vat for x in lines],
    )
    return invoice_id


async def submitted(
    conn: asyncpg.Connection, *, scope: AnyScope, invoice_id: uuid.UUID, issue_date: date, submitted_by: str
) -> None:
    """Submitted now by `submitted_by` (kept: its event, re-published by a backfill, names them)."""
    status = await execute(
        conn,
        "UPDATE payments.invoice i SET status = 'submitted', issue_date = $2, submitted_at = now(),"
        " submitted_by = $3, version = version + 1, updated_at = now()"
        " WHERE i.invoice_id = $1 AND i.status = 'draft' AND {scope}",
        invoice_id,
        issue_date,
        submitted_by,
        scope=scope,
    )
    assert status == "UPDATE 1"  # locked, a draft, within the scope: checked by the caller


async def retracted(conn: asyncpg.Connection, *, scope: AnyScope, invoice_id: uuid.UUID) -> None:
    """Retracted, its lines no longer standing (their weeks can be invoiced again)."""
    status = await execute(
        conn,
        "UPDATE payments.invoice i SET status = 'retracted', version = version + 1, updated_at = now()"
        " WHERE i.invoice_id = $1 AND i.status = 'submitted' AND {scope}",
        invoice_id,
        scope=scope,
    )
    assert status == "UPDATE 1"
    await conn.execute("UPDATE payments.invoice_line SET standing = false WHERE invoice_id = $1", invoice_id)


async def delete(conn: asyncpg.Connection, *, scope: AnyScope, invoice_id: uuid.UUID) -> None:
    """A draft and its lines (ON DELETE CASCADE)."""
    await execute(
        conn,
        "DELETE FROM payments.invoice i WHERE i.invoice_id = $1 AND i.status = 'draft' AND {scope}",
        invoice_id,
        scope=scope,
    )


def council_scope(principal: Principal) -> AuthorityScope:
    return AuthorityScope(principal.authority_id, column="i.authority_id")
