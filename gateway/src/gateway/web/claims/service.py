"""The pages' calls to the claims service's provider API (/api/v1/claims, docs/claims.md and the
contract of issue 12), as the logged-in person (their internal token), through the gateway's one client
of the service (gateway/service_client.py).

A read the service refuses becomes the page's error (404 "Page not found": another provider's claim is a
404; 403 the service's words; a service that cannot be reached the "temporarily unavailable" page).
Writes hand the `ServiceError` back to the page, which shows it on its form. An item goes up with its
attachment in the same request, and an attachment comes down streamed (gateway/web/file_relay.py).
"""

from __future__ import annotations

from functools import partial

from fastapi import Request
from fastapi.responses import StreamingResponse

from gateway.web import file_relay
from gateway.web.service_pages import ServicePages
from gateway.web.service_pages import problem_text as problem_text  # the pages call it service.problem_text
from gateway.web.session import SignedIn

SERVICE = "claims"
PREFIX = "/api/v1/claims"
CALLS = ServicePages(SERVICE, PREFIX)
# The calls every area makes the same way (gateway/web/service_pages.py), by their usual names here.
client, path, read, write, page_problem = (
    CALLS.client,
    CALLS.path,
    CALLS.read,
    CALLS.write,
    CALLS.page_problem,
)


# POST or PUT an item with its chosen file: the claim, or `ServiceError` with the service's refusal.
send_item = partial(file_relay.send_form, CALLS)


async def stream(request: Request, user: SignedIn, route: str) -> StreamingResponse:
    """An item's attachment, relayed as it arrives; a refusal is the page's error."""
    return await file_relay.stream(CALLS, request, user, route)
