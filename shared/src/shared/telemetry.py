"""OpenTelemetry tracing. A real TracerProvider is always installed so trace ids exist for logs and for
W3C trace context in HTTP and AMQP headers; spans are recorded and exported only when an OTLP endpoint is
set. Without one, every span is a non-recording span that still carries its trace id and a fresh span id:
the ids reach the logs and the next process as before, at a fraction of the cost of recording a span
that nobody will read (bench/backbone measured a recorded span as the largest cost per event after the
broker and the database)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, MutableMapping
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Receive, Scope, Send

_configured = False
_exported = False


def configure_telemetry(*, service: str, otlp_endpoint: object | None) -> None:
    global _configured, _exported
    if _configured:
        return
    _exported = bool(otlp_endpoint)
    # ALWAYS_ON, not the default ParentBased: a process that exports records its spans whether or not
    # the caller (e.g. a gateway without an endpoint) recorded its own.
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), sampler=ALWAYS_ON if _exported else ALWAYS_OFF
    )
    if _exported:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=str(otlp_endpoint))))
    trace.set_tracer_provider(provider)
    if _exported:
        _instrument_asyncpg()  # after the provider is set, so its spans are this provider's
    # W3C trace context only: the default also reads and writes W3C baggage on every request and
    # message, which nothing here uses.
    propagate.set_global_textmap(TraceContextTextMapPropagator())
    _configured = True


def _instrument_asyncpg() -> None:
    """A span per SQL statement, only when spans leave the process: unexported, they are pure cost
    (bench/backbone measured ~0.8 ms of CPU per consumed event, most of the consumer's own time)."""
    try:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
    except Exception:  # noqa: S110 - tracing of SQL is a nicety, never a reason not to start
        pass


def spans_exported() -> bool:
    """Whether spans of this process are recorded and sent anywhere; a hot path whose only span would
    be a non-recording one may pass the trace context on as it came instead."""
    return _exported


@functools.cache
def tracer(name: str = "portal") -> trace.Tracer:
    """The named tracer, looked up once: the lookup cost as much as a span (bench/backbone). Taken
    before `configure_telemetry` it is a proxy that follows the provider set later."""
    return trace.get_tracer(name)


def inject_headers(headers: MutableMapping[str, Any] | None = None) -> MutableMapping[str, Any]:
    """W3C traceparent/tracestate of the current span, into a header mapping (HTTP or AMQP)."""
    carrier: MutableMapping[str, Any] = {} if headers is None else headers
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, Any] | None) -> context.Context:
    """The trace context in a header mapping; only the propagators' own headers are read."""
    headers = headers or {}
    carrier = {
        k: (v.decode() if isinstance(v, bytes) else str(v))
        for k in propagate.get_global_textmap().fields
        if (v := headers.get(k)) is not None
    }
    return propagate.extract(carrier)


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def flush_telemetry(timeout_millis: int = 5000) -> None:
    """Export the spans still batched. Called at every process's shutdown: uvicorn re-raises SIGTERM
    after its graceful shutdown, so atexit hooks (the SDK's own flush) never run."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(timeout_millis)


class TraceContextMiddleware:
    """The trace context of each HTTP request when spans are not exported: a non-recording span of this
    process, child of the caller's W3C context (or of a new trace), current while the request is
    handled, so that its ids reach the logs and every call made on the request's behalf. It is what the
    FastAPI instrumentation gives without an exporter, at a small part of its cost per request (it
    was about a sixth of the gateway's CPU per proxied call: bench/gateway_read.py); with an exporter
    the instrumentation is installed instead (shared.http.create_app)."""

    def __init__(self, app: ASGIApp, *, excluded: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.excluded = excluded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.excluded:
            await self.app(scope, receive, send)
            return
        carrier = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
            if key in (b"traceparent", b"tracestate")
        }
        parent = propagate.extract(carrier) if carrier else None
        span = tracer().start_span("http request", context=parent, kind=SpanKind.SERVER)
        token = context.attach(trace.set_span_in_context(span, parent))
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)
            span.end()
