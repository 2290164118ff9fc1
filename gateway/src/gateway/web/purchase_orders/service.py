"""The pages' calls to the payments service's provider API (/api/v1/payments, docs/purchase-orders.md),
as the logged-in person, through the gateway's one client of the service. A read the service refuses is
the page's error (another provider's order or remittance: 404 "Page not found"); the remittance's CSV is
relayed as bytes, never parsed here."""

from __future__ import annotations

import aiohttp
from fastapi import Request

from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.service_pages import ServicePages
from gateway.web.session import SignedIn, address
from shared.http import current_request_id
from shared.logging import get_logger

log = get_logger(__name__)
SERVICE = "payments"
CALLS = ServicePages(SERVICE, "/api/v1/payments")
client, path, read, page_problem = CALLS.client, CALLS.path, CALLS.read, CALLS.page_problem
FILE_TIMEOUT = 30.0
RELAYED = ("content-type", "content-disposition")


async def download(request: Request, user: SignedIn, route: str) -> tuple[bytes, dict[str, str]]:
    """GET a file: its bytes and the headers that describe it; a refusal is the page's error."""
    headers = {"authorization": f"Bearer {user.token}"}
    if request_id := current_request_id():
        headers["x-request-id"] = request_id
    if (forwarded := address(request)) is not None:
        headers["x-forwarded-for"] = forwarded
    try:
        async with client(request).session.get(
            client(request).base_url + path(route),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT),
        ) as answer:
            content, status = await answer.read(), answer.status
            kept = {k.lower(): v for k, v in answer.headers.items() if k.lower() in RELAYED}
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=SERVICE, path=route, error=type(exc).__name__)
        raise ServiceUnavailable(SERVICE) from exc
    if status >= 400:
        raise page_problem(ServiceError(status, {"title": "There is a problem"}, service=SERVICE))
    return content, kept
