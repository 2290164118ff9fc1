"""Idempotent event consumers on quorum queues.

Deliveries (at most `prefetch` unacknowledged) wait in a buffer that `concurrency` workers drain. A worker
takes what is waiting, up to `batch_size` messages, and applies them in one transaction: one statement
records (consumer, event_id) in the inbox for all of them, then the handler of each event the inbox had
not seen runs, in delivery order. Ack only after commit. A duplicate finds its inbox row (or an earlier
copy in the same batch) and is acked without running the handler. When idle a batch is one message, so
batching adds no waiting; under load it shares one commit among many events.

A message that fails validation is dead-lettered at once with the reason in a header (retrying cannot
fix it). If a batch's transaction fails, nothing of it is kept and each of its messages is applied on its
own, in its own transaction: a failing handler is retried with back-off and dead-lettered once the
delivery limit is reached, while the others commit and the messages behind them keep flowing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from pydantic import ValidationError

from shared.bus.topology import DEAD_LETTER_REASON, ORIGINAL_ROUTING_KEY, declare_consumer_queue, queue_name
from shared.db import ident
from shared.events import Envelope, EventPayload
from shared.logging import get_logger
from shared.telemetry import extract_context, tracer

log = get_logger(__name__)

Handler = Callable[[asyncpg.Connection, Envelope, Any], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One event type a service listens to, and the function that applies it in a transaction."""

    payload_type: type[EventPayload]
    handler: Handler


class PoisonMessage(Exception):
    """The message can never be processed as it is (bad envelope, bad payload, unknown type)."""


@dataclass(frozen=True)
class Delivery:
    """A message that parsed, with what applying it needs."""

    message: AbstractIncomingMessage
    envelope: Envelope
    subscription: Subscription
    payload: EventPayload
    span: Span


def backoff_seconds(delivery: int) -> float:
    return float(min(0.1 * 2 ** (delivery - 1), 5.0))


class Consumer:
    def __init__(
        self,
        *,
        name: str,
        pool: asyncpg.Pool,
        schema: str,
        connection: AbstractRobustConnection,
        events_exchange: str,
        subscriptions: Sequence[Subscription],
        delivery_limit: int = 5,
        prefetch: int = 64,
        concurrency: int = 4,
        batch_size: int = 16,
        on_committed: Callable[[Envelope], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self.pool = pool
        self.connection = connection
        self.events_exchange = events_exchange
        self.by_routing_key = {s.payload_type.routing_key(): s for s in subscriptions}
        self.delivery_limit = delivery_limit
        self.prefetch = prefetch
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.on_committed = on_committed
        self._queue: AbstractQueue | None = None
        self._dlx: AbstractExchange | None = None
        self._tag: str | None = None
        self._buffer: asyncio.Queue[AbstractIncomingMessage | None] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._stragglers: set[asyncio.Task[None]] = set()  # messages applied alone, retries
        self._inbox_insert = (
            f"INSERT INTO {ident(schema)}.inbox (consumer, event_id, routing_key)"
            " SELECT $1, d.event_id, d.routing_key FROM unnest($2::uuid[], $3::text[]) AS d(event_id, routing_key)"
            " ON CONFLICT DO NOTHING RETURNING event_id"
        )

    @property
    def queue(self) -> str:
        return queue_name(self.name)

    async def start(self) -> None:
        channel = await self.connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self.prefetch)
        self._queue, self._dlx = await declare_consumer_queue(
            channel,
            events_exchange=self.events_exchange,
            consumer=self.name,
            routing_keys=sorted(self.by_routing_key),
            delivery_limit=self.delivery_limit,
        )
        self._workers = [
            asyncio.create_task(self._work(), name=f"{self.queue}-worker-{n}")
            for n in range(self.concurrency)
        ]
        self._tag = await self._queue.consume(self._on_message)
        log.info("consumer_started", queue=self.queue, routing_keys=sorted(self.by_routing_key))

    async def stop(self, *, grace_seconds: float = 10.0) -> None:
        """Stop taking messages, let the workers finish what they hold; whatever is left unacked is
        redelivered by the broker once the channel closes."""
        if self._queue is not None and self._tag is not None:
            try:
                await self._queue.cancel(self._tag)
            except Exception as exc:
                log.debug("consumer_cancel_failed", queue=self.queue, error=repr(exc))
        for _ in self._workers:
            self._buffer.put_nowait(None)
        if self._workers:
            await asyncio.wait(self._workers, timeout=grace_seconds)
        for task in [*self._workers, *self._stragglers]:
            task.cancel()
        await asyncio.gather(*self._workers, *self._stragglers, return_exceptions=True)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._buffer.put_nowait(message)

    async def _work(self) -> None:
        while (first := await self._buffer.get()) is not None:
            batch = [first]
            while len(batch) < self.batch_size and not self._buffer.empty():
                message = self._buffer.get_nowait()
                if message is None:  # stopping: leave the signal for this worker's next turn
                    self._buffer.put_nowait(None)
                    break
                batch.append(message)
            try:
                await self._handle(batch)
            except Exception as exc:  # never lose a worker; unacked messages come back from the broker
                log.error("consumer_batch_crashed", queue=self.queue, size=len(batch), error=repr(exc))

    async def _handle(self, messages: list[AbstractIncomingMessage]) -> None:
        deliveries = [d for d in [await self._parse(m) for m in messages] if d is not None]
        if not deliveries:
            return
        try:
            await self._apply(deliveries)
        except asyncio.CancelledError:
            _end_spans(deliveries)
            raise
        except Exception as exc:
            if len(deliveries) == 1:
                self._spawn(self._retry_or_dead_letter(deliveries[0], exc))
            else:
                log.warning("event_batch_failed", queue=self.queue, size=len(deliveries), error=repr(exc))
                for delivery in deliveries:
                    self._spawn(self._apply_alone(delivery))

    async def _apply_alone(self, delivery: Delivery) -> None:
        try:
            await self._apply([delivery])
        except asyncio.CancelledError:
            _end_spans([delivery])
            raise
        except Exception as exc:
            await self._retry_or_dead_letter(delivery, exc)

    async def _apply(self, deliveries: list[Delivery]) -> None:
        """Apply the deliveries in one transaction; after the commit, acknowledge them."""
        async with self.pool.acquire() as conn, conn.transaction():
            fresh = {
                row["event_id"]
                for row in await conn.fetch(
                    self._inbox_insert,
                    self.name,
                    [d.envelope.event_id for d in deliveries],
                    [d.envelope.routing_key for d in deliveries],
                )
            }
            applied = []
            for delivery in deliveries:
                first_copy = delivery.envelope.event_id in fresh
                fresh.discard(delivery.envelope.event_id)
                if first_copy:
                    with _current(delivery):
                        await delivery.subscription.handler(conn, delivery.envelope, delivery.payload)
                applied.append(first_copy)
        for delivery, first_copy in zip(deliveries, applied, strict=True):
            with _current(delivery):
                outcome = "event_applied" if first_copy else "event_duplicate_skipped"
                log.info(outcome, routing_key=delivery.envelope.routing_key)
                try:
                    if self.on_committed is not None:
                        await self.on_committed(delivery.envelope)
                    await delivery.message.ack()
                except Exception as exc:  # committed: a redelivery will find the inbox row
                    log.warning("event_ack_failed", error=repr(exc))
            delivery.span.end()

    async def _parse(self, message: AbstractIncomingMessage) -> Delivery | None:
        span = tracer().start_span(
            f"{message.routing_key} process",
            context=extract_context(message.headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": self.queue,
                "messaging.message.id": message.message_id or "",
            },
        )
        try:
            envelope, subscription, payload = self._validate(message)
        except PoisonMessage as exc:
            with (
                trace.use_span(span, end_on_exit=True),
                structlog.contextvars.bound_contextvars(message_id=message.message_id),
            ):
                await self._dead_letter(message, reason=str(exc))
            return None
        return Delivery(message, envelope, subscription, payload, span)

    def _validate(self, message: AbstractIncomingMessage) -> tuple[Envelope, Subscription, EventPayload]:
        try:
            envelope = Envelope.model_validate_json(message.body)
        except ValidationError as exc:
            raise PoisonMessage(f"invalid envelope: {_errors(exc)}") from exc
        subscription = self.by_routing_key.get(envelope.routing_key)
        if subscription is None:
            raise PoisonMessage(f"no handler for {envelope.routing_key}")
        try:
            payload = subscription.payload_type.model_validate(envelope.payload)
        except ValidationError as exc:
            raise PoisonMessage(f"invalid payload of {envelope.routing_key}: {_errors(exc)}") from exc
        return envelope, subscription, payload

    async def _retry_or_dead_letter(self, delivery: Delivery, exc: Exception) -> None:
        message = delivery.message
        with _current(delivery):
            try:
                previous = (message.headers or {}).get("x-delivery-count", 0)
                attempt = (previous if isinstance(previous, int) else 0) + 1
                if attempt >= self.delivery_limit:
                    await self._dead_letter(message, reason=f"failed {attempt} deliveries: {exc!r}")
                    return
                wait = backoff_seconds(attempt)
                log.warning("event_failed_will_retry", error=repr(exc), delivery=attempt, retry_in=wait)
                await asyncio.sleep(wait)
                await message.nack(requeue=True)
            finally:
                delivery.span.end()

    async def _dead_letter(self, message: AbstractIncomingMessage, *, reason: str) -> None:
        """Copy the message to this queue's DLQ with the reason, confirmed, then ack the original."""
        assert self._dlx is not None
        headers = dict(message.headers or {})
        headers[DEAD_LETTER_REASON] = reason[:1000]
        headers[ORIGINAL_ROUTING_KEY] = message.routing_key or ""
        try:
            await self._dlx.publish(
                aio_pika.Message(
                    body=message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=self.queue,
            )
        except Exception as exc:
            log.warning("dead_letter_publish_failed", error=repr(exc))
            await message.nack(requeue=True)
            return
        log.error("event_dead_lettered", queue=self.queue, event_id=message.message_id, reason=reason)
        await message.ack()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._stragglers.add(task)
        task.add_done_callback(self._stragglers.discard)


@contextlib.contextmanager
def _current(delivery: Delivery) -> Iterator[None]:
    """Run in the message's span, with its ids bound to the log context."""
    with (
        trace.use_span(delivery.span, end_on_exit=False),
        structlog.contextvars.bound_contextvars(
            message_id=delivery.message.message_id,
            event_id=str(delivery.envelope.event_id),
            correlation_id=delivery.envelope.correlation_id,
        ),
    ):
        yield


def _end_spans(deliveries: list[Delivery]) -> None:
    for delivery in deliveries:
        delivery.span.end()


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
    )
