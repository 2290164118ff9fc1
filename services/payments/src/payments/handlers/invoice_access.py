"""Who may see and change a provider's invoices, the document found within the caller's scope, its
version checked, and the list's filters (the write protocol: lock the invoice, refuse an older version)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from payments.handlers.invoice_views import InvoiceView, invoice_view
from payments.store import invoices as store
from payments.store.invoices import InvoiceRow
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.errors import Conflict, Forbidden, Invalid, NotFound

UK = ZoneInfo("Europe/London")
KINDS = ("invoice", "credit_note")
STATUSES = ("draft", "submitted", "retracted", "issued")


def today() -> date:
    return datetime.now(UK).date()


def require_viewer(principal: Principal) -> None:
    """A provider's person or key whose role gives invoices (the council has its own API)."""
    if principal.is_council:
        raise Forbidden("the council reads invoices through the council API")
    require_capability(principal, Capability.invoices)


def require_editor(principal: Principal) -> None:
    """As `require_viewer`, with Edit access: read-only users see invoices but do not change them."""
    require_viewer(principal)
    require_capability(principal, Capability.invoices, edit=True)


def check_filters(kind: str | None, status: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise Invalid.field("kind", f"must be one of {', '.join(KINDS)}")
    if status is not None and status not in STATUSES:
        raise Invalid.field("status", f"must be one of {', '.join(STATUSES)}")


async def find(
    conn: asyncpg.Connection, principal: Principal, invoice_id: uuid.UUID, *, lock: bool = False
) -> InvoiceRow:
    """The document within the caller's scope; 404 for any other id (another tenant's included)."""
    found = await store.get(conn, scope=store.invoice_scope(principal), invoice_id=invoice_id, lock=lock)
    if found is None:
        raise NotFound.of("invoice or credit note", code="invoice-not-found")
    return found


async def view_of(conn: asyncpg.Connection, row: InvoiceRow) -> InvoiceView:
    return invoice_view(row, await store.lines_of(conn, invoice_id=row.invoice_id))


def require_version(row: InvoiceRow, given: int) -> None:
    if row.version != given:
        raise Conflict(
            f"{row.number} was changed by someone else (version {given} is not the latest, {row.version}):"
            " reload it and try again",
            code="stale-version",
        )
