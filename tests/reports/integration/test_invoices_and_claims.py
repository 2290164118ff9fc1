"""Payments' invoices and credit notes and claims' accepted claims in reports' read model (migration 0006,
reports.consumers): each kept once by the kit's revision guard however often and in whatever order it is
delivered (an invoice's revision is when it was issued; a claim's, its version), lines and items replaced
whole with a newer state, a rejected claim not kept."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from shared.events import AcceptedItem, ClaimDecided, CreditNoteIssued, InvoiceLine, InvoiceSubmitted
from tests.reports.integration.readmodel import deliver, reports_conn

WEEK = date(2019, 9, 30)


def invoice_line(name: str, total: str, week: date = WEEK) -> InvoiceLine:
    amount = Decimal(total)
    return InvoiceLine(
        week_id=uuid.uuid4(),
        service_id=uuid.uuid4(),
        week_commencing=week,
        client_id=uuid.uuid4(),
        client_reference="C2000020",
        client_name=name,
        purchase_order_number="PO-2019-148-1",
        excl_vat=amount,
        vat=Decimal("0.00"),
        total=amount,
    )


def submitted(authority: uuid.UUID, organisation: uuid.UUID, lines: list[InvoiceLine]) -> InvoiceSubmitted:
    total = sum((x.total for x in lines), Decimal("0.00"))
    return InvoiceSubmitted(
        invoice_id=uuid.uuid4(),
        kind="invoice",
        number="INV-000123",
        organisation_id=organisation,
        supplier_reference="741254",
        contract_id=uuid.uuid4(),
        contract_reference="C-FOST-0148",
        provider_reference="Our ref 12",
        issue_date=date(2019, 10, 7),
        excl_vat=total,
        vat=Decimal("0.00"),
        total=total,
        lines=lines,
        authority_id=authority,
        submitted_by="provider-user",
        submitted_at=datetime.now(UTC),
    )


async def invoice_rows(env, invoice_id: uuid.UUID):
    async with reports_conn(env) as conn:
        head = await conn.fetchrow(
            "SELECT kind, number, total, credits_invoice_id, reason FROM reports.invoice WHERE invoice_id = $1",
            invoice_id,
        )
        lines = await conn.fetch(
            "SELECT line_no, client_name, total FROM reports.invoice_line WHERE invoice_id = $1 ORDER BY line_no",
            invoice_id,
        )
    return (None if head is None else tuple(head)), [tuple(r) for r in lines]


async def test_an_invoice_and_its_credit_note_are_kept_once_with_their_lines(env):
    authority, organisation = uuid.uuid4(), uuid.uuid4()
    invoice = submitted(
        authority,
        organisation,
        [invoice_line("Simpson, Bart", "353.08"), invoice_line("Daily, Arthur", "303.03")],
    )
    credit = CreditNoteIssued(
        **invoice.model_dump(
            exclude={
                "invoice_id",
                "kind",
                "number",
                "lines",
                "excl_vat",
                "total",
                "submitted_by",
                "submitted_at",
            }
        ),
        invoice_id=uuid.uuid4(),
        kind="credit_note",
        number="CRN-000007",
        excl_vat=Decimal("-353.08"),
        total=Decimal("-353.08"),
        lines=[invoice_line("Simpson, Bart", "-353.08")],
        credits_invoice_id=invoice.invoice_id,
        reason="Invoice raised against the wrong week",
        issued_by="provider-user",
        issued_at=datetime.now(UTC),
    )
    # The credit note before its invoice (out of order), each delivered twice (redeliveries).
    await deliver(env, credit, invoice, credit, invoice)
    assert await invoice_rows(env, invoice.invoice_id) == (
        ("invoice", "INV-000123", Decimal("656.11"), None, None),
        [(1, "Simpson, Bart", Decimal("353.08")), (2, "Daily, Arthur", Decimal("303.03"))],
    )
    assert await invoice_rows(env, credit.invoice_id) == (
        (
            "credit_note",
            "CRN-000007",
            Decimal("-353.08"),
            invoice.invoice_id,
            "Invoice raised against the wrong week",
        ),
        [(1, "Simpson, Bart", Decimal("-353.08"))],
    )
    # The same document issued later (a backfill would carry the same time; a later one is newer).
    again = invoice.model_copy(update={"lines": [invoice.lines[0]], "total": Decimal("353.08")})
    await deliver(env, again)
    assert (await invoice_rows(env, invoice.invoice_id))[1] == [
        (1, "Simpson, Bart", Decimal("353.08")),
        (2, "Daily, Arthur", Decimal("303.03")),
    ]
    newer = again.model_copy(update={"submitted_at": invoice.submitted_at + timedelta(seconds=1)})
    await deliver(env, newer)
    assert await invoice_rows(env, invoice.invoice_id) == (
        ("invoice", "INV-000123", Decimal("353.08"), None, None),
        [(1, "Simpson, Bart", Decimal("353.08"))],
    )


def decided(
    authority: uuid.UUID,
    organisation: uuid.UUID,
    *,
    revision: int,
    amounts: list[str],
    decision: str = "accepted",
) -> ClaimDecided:
    now = datetime.now(UTC)
    items = [
        AcceptedItem(
            item_id=uuid.UUID(int=n + 1),
            amount=Decimal(a),
            client_id=None,
            service_level_id=uuid.UUID(int=99),
            service_level_reference="MILEAGE",
            cost_code="CC-1",
            financial_year="2019/2020",
        )
        for n, a in enumerate(amounts)
    ]
    total = sum((x.amount for x in items), Decimal("0.00"))
    return ClaimDecided(
        claim_id=uuid.UUID(int=7) if decision == "accepted" else uuid.uuid4(),
        claim_date=date(2019, 9, 20),
        notes="Mileage",
        status=decision,
        total=total,
        accepted_total=total,
        submitted_at=now,
        decided_at=now,
        client_items=[],
        provider_items=[],
        authority_id=authority,
        organisation_id=organisation,
        submitted_by="provider-user",
        revision=revision,
        decision=decision,
        decided_by="council-user",
        accepted_items=items if decision == "accepted" else [],
    )


async def claim_rows(env, claim_id: uuid.UUID):
    async with reports_conn(env) as conn:
        head = await conn.fetchrow(
            "SELECT accepted_total, revision FROM reports.accepted_claim WHERE claim_id = $1", claim_id
        )
        items = await conn.fetch(
            "SELECT amount FROM reports.accepted_claim_item WHERE claim_id = $1 ORDER BY item_id", claim_id
        )
    return (None if head is None else tuple(head)), [r["amount"] for r in items]


async def test_an_accepted_claim_is_kept_at_its_highest_revision_and_a_rejected_one_not_at_all(env):
    authority, organisation = uuid.uuid4(), uuid.uuid4()
    async with reports_conn(env) as conn:
        await conn.execute("DELETE FROM reports.accepted_claim WHERE claim_id = $1", uuid.UUID(int=7))
    first = decided(authority, organisation, revision=3, amounts=["58.05", "6.00"])
    later = decided(authority, organisation, revision=5, amounts=["58.05"])
    await deliver(env, later, first, later)  # out of order, and twice
    assert await claim_rows(env, first.claim_id) == ((Decimal("58.05"), 5), [Decimal("58.05")])
    rejected = decided(authority, organisation, revision=2, amounts=["12.00"], decision="rejected")
    await deliver(env, rejected)
    assert await claim_rows(env, rejected.claim_id) == (None, [])
