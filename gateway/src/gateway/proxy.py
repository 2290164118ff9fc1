"""Reverse proxy of /api/v1/<service>/** and /council/v1/<service>/** to the owning service.

The caller's own credentials never pass through: the gateway resolves them to an internal token
(`authenticate`) and forwards only that. Request id and W3C trace context go along; hop-by-hop
headers do not. Upstream time-outs answer 504, an unreachable upstream 502, both as problem+json.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from gateway import proxy_paths
from gateway.auth import authenticate
from gateway.client_address import client_address
from gateway.config import SERVICES
from gateway.identity_client import IdentityError
from shared.logging import get_logger
from shared.problems import problem_response
from shared.telemetry import inject_headers

log = get_logger(__name__)
HOP_BY_HOP = {
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
# Never forwarded upstream: the caller's credentials (replaced by the internal token) and cookies.
STRIPPED_REQUEST = HOP_BY_HOP | {
    "authorization",
    "cookie",
    "x-api-key",
    "x-gateway-secret",
    "x-request-id",
    "traceparent",
    "tracestate",
}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

router = APIRouter(include_in_schema=False)


@router.api_route("/api/v1/{service}/{path:path}", methods=METHODS)
async def proxy_api(service: str, path: str, request: Request) -> Response:
    return await forward(request, service=service, root="api/v1")


@router.api_route("/council/v1/{service}/{path:path}", methods=METHODS)
async def proxy_council(service: str, path: str, request: Request) -> Response:
    return await forward(request, service=service, root="council/v1")


async def forward(request: Request, *, service: str, root: str) -> Response:
    upstream_path = proxy_paths.upstream_path(request, root=root, service=service)
    if service not in SERVICES:
        return problem_response(request, 404, "Not Found", detail=f"there is no service called {service!r}")
    client: httpx.AsyncClient = request.app.state.upstream_client
    base = request.app.state.upstreams[service]
    headers = {k: v for k, v in request.headers.items() if k.lower() not in STRIPPED_REQUEST}
    headers["x-request-id"] = request.state.request_id
    address = client_address(request)
    if address is not None:
        headers["x-forwarded-for"] = address  # replaces whatever the caller sent
    token = await authenticate(request)
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    inject_headers(headers)
    try:
        upstream = client.build_request(
            request.method,
            base + upstream_path + (f"?{request.url.query}" if request.url.query else ""),
            headers=headers,
            content=request.stream(),
        )
    except httpx.InvalidURL:  # e.g. a character httpx will not put in a query
        return problem_response(
            request, 400, "Bad Request", detail="the path or query has a character a URL may not carry"
        )
    lane = (
        request.app.state.identity.lane_for(request.method, unquote(upstream_path))
        if service == "identity"
        else contextlib.nullcontext()
    )
    try:
        async with lane:  # identity's hashing calls a few at a time (see identity_client)
            response = await client.send(upstream, stream=True)
    except IdentityError as exc:  # the lane stayed full for its whole wait
        return exc.response(request)
    except httpx.TimeoutException:
        log.warning("upstream_timeout", service=service, path=upstream_path)
        return problem_response(
            request, 504, "Gateway Timeout", detail=f"the {service} service did not answer in time"
        )
    except httpx.TransportError as exc:
        log.warning("upstream_unreachable", service=service, error=repr(exc))
        return problem_response(request, 502, "Bad Gateway", detail=f"the {service} service is unavailable")
    return StreamingResponse(
        _body(response),
        status_code=response.status_code,
        headers=_response_headers(response.headers),
        background=BackgroundTask(response.aclose),
    )


async def _body(response: httpx.Response) -> AsyncIterator[bytes]:
    async for chunk in response.aiter_raw():
        yield chunk


def _response_headers(headers: httpx.Headers) -> dict[str, Any]:
    return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"x-request-id"}}
