"""The Actuals card of the home page: how many past weeks are still to confirm (actuals' /summary).
The home page never waits long for it nor fails because of it: when actuals is slow or down, the card
is shown without its count."""

from __future__ import annotations

import asyncio

from fastapi import Request

from gateway.service_problems import ServiceError
from gateway.web.actuals import service
from gateway.web.session import SignedIn
from shared.logging import get_logger

log = get_logger(__name__)
WAIT_SECONDS = 1.5


def note_text(unconfirmed: int) -> str | None:
    if unconfirmed <= 0:
        return None
    # Counted over the last 12 complete weeks (actuals.store.weeks_due): said, so that an older week left
    # unconfirmed is not taken for confirmed.
    return f"{unconfirmed} {'week' if unconfirmed == 1 else 'weeks'} of the last 12 to confirm"


async def unconfirmed_weeks_note(request: Request, user: SignedIn) -> str | None:
    try:
        summary = await asyncio.wait_for(
            service.client(request).call("GET", service.path("summary"), token=user.token),
            timeout=WAIT_SECONDS,
        )
        return note_text(int(summary.get("unconfirmed_weeks") or 0))
    except (ServiceError, TimeoutError, ValueError, TypeError, AttributeError) as exc:
        log.warning("home_card_count_unavailable", service=service.SERVICE, error=type(exc).__name__)
        return None
