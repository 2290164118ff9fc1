"""Who may see and change scheduled payments, the payment found within the caller's scope, and the
write protocol every change follows: lock the payment, refuse unless its status allows the change
(409 naming the status) and the caller started from its latest version (409 naming both versions)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from payments.store import payments, scheduled
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import ScheduledPaymentState

UK = ZoneInfo("Europe/London")

STATUS_WORDS = {
    "confirmed": "it has been confirmed already",
    "disputed": "it is disputed",
    "finalised": "it has been finalised by the payment run",
    "unconfirmed": "it is not confirmed yet",
}


def today() -> date:
    """The date in the UK, where the councils pay."""
    return datetime.now(UK).date()


def require_viewer(principal: Principal) -> None:
    """A provider's person or key whose role gives scheduled payments (the council has its own API)."""
    if principal.is_council:
        raise Forbidden("the council reads scheduled payments through the council API")
    require_capability(principal, Capability.scheduled_payments)


def require_editor(principal: Principal) -> None:
    """As `require_viewer`, with Edit access: read-only users see payments but do not confirm them."""
    require_viewer(principal)
    require_capability(principal, Capability.scheduled_payments, edit=True)


async def find_payment(
    conn: asyncpg.Connection, principal: Principal, payment_id: uuid.UUID, *, lock: bool = False
) -> ScheduledPaymentState:
    """The payment within the caller's scope; 404 for any other id (another tenant's included)."""
    found = await payments.get_payment(
        conn, scope=scheduled.payment_scope(principal), payment_id=payment_id, for_update=lock
    )
    if found is None:
        raise NotFound.of("scheduled payment", code="payment-not-found")
    return found


def require_status(payment: ScheduledPaymentState, allowed: Collection[str], doing: str) -> None:
    if payment.status not in allowed:
        words = STATUS_WORDS[payment.status]
        raise Conflict(f"this payment cannot be {doing}: {words}", code=f"payment-{payment.status}")


def require_version(payment: ScheduledPaymentState, given: int) -> None:
    if payment.revision != given:
        raise Conflict(
            f"version: the payment was changed by someone else (version {given} is not the latest,"
            f" {payment.revision}): reload it and try again",
            code="stale-version",
        )


async def writable_payment(
    conn: asyncpg.Connection,
    principal: Principal,
    payment_id: uuid.UUID,
    *,
    version: int,
    allowed: Collection[str],
    doing: str,
) -> ScheduledPaymentState:
    """The payment locked for this transaction, in a status that allows the change and at the version
    the caller started from."""
    payment = await find_payment(conn, principal, payment_id, lock=True)
    require_status(payment, allowed, doing)
    require_version(payment, version)
    return payment
