"""Files between the browser and a service, relayed by the pages and never looked into here (the service
checks a file's type from its content): up as multipart/form-data with the form's fields in the same
request, down streamed as it arrives (never held whole in the gateway) with the service's content type,
disposition and length. Claims' items and messaging's action threads use it through their `service.py`.

The calls go as the logged-in person (their internal token), with the request id and the browser's
address, through the service's one client of the gateway (its pool); a file may take longer than an
ordinary call (FILE_TIMEOUT).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import aiohttp
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from gateway.service_problems import ServiceError, ServiceUnavailable
from gateway.web.service_pages import ServicePages
from gateway.web.session import SignedIn, address
from shared.http import current_request_id
from shared.logging import get_logger

log = get_logger(__name__)
FILE_TIMEOUT = 60.0  # seconds for a form with its file (up to 10 MB), or a download
CHUNK = 64 * 1024
RELAYED = ("content-type", "content-disposition", "content-length")


async def send_form(
    calls: ServicePages,
    request: Request,
    user: SignedIn,
    method: str,
    route: str,
    fields: Mapping[str, str],
    attachment: UploadFile | Sequence[UploadFile] | None,
) -> dict[str, Any]:
    """POST or PUT `fields` (the empty ones left out, so that the service applies its defaults) and the
    chosen file or files, each as an "attachment" part, relayed as the browser sent them. The service's
    answer, or `ServiceError` with its refusal (a service that cannot be reached: `ServiceUnavailable`)."""
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields.items():
        if value != "":
            form.add_field(name, value)
    chosen = [attachment] if isinstance(attachment, UploadFile) else list(attachment or ())
    for upload in chosen:
        await upload.seek(0)
        form.add_field(
            "attachment",
            upload.file,
            filename=upload.filename or "attachment",
            content_type=upload.content_type or "application/octet-stream",
        )
    client = calls.client(request)
    try:
        async with client.session.request(
            method,
            client.base_url + calls.path(route),
            data=form,
            headers=headers_for(user, request, accept="application/json"),
            timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT),
        ) as answer:
            status, raw = answer.status, await answer.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=calls.service, path=route, error=type(exc).__name__)
        raise ServiceUnavailable(calls.service) from exc
    return answer_of(calls, status, raw)


def answer_of(calls: ServicePages, status: int, raw: bytes) -> dict[str, Any]:
    """A write's answer: its JSON body, or the refusal raised (`ServiceError` for the form, a service
    error `ServiceUnavailable`)."""
    body = json_body(raw)
    if status >= 500:
        raise ServiceUnavailable(calls.service)
    if status >= 400:
        raise ServiceError(status, body, service=calls.service)
    return body


async def stream(calls: ServicePages, request: Request, user: SignedIn, route: str) -> StreamingResponse:
    """GET a file and relay it as it arrives, with the service's content type, disposition and length;
    a refusal is the page's error."""
    client = calls.client(request)
    try:
        answer = await client.session.get(
            client.base_url + calls.path(route),
            headers=headers_for(user, request, accept="application/json"),
            timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT),
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("service_unreachable", service=calls.service, path=route, error=type(exc).__name__)
        raise ServiceUnavailable(calls.service) from exc
    if answer.status >= 400:
        try:
            raw = await answer.read()
        finally:
            answer.release()
        raise calls.page_problem(ServiceError(answer.status, json_body(raw), service=calls.service))

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


def headers_for(user: SignedIn, request: Request, **more: str) -> dict[str, str]:
    """The person's token, the request id and the browser's address, and `more` (a file's own headers)."""
    headers = {"authorization": f"Bearer {user.token}", **more}
    if request_id := current_request_id():
        headers["x-request-id"] = request_id
    if (forwarded := address(request)) is not None:
        headers["x-forwarded-for"] = forwarded
    return headers


def json_body(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {"title": "Bad Gateway"}
    return data if isinstance(data, dict) else {}
