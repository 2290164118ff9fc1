"""A limit on every request body at the gateway: GATEWAY_BODY_LIMIT_BYTES (1 MiB) by default, and
GATEWAY_UPLOAD_LIMIT_BYTES (50 MiB, plus 64 KiB for the form around the file) on the upload routes
below. Over it: 413 problem+json.

The limit is enforced while the body streams in, so it holds without a Content-Length (chunked) and
for the proxy, which streams bodies upstream: a declared length over the limit is refused before any
byte is read; otherwise the body is counted as it arrives and reading stops at the limit. The error is
an HTTPException so that FastAPI's body parsing re-raises it instead of calling it a malformed body.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response

# Routes that take files: each declares that it uses the upload limit instead of the default.
UPLOAD_ROUTES = (
    re.compile(r"/api/v1/actuals/imports(/.*)?"),
    re.compile(r"/[a-z0-9-]+/actuals/import"),  # the portal's upload form (gateway/web/actuals/imports.py)
    # A claim's item with its attachment (up to 10 MB, claims checks): the API and the portal's form.
    re.compile(r"/api/v1/claims/claims/[^/]+/items(/[^/]+)?"),
    re.compile(r"/[a-z0-9-]+/one-off-claims/[^/]+/items/(new|[^/]+/edit)"),
    # An action's files (up to 10 MB each, messaging checks; New Action's up to five with it): the APIs,
    # and the portal's New Action, post and Add file forms (over 1 MiB they got the generic "too large"
    # page, what was typed lost).
    re.compile(r"/(api|council)/v1/messaging/actions/([^/]+/attachments|with-attachments)"),
    re.compile(r"/[a-z0-9-]+/actions/(new|[^/]+/(post|attachments))"),
    # The council's bulk upserts: up to 10,000 clients, service levels or CPLIs in one call.
    re.compile(r"/council/v1/actuals/(clients|service-levels|cplis)"),
)


# A file of the upload limit comes in a multipart form a little larger (its boundaries, headers and other
# fields): the services limit the file itself and leave the same room (actuals.api.imports._read_file).
FORM_ROOM = 64 * 1024


def _uploads(path: str) -> bool:
    return any(route.fullmatch(path) for route in UPLOAD_ROUTES)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"the request body is larger than this route accepts ({limit} bytes)")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default: int, upload: int) -> None:
        self.app = app
        self.default = default
        self.upload = upload

    def limit_for(self, path: str) -> int:
        """The limit a route's message names: the upload limit (a file's) or the default."""
        return self.upload if _uploads(path) else self.default

    def bytes_allowed(self, path: str) -> int:
        """What the body may hold: an upload route's file limit has room for its form around it."""
        return self.upload + FORM_ROOM if _uploads(path) else self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        allowed = self.bytes_allowed(scope["path"])
        declared = _content_length(scope)
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > allowed:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:  # raised where no exception handler answered it
            if started:
                raise
            response = problem_response(Request(scope), 413, "Content Too Large", detail=exc.detail)
            await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
