"""The Actions and Change Requests card of the home page: the real count of open actions and their
status light in words (messaging's /summary: the worst light of the provider's actions). The home page
never waits long for it nor fails because of it: when messaging is slow or down, the card is shown
without its note."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request

from gateway.service_problems import ServiceError
from gateway.web.actions import service
from gateway.web.session import SignedIn
from shared.logging import get_logger

log = get_logger(__name__)
WAIT_SECONDS = 1.5


def note_text(summary: dict[str, Any]) -> str:
    """The seed's "No open Actions", else e.g. "2 open Actions, 1 overdue (status: overdue)"."""
    count, overdue = int(summary.get("open") or 0), int(summary.get("overdue") or 0)
    if count <= 0:
        return "No open Actions"
    text = f"{count} open {'Action' if count == 1 else 'Actions'}"
    if overdue > 0:
        return f"{text}, {overdue} overdue (status: overdue)"
    return f"{text} (status: open)"


async def actions_note(request: Request, user: SignedIn) -> str | None:
    try:
        summary = await asyncio.wait_for(
            service.client(request).call("GET", service.path("summary"), token=user.token),
            timeout=WAIT_SECONDS,
        )
        return note_text(summary)
    except (ServiceError, TimeoutError, ValueError, TypeError, AttributeError, KeyError) as exc:
        log.warning("home_card_count_unavailable", service=service.SERVICE, error=type(exc).__name__)
        return None
