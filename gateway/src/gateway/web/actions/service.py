"""The pages' calls to the messaging service's provider API (/api/v1/messaging, docs/messaging.md), as
the logged-in person (their internal token), through the gateway's one client of the service.

A read the service refuses becomes the page's error (another provider's action is a 404); writes hand
the `ServiceError` back to the page, which shows it on its form. A file goes up as multipart/form-data
(relayed, never looked into here: the service checks its type from its content) and comes down streamed
through the claims pages' relay, which names the service it speaks to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.claims.service import CHUNK, FILE_TIMEOUT, RELAYED, _headers, _json
from gateway.web.service_pages import ServicePages
from gateway.web.service_pages import problem_text as problem_text  # the pages call it service.problem_text
from gateway.web.session import SignedIn
from shared.logging import get_logger

log = get_logger(__name__)
SERVICE = "messaging"
PREFIX = "/api/v1/messaging"
CALLS = ServicePages(SERVICE, PREFIX)
client, path, read, write, page_problem = (
    CALLS.client,
    CALLS.path,
    CALLS.read,
    CALLS.write,
    CALLS.page_problem,
)
__all__ = ["CHUNK", "RELAYED", "attach", "page_problem", "problem_text", "read", "stream", "write"]


async def attach(request: Request, user: SignedIn, action_id: str, upload: UploadFile) -> dict[str, Any]:
    """POST one file to an action as multipart/form-data ("attachment"), relayed as the browser sent it:
    the thread, or `ServiceError` with the service's refusal."""
    form = aiohttp.FormData(default_to_multipart=True)
    await upload.seek(0)
    form.add_field(
        "attachment",
        upload.file,
        filename=upload.filename or "attachment",
        content_type=upload.content_type or "application/octet-stream",
    )
    route = f"actions/{action_id}/attachments"
    try:
        async with client(request).session.post(
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
    """GET a file of a thread and relay it as it arrives, with the service's type, disposition and
    length; a refusal is the page's error."""
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
        finally:
            answer.release()

    headers = {name: answer.headers[name] for name in RELAYED if name in answer.headers}
    if "content-encoding" in answer.headers:
        headers.pop("content-length", None)
    media_type = headers.pop("content-type", "application/octet-stream")
    return StreamingResponse(
        chunks(), media_type=media_type, headers=headers, background=BackgroundTask(answer.release)
    )
