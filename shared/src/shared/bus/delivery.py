"""What a consumer receives: subscriptions, the validation of each message, and a valid delivery.

A message that is not a valid envelope, has no subscription, or whose payload fails its model is a
`PoisonMessage`: retrying cannot fix it, so the consumer dead-letters it at once with the reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from pydantic import ValidationError

from shared.events import Envelope, EventPayload
from shared.telemetry import extract_context, spans_exported, tracer

Handler = Callable[[asyncpg.Connection, Envelope, Any], Awaitable[None]]
ManyHandler = Callable[[asyncpg.Connection, Sequence[tuple[Envelope, Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One event type a service listens to, and the function that applies it in a transaction.

    `handle_many`, when given, applies several events of the type at once (in their order, with the
    same effect as `handler` on each): a consumer uses it for a run of them in one batch, to save a
    database round trip per event. `max_attempts`, when given, is how many times a failing event of
    the type is tried before it is dead-lettered, instead of the consumer's default."""

    payload_type: type[EventPayload]
    handler: Handler
    handle_many: ManyHandler | None = None
    max_attempts: int | None = None


@dataclass(frozen=True)
class Delivery:
    """A message that passed validation, waiting to be applied; its span ends once it is settled."""

    message: AbstractIncomingMessage
    envelope: Envelope
    subscription: Subscription
    payload: EventPayload
    span: Span

    def log_ids(self) -> dict[str, str | None]:
        """The ids `context()` binds, and the span's trace ids, for one log line."""
        ids: dict[str, str | None] = {
            "message_id": self.message.message_id,
            "event_id": str(self.envelope.event_id),
            "correlation_id": self.envelope.correlation_id,
        }
        span = self.span.get_span_context()
        if span.is_valid:
            ids["trace_id"] = format(span.trace_id, "032x")
            ids["span_id"] = format(span.span_id, "016x")
        return ids

    @contextlib.contextmanager
    def context(self) -> Iterator[None]:
        """The message's span and ids, for the logs and spans of whatever is done for it."""
        with (
            trace.use_span(self.span, end_on_exit=False),
            structlog.contextvars.bound_contextvars(
                message_id=self.message.message_id,
                event_id=str(self.envelope.event_id),
                correlation_id=self.envelope.correlation_id,
            ),
        ):
            yield


class PoisonMessage(Exception):
    """The message can never be processed as it is (bad envelope, bad payload, unknown type)."""


def parse(
    message: AbstractIncomingMessage, by_routing_key: Mapping[str, Subscription]
) -> tuple[Envelope, Subscription, EventPayload]:
    """The message's envelope, its subscription and its validated payload, or PoisonMessage saying why not."""
    try:
        envelope = Envelope.model_validate_json(message.body)
    except ValidationError as exc:
        raise PoisonMessage(f"invalid envelope: {_errors(exc)}") from exc
    subscription = by_routing_key.get(envelope.routing_key)
    if subscription is None:
        raise PoisonMessage(f"no handler for {envelope.routing_key}")
    try:
        payload = subscription.payload_type.model_validate(envelope.payload)
    except ValidationError as exc:
        raise PoisonMessage(f"invalid payload of {envelope.routing_key}: {_errors(exc)}") from exc
    return envelope, subscription, payload


def span_for(message: AbstractIncomingMessage, *, queue: str) -> Span:
    """The span a message is processed under: a child of the producer's, or, when no span of this
    process is exported, the producer's own context (a span of ours would record nothing)."""
    parent = extract_context(message.headers)
    if not spans_exported():
        return trace.get_current_span(parent)
    return tracer().start_span(
        f"{message.routing_key} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.destination.name": queue,
            "messaging.message.id": message.message_id or "",
        },
    )


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
    )
