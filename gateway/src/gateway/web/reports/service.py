"""The pages' calls to the reports service's API (/api/v1/reports, docs/reports.md), as the logged-in
person, through the gateway's one client of the service. A run's file is relayed as bytes with the
service's type and disposition (a PDF opens in the browser, a CSV downloads); it is never parsed here."""

from __future__ import annotations

import aiohttp
from fastapi import Request

from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.service_pages import ServicePages
from gateway.web.session import SignedIn, address
from shared.http import current_request_id
from shared.logging import get_logger

log = get_logger(__name__)
SERVICE = "reports"
CALLS = ServicePages(SERVICE, "/api/v1/reports")
client, path, read, write, page_problem = (
    CALLS.client,
    CALLS.path,
    CALLS.read,
    CALLS.write,
    CALLS.page_problem,
)
FILE_TIMEOUT = 60.0
RELAYED = ("content-type", "content-disposition")


async def download(request: Request, user: SignedIn, route: str) -> tuple[bytes, dict[str, str]]:
    """GET a run's file: its bytes and the headers that describe it; a refusal is the page's error."""
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
            body = {"title": "There is a problem"}
            if status >= 400 and "json" in answer.headers.get("content-type", ""):
                body = await answer.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=SERVICE, path=route, error=type(exc).__name__)
        raise ServiceUnavailable(SERVICE) from exc
    if status >= 400:
        raise page_problem(ServiceError(status, body, service=SERVICE))
    return content, kept
