"""An invoice or credit note as the API answers it and as its events carry it (shared.events.InvoiceFields)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from payments.store.invoices import InvoiceLineRow, InvoiceRow
from shared.events import CreditNoteIssued, InvoiceFields, InvoiceLine, InvoiceSubmitted
from shared.money import Money


class InvoiceLineView(InvoiceLine):
    line_no: int = Field(description="Its place on the document, from 1")
    service_name: str | None = Field(None, description="The service's name")
    excl_vat: Money = Field(description="Excluding VAT (negative on a credit note)")
    vat: Money = Field(description="VAT (negative on a credit note)")
    total: Money = Field(description="Total (negative on a credit note)")


class InvoiceView(InvoiceFields):
    """The document as it stands, with its status and version (for the next change)."""

    status: str = Field(description="draft | submitted | retracted (an invoice); issued (a credit note)")
    version: int = Field(description="Send it back with a change: a newer one means someone else changed it")
    supplier_name: str = Field(description="The provider's name")
    contract_name: str = Field(description="The contract's name")
    excl_vat: Money = Field(description="Sum excluding VAT")
    vat: Money = Field(description="Sum of VAT")
    total: Money = Field(description="Sum")
    lines: list[InvoiceLineView] = Field(description="Every line, in order")  # type: ignore[assignment]
    credits_invoice_id: uuid.UUID | None = Field(None, description="A credit note: the invoice it retracts")
    credits_invoice_number: str | None = Field(None, description="A credit note: that invoice's number")
    credits_payment_id: uuid.UUID | None = Field(
        None, description="A credit note of a payment run: its payment"
    )
    credited_by_id: uuid.UUID | None = Field(None, description="A retracted invoice: its credit note")
    credited_by_number: str | None = Field(None, description="A retracted invoice: its credit note's number")
    reason: str | None = Field(None, description="A credit note: why")
    created_at: datetime
    submitted_at: datetime | None = None


class InvoiceSummary(InvoiceView):
    lines: list[InvoiceLineView] = Field(default_factory=list, description="Not listed: read the document")


def line_view(row: InvoiceLineRow) -> InvoiceLineView:
    return InvoiceLineView.model_validate(row.model_dump())


def invoice_view(row: InvoiceRow, lines: list[InvoiceLineRow]) -> InvoiceView:
    return InvoiceView.model_validate({**row.model_dump(), "lines": [line_view(x) for x in lines]})


def summary_view(row: InvoiceRow) -> InvoiceSummary:
    return InvoiceSummary.model_validate({**row.model_dump(), "lines": []})


def _fields(view: InvoiceView) -> dict[str, object]:
    return {
        **view.model_dump(include=set(InvoiceFields.model_fields) - {"lines"}),
        "lines": [InvoiceLine.model_validate(x.model_dump()) for x in view.lines],
    }


# Both events are built from the stored document alone (who submitted or issued it, and when, are on its
# row: migration 0007), so the handler that publishes one and a backfill that re-publishes it
# (payments.republishing) give the same event.


def submitted_event(view: InvoiceView, row: InvoiceRow) -> InvoiceSubmitted:
    if row.submitted_at is None or row.submitted_by is None:
        raise ValueError(f"{row.number} has not been submitted")
    return InvoiceSubmitted.model_validate(
        {
            **_fields(view),
            "authority_id": row.authority_id,
            "submitted_by": row.submitted_by,
            "submitted_at": row.submitted_at,
        }
    )


def credit_note_event(view: InvoiceView, row: InvoiceRow) -> CreditNoteIssued:
    if row.submitted_at is None or row.submitted_by is None:
        raise ValueError(f"{row.number} has not been issued")
    return CreditNoteIssued.model_validate(
        {
            **_fields(view),
            "authority_id": row.authority_id,
            "credits_invoice_id": row.credits_invoice_id,
            "credits_payment_id": row.credits_payment_id,
            "reason": row.reason or "",
            "issued_by": row.submitted_by,
            "issued_at": row.submitted_at,
        }
    )
