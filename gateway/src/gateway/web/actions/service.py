"""The pages' calls to the messaging service's provider API (/api/v1/messaging, docs/messaging.md), as
the logged-in person (their internal token), through the gateway's one client of the service.

A read the service refuses becomes the page's error (another provider's action is a 404); writes hand
the `ServiceError` back to the page, which shows it on its form. A file goes up as multipart/form-data
and comes down streamed (gateway/web/file_relay.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from gateway.web import file_relay
from gateway.web.service_pages import ServicePages
from gateway.web.service_pages import problem_text as problem_text  # the pages call it service.problem_text
from gateway.web.session import SignedIn

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
__all__ = ["attach", "open_with_files", "page_problem", "problem_text", "read", "stream", "write"]


async def attach(request: Request, user: SignedIn, action_id: str, upload: UploadFile) -> dict[str, Any]:
    """POST one file to an action ("attachment"): the thread, or `ServiceError` with the service's
    refusal."""
    return await file_relay.send_form(
        CALLS, request, user, "POST", f"actions/{action_id}/attachments", {}, upload
    )


async def open_with_files(
    request: Request, user: SignedIn, fields: dict[str, str], uploads: list[UploadFile]
) -> dict[str, Any]:
    """New Action with its files in one call, all or nothing: the thread, or `ServiceError` listing
    every fault (a refused file by its name), nothing made."""
    return await file_relay.send_form(
        CALLS, request, user, "POST", "actions/with-attachments", fields, uploads
    )


async def stream(request: Request, user: SignedIn, route: str) -> StreamingResponse:
    """A file of a thread, relayed as it arrives; a refusal is the page's error."""
    return await file_relay.stream(CALLS, request, user, route)
