"""OpenTelemetry tracing. A real TracerProvider is always installed so trace ids exist for logs and for
W3C trace context in HTTP and AMQP headers; spans are exported only when an OTLP endpoint is set."""

from __future__ import annotations

import functools
from collections.abc import Mapping, MutableMapping
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured = False


def configure_telemetry(*, service: str, otlp_endpoint: object | None) -> None:
    global _configured
    if _configured:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=str(otlp_endpoint))))
    trace.set_tracer_provider(provider)
    if otlp_endpoint:
        _instrument_asyncpg()
    _configured = True


def _instrument_asyncpg() -> None:
    """A span per SQL statement, only when spans leave the process: unexported, they are pure cost
    (bench/backbone measured ~0.8 ms of CPU per consumed event, most of the consumer's own time)."""
    try:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
    except Exception:  # noqa: S110 - tracing of SQL is a nicety, never a reason not to start
        pass


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
