"""The app factory every service and the gateway use: /healthz, /readyz, request ids, problem+json
errors, tracing, and the `Principal` dependency that verifies the internal token. /metrics is served by
the internal listener (`shared.internal`), on a port of its own, never on the public app."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import Principal, TokenVerifier, bearer_token
from shared.bulk import refuse_half_pairs_in_items
from shared.internal import Refresh, internal_listener, metrics_router
from shared.logging import get_logger
from shared.problems import Problem, install_problem_handlers
from shared.surrogates import may_hold_half_pairs, refuse_half_pairs
from shared.telemetry import TraceContextMiddleware, spans_exported
from shared.uow import Actor, Caller

log = get_logger(__name__)
REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
ReadinessCheck = Callable[[], Awaitable[bool]]
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
NO_NATIVE_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def current_request_id() -> str | None:
    """The id of the request being handled, for a call this process makes to another service on its
    behalf (send it as x-request-id: one id end to end)."""
    return _request_id.get()


class RequestContextMiddleware:
    """Give every request an id (kept from a trusted caller if well-formed), bind it to the logs,
    echo it in the response, time the request and count it."""

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry, service: str) -> None:
        self.app = app
        self.requests = Counter(
            "http_requests_total", "HTTP requests", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds", "HTTP request latency", ["method", "route"], registry=registry
        )
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", []).append((REQUEST_ID_HEADER.encode(), request_id.encode()))
            await send(message)

        started = time.perf_counter()
        bound = _request_id.set(request_id)
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                _request_id.reset(bound)
                elapsed = time.perf_counter() - started
                route = scope.get("route")
                route_path = getattr(route, "path", "unmatched")
                self.requests.labels(scope["method"], route_path, str(status_holder["status"])).inc()
                self.latency.labels(scope["method"], route_path).observe(elapsed)
                if route_path not in PROBES:
                    log.info(
                        "request_finished",
                        method=scope["method"],
                        path=scope["path"],
                        status=status_holder["status"],
                        duration_ms=round(elapsed * 1000, 2),
                    )


def _header(scope: Scope, name: str) -> str | None:
    raw = name.encode()
    for key, value in scope.get("headers", []):
        if key.lower() == raw:
            return str(value.decode("latin-1"))
    return None


def create_app(
    *,
    service: str,
    title: str,
    routers: Sequence[APIRouter] = (),
    readiness: dict[str, ReadinessCheck] | None = None,
    lifespan: Any = None,
    docs: bool = True,
    internal: tuple[str, int] | None = None,
) -> FastAPI:
    """The public app; with `internal` (host, port), its /metrics served on that port while it runs."""
    registry = CollectorRegistry()
    if internal is not None:
        lifespan = _with_internal_listener(lifespan, internal_app(registry), internal)
    app = FastAPI(
        title=title,
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry (spans per request, per dependency, per serialisation) is off: the
        # trace context comes from the instrumentation below, once. With our provider always set it
        # would otherwise make those spans on every request, recorded or not (bench/gateway_read.py).
        telemetry=NO_NATIVE_TELEMETRY,
        openapi_url="/openapi.json" if docs else None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_json_with_half_pairs)],
    )
    app.state.metrics_registry = registry
    app.state.readiness = dict(readiness or {})
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, registry=registry, service=service)
    app.include_router(_probes_router())
    for router in routers:
        app.include_router(router)
    if spans_exported():
        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    else:  # the ids without the cost of the instrumentation (shared.telemetry)
        app.add_middleware(TraceContextMiddleware, excluded=PROBES)
    return app


async def refuse_json_with_half_pairs(request: Request) -> None:
    """Half a UTF-16 surrogate pair in a JSON body: 422 at its field before any route's own dependency or
    handler (shared.surrogates). An array is a bulk call's items, each fault at its item (shared.bulk, which
    also checks NDJSON and a bulk body sent without a JSON type)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not (media == "application/json" or (media.startswith("application/") and media.endswith("+json"))):
        return
    if not may_hold_half_pairs(await request.body()):
        return
    try:
        body = await request.json()  # FastAPI has parsed a route's body already: the same parse, kept
    except (ValueError, RecursionError):
        return  # not JSON: FastAPI, or the route reading it, says so
    if isinstance(body, list):
        refuse_half_pairs_in_items(body)
    else:
        refuse_half_pairs(body)


def internal_app(
    registry: CollectorRegistry,
    *,
    readiness: dict[str, ReadinessCheck] | None = None,
    refresh: Refresh | None = None,
) -> FastAPI:
    """What the internal listener serves: /metrics, and with `readiness` (a worker) the probes too."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, telemetry=NO_NATIVE_TELEMETRY)
    app.include_router(metrics_router(registry, refresh=refresh))
    if readiness is not None:
        app.state.readiness = dict(readiness)
        app.include_router(_probes_router())
    return app


def _with_internal_listener(lifespan: Any, internal: FastAPI, listen: tuple[str, int]) -> Any:
    @asynccontextmanager
    async def with_listener(app: FastAPI) -> AsyncIterator[None]:
        async with internal_listener(internal, host=listen[0], port=listen[1]) as port:
            app.state.internal_port = port
            if lifespan is None:
                yield
                return
            async with lifespan(app):
                yield

    return with_listener


def _probes_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, ReadinessCheck] = request.app.state.readiness
        results = {name: await _safe(check) for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)

    return router


async def _safe(check: ReadinessCheck) -> bool:
    try:
        return await check()
    except Exception:
        return False


async def current_principal(request: Request) -> Principal:
    """Verify the internal token forwarded by the gateway; 401 problem+json when missing or invalid."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Problem(503, "Service Unavailable", detail="token verification is not configured")
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Problem(
            401, "Unauthorized", detail="a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    principal = await verifier.verify(token)
    structlog.contextvars.bind_contextvars(
        principal=principal.subject, authority_id=str(principal.authority_id)
    )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def client_address(request: Request) -> str | None:
    """The caller's address as the gateway saw it. Services are reachable only from the gateway
    (NetworkPolicies), which replaces any X-Forwarded-For it receives with the socket's peer."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()[:64] or None
    return request.client.host if request.client else None


async def current_caller(request: Request, principal: CurrentPrincipal) -> Caller:
    """The verified principal with who and where they are: what every handler takes."""
    actor = Actor.of(
        principal, address=client_address(request), request_id=getattr(request.state, "request_id", None)
    )
    return Caller(principal=principal, actor=actor)


CurrentCaller = Annotated[Caller, Depends(current_caller)]
