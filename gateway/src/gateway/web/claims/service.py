"""The pages' calls to the claims service's provider API (/api/v1/claims, docs/claims.md and the
contract of issue 12), as the logged-in person (their internal token), through the gateway's one client
of the service (gateway/service_client.py).

A read the service refuses becomes the page's error (404 "Page not found": another provider's claim is a
404; 403 the service's words; a service that cannot be reached the "temporarily unavailable" page).
Writes hand the `ServiceError` back to the page, which shows it on its form. An item goes up as
multipart/form-data with its attachment in the same request (the file is relayed, never looked into
here: the service checks its type from its content); an attachment comes down streamed, with the
service's content type and disposition.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.service_pages import ServicePages
from gateway.web.service_pages import problem_text as problem_text  # the pages call it service.problem_text
from gateway.web.session import SignedIn, address
from shared.http import current_request_id
from shared.logging import get_logger

log = get_logger(__name__)
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
FILE_TIMEOUT = 60.0  # seconds for an item with its attachment (up to 10 MB), or a download
CHUNK = 64 * 1024
RELAYED = ("content-type", "content-disposition", "content-length")


def _headers(user: SignedIn, request: Request) -> dict[str, str]:
    headers = {"authorization": f"Bearer {user.token}", "accept": "application/json"}
    if request_id := current_request_id():
        headers["x-request-id"] = request_id
    if (forwarded := address(request)) is not None:
        headers["x-forwarded-for"] = forwarded
    return headers


async def send_item(
    request: Request,
    user: SignedIn,
    method: str,
    route: str,
    fields: Mapping[str, str],
    attachment: UploadFile | None,
) -> dict[str, Any]:
    """POST or PUT an item as multipart/form-data: `fields` (the empty ones left out, so that the
    service applies its defaults) and the chosen file, relayed as the browser sent it. The claim, or
    `ServiceError` with the service's refusal."""
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields.items():
        if value != "":
            form.add_field(name, value)
    if attachment is not None:
        await attachment.seek(0)
        form.add_field(
            "attachment",
            attachment.file,
            filename=attachment.filename or "attachment",
            content_type=attachment.content_type or "application/octet-stream",
        )
    try:
        async with client(request).session.request(
            method,
            client(request).base_url + path(route),
            data=form,
            headers=_headers(user, request),
            timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT),
        ) as answer:
            status, raw = answer.status, await answer.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=SERVICE, path=route, error=type(exc).__name__)
        raise ServiceUnavailable(SERVICE) from exc
    body = _json(raw)
    if status >= 500:
        raise ServiceUnavailable(SERVICE)
    if status >= 400:
        raise ServiceError(status, body, service=SERVICE)
    return body


async def stream(request: Request, user: SignedIn, route: str) -> StreamingResponse:
    """GET a file and relay it as it arrives (never held whole in the gateway), with the service's
    content type, disposition and length; a refusal is the page's error."""
    session = client(request).session
    try:
        answer = await session.get(
            client(request).base_url + path(route),
            headers=_headers(user, request),
            timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT),
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=SERVICE, path=route, error=type(exc).__name__)
        raise ServiceUnavailable(SERVICE) from exc
    if answer.status >= 400:
        try:
            raw = await answer.read()
        finally:
            answer.release()
        raise page_problem(ServiceError(answer.status, _json(raw), service=SERVICE))

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in answer.content.iter_chunked(CHUNK):
                yield chunk
        finally:  # also when the browser goes away mid-file
            answer.release()

    headers = {name: answer.headers[name] for name in RELAYED if name in answer.headers}
    if "content-encoding" in answer.headers:  # aiohttp decodes it: the length sent would be another
        headers.pop("content-length", None)
    media_type = headers.pop("content-type", "application/octet-stream")
    return StreamingResponse(
        chunks(), media_type=media_type, headers=headers, background=BackgroundTask(answer.release)
    )


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {"title": "Bad Gateway"}
    return data if isinstance(data, dict) else {}
