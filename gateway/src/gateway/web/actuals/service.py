"""The pages' calls to the actuals service's provider API (/api/v1/actuals, the contract in
docs/actuals.md), as the logged-in person (their internal token), through the gateway's one client of
the service (gateway/service_client.py: its pool, time-outs, request id and the browser's address).

A read the service refuses becomes the page's error: 404 "Page not found" (another provider's id is a
404, never a 403), 403 the service's words, a service that cannot be reached the "temporarily
unavailable" page. Writes hand the `ServiceError` back to the page, which shows it on its form.
Files (CSV downloads and uploads) are relayed as bytes, never parsed here.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from fastapi import Request

from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.file_relay import FILE_TIMEOUT, answer_of, headers_for, json_body
from gateway.web.service_pages import ServicePages
from gateway.web.service_pages import problem_text as problem_text  # the pages call it service.problem_text
from gateway.web.session import SignedIn
from shared.logging import get_logger

log = get_logger(__name__)
SERVICE = "actuals"
PREFIX = "/api/v1/actuals"
CALLS = ServicePages(SERVICE, PREFIX)
# The calls every area makes the same way (gateway/web/service_pages.py), by their usual names here.
client, path, read, write, page_problem = (
    CALLS.client,
    CALLS.path,
    CALLS.read,
    CALLS.write,
    CALLS.page_problem,
)


async def download(
    request: Request, user: SignedIn, route: str, **query: Any
) -> tuple[bytes, dict[str, str]]:
    """GET a file (CSV): its bytes and the headers that describe it; a refusal is the page's error."""
    url = client(request).base_url + path(route, **query)
    try:
        async with client(request).session.get(
            url, headers=headers_for(user, request), timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT)
        ) as answer:
            content = await answer.read()
            kept = {
                k.lower(): v
                for k, v in answer.headers.items()
                if k.lower() in {"content-type", "content-disposition"}
            }
            status = answer.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=SERVICE, path=route, error=type(exc).__name__)
        raise ServiceUnavailable(SERVICE) from exc
    if status >= 400:
        raise page_problem(ServiceError(status, json_body(content), service=SERVICE))
    return content, kept


async def upload(request: Request, user: SignedIn, *, filename: str, content: bytes) -> dict[str, Any]:
    """POST /imports with the file as text/csv (the contract's second form, `X-File-Name`): the
    accepted import, or `ServiceError` with the service's refusal of the file."""
    headers = headers_for(
        user, request, **{"content-type": "text/csv", "x-file-name": _header_safe(filename)}
    )
    try:
        async with client(request).session.post(
            client(request).base_url + path("imports"),
            data=content,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT),
        ) as answer:
            status, raw = answer.status, await answer.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=SERVICE, path="imports", error=type(exc).__name__)
        raise ServiceUnavailable(SERVICE) from exc
    return answer_of(CALLS, status, raw)


def _header_safe(filename: str) -> str:
    """A file name as a header may carry it (printable ASCII; anything else becomes "_")."""
    return "".join(c if 0x20 <= ord(c) < 0x7F else "_" for c in filename)[:200] or "upload.csv"
