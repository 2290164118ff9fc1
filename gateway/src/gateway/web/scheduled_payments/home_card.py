"""The Scheduled Payments card of the home page: the next payment (its date and amount) and how many
payments wait for the provider's confirmation (payments' /scheduled-payments/summary). The home page
never waits long for it nor fails because of it: when payments is slow or down, the card is shown
without its note."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from fastapi import Request

from gateway.service_problems import ServiceError
from gateway.web.actuals import figures
from gateway.web.scheduled_payments import service
from gateway.web.session import SignedIn
from shared.logging import get_logger

log = get_logger(__name__)
WAIT_SECONDS = 1.5


def note_text(summary: dict[str, Any], *, today: date | None = None) -> str | None:
    """ "Next payment £656.11 on 15 October 2019; 1 payment to confirm" (each part only when there is
    something to say). A next payment whose pay date has passed is not finalised yet: "due 15 October
    2019, not yet paid", rather than a date in the past read as the next one."""
    parts = []
    upcoming = summary.get("next_payment")
    if isinstance(upcoming, dict):
        amount, day = figures.money(upcoming["total"]), figures.long_date(upcoming["pay_date"])
        if date.fromisoformat(str(upcoming["pay_date"])) < (today or date.today()):
            parts.append(f"Next payment {amount}, due {day}, not yet paid")
        else:
            parts.append(f"Next payment {amount} on {day}")
    unconfirmed = int(summary.get("unconfirmed") or 0)
    if unconfirmed > 0:
        parts.append(f"{unconfirmed} {'payment' if unconfirmed == 1 else 'payments'} to confirm")
    return "; ".join(parts) or None


async def payments_note(request: Request, user: SignedIn) -> str | None:
    try:
        summary = await asyncio.wait_for(
            service.client(request).call("GET", service.path("scheduled-payments/summary"), token=user.token),
            timeout=WAIT_SECONDS,
        )
        return note_text(summary)
    except (ServiceError, TimeoutError, ValueError, TypeError, AttributeError, KeyError) as exc:
        log.warning("home_card_count_unavailable", service=service.SERVICE, error=type(exc).__name__)
        return None
