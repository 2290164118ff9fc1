"""What payments re-publishes when a consumer asks for a backfill (shared.backfill): every scheduled
payment's current state (`payments.store.payment_states`), every submitted invoice (retracted ones too:
they were submitted) as its `payments.invoice.submitted.v1`, and every credit note as its
`payments.credit_note.issued.v1`, built by the handlers' own builders (`payments.handlers.invoice_views`)
from the stored document, its submitter and its lines (migration 0007), so a re-published document is the
event that was published. Reports keeps a document once (its revision is when it was issued), so a
re-published one changes nothing it holds.

The queries read every authority's documents: a backfill is payments' own work, never a caller's."""

from __future__ import annotations

import asyncpg

from payments.handlers.invoice_access import view_of
from payments.handlers.invoice_views import credit_note_event, submitted_event
from payments.store.invoices import SELECTED, InvoiceRow
from payments.store.payment_states import REPUBLISHERS as PAYMENT_STATES
from shared.backfill import Republisher
from shared.events import CreditNoteIssued, EventPayload, InvoiceSubmitted

INVOICES = SELECTED + " WHERE i.kind = 'invoice' AND i.status <> 'draft' ORDER BY i.invoice_id"
CREDIT_NOTES = SELECTED + " WHERE i.kind = 'credit_note' ORDER BY i.invoice_id"


async def submitted_events(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[EventPayload]:
    events: list[EventPayload] = []
    for record in rows:
        row = InvoiceRow.model_validate(dict(record))
        events.append(submitted_event(await view_of(conn, row), row))
    return events


async def credit_note_events(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[EventPayload]:
    events: list[EventPayload] = []
    for record in rows:
        row = InvoiceRow.model_validate(dict(record))
        events.append(credit_note_event(await view_of(conn, row), row))
    return events


REPUBLISHERS = (
    *PAYMENT_STATES,
    Republisher(InvoiceSubmitted, INVOICES, aggregate_id="invoice_id", build=submitted_events),
    Republisher(CreditNoteIssued, CREDIT_NOTES, aggregate_id="invoice_id", build=credit_note_events),
)
