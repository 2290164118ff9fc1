"""Reverse proxy of /api/v1/<service>/** and /council/v1/<service>/** to the owning service.

The caller's own credentials never pass through: the gateway resolves them to an internal token
(`authenticate`) and forwards only that. Request id and W3C trace context go along; hop-by-hop
headers do not. A service that cannot be reached answers 503 naming it, one that does not answer in
time 504, both as problem+json: the other services' calls are not affected.

The hot path of every API call, kept cheap (bench/gateway_read.py): one pool of connections per
service (gateway/service_client.py); a small body is read whole and sent with its length, a larger
one streamed; the answer is passed on as the service gave it, never parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import unquote

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import proxy_paths
from gateway.auth import authenticate
from gateway.client_address import client_address
from gateway.service_client import ServiceClient
from gateway.service_problems import ServiceError, unavailable
from shared.logging import get_logger
from shared.problems import problem_response
from shared.telemetry import inject_headers

log = get_logger(__name__)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
# Never forwarded upstream: the caller's credentials (replaced by the internal token) and cookies.
STRIPPED_REQUEST = HOP_BY_HOP | {
    "authorization",
    "cookie",
    "x-api-key",
    "x-gateway-secret",
    "x-request-id",
    "x-forwarded-for",
    "traceparent",
    "tracestate",
}
STRIPPED_RESPONSE = frozenset(name.encode() for name in HOP_BY_HOP | {"x-request-id"})
WHOLE_BODY = 256 * 1024  # bodies up to this size are read whole (one write, a Content-Length)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]

ROOTS = ("api/v1", "council/v1")

router = APIRouter(include_in_schema=False)


# What ProxyDispatch does not take (a service the gateway does not know: 404) comes here.
@router.api_route("/api/v1/{service}/{path:path}", methods=METHODS)
async def proxy_api(service: str, path: str, request: Request) -> Response:
    return await forward(request, service=service, root="api/v1")


@router.api_route("/council/v1/{service}/{path:path}", methods=METHODS)
async def proxy_council(service: str, path: str, request: Request) -> Response:
    return await forward(request, service=service, root="council/v1")


ROUTES = {f"{root}/": route for root, route in zip(ROOTS, router.routes, strict=True)}


class ProxyDispatch:
    """The innermost middleware: a call to a known service goes straight to `forward`, past FastAPI's
    routing, dependency and endpoint machinery, which the proxy does not use (it parses nothing) and
    which cost more than the forwarding itself. Every middleware outside it still applies: request id,
    logs and metrics (under the proxy route's name), trace context, security headers, body limit.
    A problem raised on the way (credentials refused, a path refused, a body too large) is answered
    by the app's own handler for it, as the router would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = _service_call(scope)
        if target is None:
            await self.app(scope, receive, send)
            return
        root, service = target
        scope["route"] = ROUTES[root + "/"]
        request = Request(scope, receive)
        try:
            response = await forward(request, service=service, root=root)
        except Exception as exc:
            handler = _handler_for(request, exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)


def _service_call(scope: Scope) -> tuple[str, str] | None:
    """(root, service) of a proxied call to a service the gateway knows, else None."""
    if scope["type"] != "http" or scope["method"] not in METHODS:
        return None
    parts = scope["path"].split("/", 4)  # "", "api", "v1", service, the rest
    if len(parts) < 5 or parts[2] != "v1" or parts[1] not in ("api", "council"):
        return None
    services: dict[str, ServiceClient] = scope["app"].state.services
    return (f"{parts[1]}/v1", parts[3]) if parts[3] in services else None


def _handler_for(request: Request, exc: Exception) -> ExceptionHandler | None:
    handlers: dict[Any, ExceptionHandler] = request.app.exception_handlers
    for cls in type(exc).__mro__:
        if cls in handlers and cls is not Exception:  # an unhandled error is the server's (500)
            return handlers[cls]
    return None


async def forward(request: Request, *, service: str, root: str) -> Response:
    upstream_path = proxy_paths.upstream_path(request, root=root, service=service)
    client: ServiceClient | None = request.app.state.services.get(service)
    if client is None:
        return problem_response(request, 404, "Not Found", detail=f"there is no service called {service!r}")
    query = request.scope["query_string"].decode("latin-1")
    if any(not 0x20 < ord(char) < 0x7F for char in query):
        return problem_response(
            request, 400, "Bad Request", detail="the path or query has a character a URL may not carry"
        )
    headers = _upstream_headers(request)
    token = await authenticate(request)
    if token is not None:
        headers.append(("authorization", f"Bearer {token}"))
    body = await _body(request)
    try:
        # A call the service declared expensive (a password hashed) waits for its place in the lane.
        async with client.lane_for(request.method, unquote(upstream_path)):
            answer = await client.send(
                request.method,
                upstream_path + (f"?{query}" if query else ""),
                headers,
                body.chunks() if isinstance(body, _StreamedBody) else body,
            )
    except ServiceError as exc:  # the lane stayed full for its whole wait
        return exc.response(request)
    except aiohttp.SocketTimeoutError:
        log.warning("upstream_timeout", service=service, path=upstream_path)
        return problem_response(
            request, 504, "Gateway Timeout", detail=f"the {service} service did not answer in time"
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        if isinstance(body, _StreamedBody) and body.error is not None:
            raise body.error from exc  # e.g. the body went over its limit while it streamed (413)
        log.warning("upstream_unreachable", service=service, error=repr(exc))
        return unavailable(service).response(request)
    return await Relayed.of(answer)


def _upstream_headers(request: Request) -> list[tuple[str, str]]:
    """The caller's headers less credentials and hop-by-hop ones, with the gateway's request id and the
    client's address (replacing whatever the caller sent)."""
    raw: list[tuple[bytes, bytes]] = request.scope["headers"]
    headers = [
        (name, value.decode("latin-1"))
        for key, value in raw
        if (name := key.decode("latin-1")) not in STRIPPED_REQUEST
    ]
    headers.append(("x-request-id", request.state.request_id))
    address = client_address(request)
    if address is not None:
        headers.append(("x-forwarded-for", address))
    headers.extend(inject_headers({}).items())  # this request's span, child of the caller's
    return headers


class _StreamedBody:
    """A large or unsized body, streamed upstream as it arrives; remembers why it stopped early (e.g.
    over the limit: gateway/body_limit.py), so that the caller's error is answered, not a 503."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.error: Exception | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.request.stream():
                if chunk:
                    yield chunk
        except Exception as exc:
            self.error = exc
            raise


async def _body(request: Request) -> bytes | _StreamedBody | None:
    length = request.headers.get("content-length")
    if length is None and "transfer-encoding" not in request.headers:
        return None  # a GET, a DELETE: nothing to send
    if length is not None and length.isdigit() and int(length) <= WHOLE_BODY:
        return await request.body()  # over its limit: 413 (gateway/body_limit.py)
    return _StreamedBody(request)


class Relayed(Response):
    """The service's answer as it came: status, headers (less hop-by-hop ones), body bytes unparsed.
    Small bodies go in one write with their length; others are streamed as they arrive."""

    def __init__(self, answer: aiohttp.ClientResponse, body: bytes | None) -> None:
        self.answer = answer
        self.status_code = answer.status
        self.whole = body
        self.background = None
        self.raw_headers = [
            (name.lower(), value)
            for name, value in answer.raw_headers
            if name.lower() not in STRIPPED_RESPONSE
        ]
        if body is not None:
            self.raw_headers.append((b"content-length", str(len(body)).encode()))

    @classmethod
    async def of(cls, answer: aiohttp.ClientResponse) -> Relayed:
        length = answer.content_length
        if length is not None and length <= WHOLE_BODY:
            try:
                return cls(answer, await answer.read())
            finally:
                answer.release()
        return cls(answer, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if self.whole is not None:
            await send({"type": "http.response.body", "body": self.whole})
            return
        try:
            async for chunk in self.answer.content.iter_any():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            self.answer.release()
