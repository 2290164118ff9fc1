"""Without an OTLP endpoint spans are not recorded, yet trace ids exist and travel on."""

from __future__ import annotations

from opentelemetry import trace

from shared.telemetry import (
    TraceContextMiddleware,
    configure_telemetry,
    current_trace_id,
    extract_context,
    inject_headers,
    tracer,
)

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_a_root_span_is_not_recorded_but_has_ids_that_are_propagated():
    configure_telemetry(service="tests", otlp_endpoint=None)
    with tracer().start_as_current_span("root") as span:
        assert not span.is_recording()
        ids = span.get_span_context()
        assert ids.is_valid
        assert current_trace_id() == format(ids.trace_id, "032x")
        assert inject_headers()["traceparent"].split("-")[1:3] == [
            format(ids.trace_id, "032x"),
            format(ids.span_id, "016x"),
        ]


def test_a_span_under_an_incoming_trace_keeps_its_trace_id():
    configure_telemetry(service="tests", otlp_endpoint=None)
    with tracer().start_as_current_span("child", context=extract_context({"traceparent": PARENT})) as span:
        assert not span.is_recording()
        assert current_trace_id() == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert span.get_span_context().span_id != 0x00F067AA0BA902B7  # a span of its own
        assert inject_headers()["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert trace.get_current_span().get_span_context().is_valid is False


async def _trace_seen_by_app(path: str, headers: list[tuple[bytes, bytes]]) -> str | None:
    """The trace id current inside an app behind TraceContextMiddleware, for one request."""
    seen: list[str | None] = []

    async def app(scope, receive, send):
        seen.append(current_trace_id())

    middleware = TraceContextMiddleware(app, excluded=frozenset({"/healthz"}))
    await middleware({"type": "http", "path": path, "headers": headers}, None, None)
    return seen[0]


async def test_each_request_has_a_trace_of_its_callers_or_its_own_and_probes_none():
    configure_telemetry(service="tests", otlp_endpoint=None)
    continued = await _trace_seen_by_app("/api/v1/x", [(b"traceparent", PARENT.encode())])
    assert continued == "4bf92f3577b34da6a3ce929d0e0e4736"
    fresh = await _trace_seen_by_app("/api/v1/x", [])
    other = await _trace_seen_by_app("/api/v1/x", [(b"traceparent", b"not a trace")])
    assert fresh and other and len({fresh, other, continued}) == 3
    assert await _trace_seen_by_app("/healthz", [(b"traceparent", PARENT.encode())]) is None
    assert current_trace_id() is None, "nothing is left current after the request"
