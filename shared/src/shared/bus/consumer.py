"""Idempotent event consumers on quorum queues.

Each message is validated as it arrives (a message that fails is dead-lettered at once with the reason in
a header: retrying cannot fix it) and handed to a few appliers. An applier takes the messages waiting at
that moment, up to a batch size, and in one transaction records each (consumer, event_id) in the inbox and
runs the handler of each new one; it acks them only after the commit. Batching costs no latency (an
applier never waits for a batch to fill) and saves the transaction round trips that are most of a
consumer's cost under load.

A duplicate finds its inbox row and is acked without running the handler. If a handler fails, the batch is
rolled back and its messages are applied one per transaction, so only the failing one is retried with
back-off, then dead-lettered once the delivery limit is reached; the others and those behind it keep
flowing. While the database is unreachable, messages are held and their commit retried in place: an
outage does not spend their delivery limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
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

from shared.bus.acks import InHand
from shared.bus.topology import DEAD_LETTER_REASON, ORIGINAL_ROUTING_KEY, declare_consumer_queue, queue_name
from shared.db import ident
from shared.events import Envelope, EventPayload
from shared.logging import get_logger
from shared.telemetry import extract_context, spans_exported, tracer

log = get_logger(__name__)

STOP_TIMEOUT_SECONDS = 5.0
TURN_WAIT_SECONDS = 0.1  # how long a transaction holds the turn before the next applier goes ahead
Handler = Callable[[asyncpg.Connection, Envelope, Any], Awaitable[None]]
ManyHandler = Callable[[asyncpg.Connection, Sequence[tuple[Envelope, Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One event type a service listens to, and the function that applies it in a transaction.

    `handle_many`, when given, applies several events of the type at once (in their order, with the
    same effect as `handler` on each): a consumer uses it for a run of them in one batch, to save a
    database round trip per event."""

    payload_type: type[EventPayload]
    handler: Handler
    handle_many: ManyHandler | None = None


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


class DatabaseUnreachable(Exception):
    """No connection to the database, or it broke during the transaction (the cause is chained)."""


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
        batch_size: int = 32,
        appliers: int = 2,
        on_committed: Callable[[Envelope], Awaitable[None]] | None = None,
        queue: str | None = None,
    ) -> None:
        self.name = name
        self._queue_name = queue or queue_name(name)
        self.pool = pool
        self.connection = connection
        self.events_exchange = events_exchange
        self.by_routing_key = {s.payload_type.routing_key(): s for s in subscriptions}
        self.delivery_limit = delivery_limit
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.appliers = appliers
        self.on_committed = on_committed
        self._queue: AbstractQueue | None = None
        self._dlx: AbstractExchange | None = None
        self._tag: str | None = None
        # Bounded by the prefetch: the broker sends no more than that many unacknowledged messages.
        self._waiting: asyncio.Queue[Delivery] = asyncio.Queue()
        self._applier_tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[None]] = set()  # retries waiting out their back-off
        self._in_hand = InHand()
        self._turn = asyncio.Lock()  # held by the applier in a transaction: see _apply_waiting
        self._inbox_insert = (
            f"INSERT INTO {ident(schema)}.inbox (consumer, event_id, routing_key)"
            " SELECT $1, e.event_id, e.routing_key FROM unnest($2::uuid[], $3::text[]) AS e(event_id, routing_key)"
            " ON CONFLICT DO NOTHING RETURNING event_id"
        )

    @property
    def queue(self) -> str:
        return self._queue_name

    async def start(self) -> None:
        channel = await self.connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self.prefetch)
        self._queue, self._dlx = await declare_consumer_queue(
            channel,
            events_exchange=self.events_exchange,
            queue=self.queue,
            routing_keys=sorted(self.by_routing_key),
            delivery_limit=self.delivery_limit,
        )
        self._applier_tasks = [
            asyncio.create_task(self._apply_waiting(), name=f"{self.queue}-applier-{n}")
            for n in range(self.appliers)
        ]
        self._tag = await self._queue.consume(self._on_message)
        log.info("consumer_started", queue=self.queue, routing_keys=sorted(self.by_routing_key))

    async def stop(self) -> None:
        """Cancel the consumer and its appliers. Messages in hand and not yet acked go back to the queue
        when the channel closes. A robust channel waits for the broker before it sends anything, so
        while the broker is unreachable the cancel is skipped (closing the connection ends the
        consumer anyway) and it is bounded by a timeout: a worker's shutdown must never hang."""
        tasks = [*self._applier_tasks, *self._background]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._applier_tasks = []
        if self._queue is None or self._tag is None:
            return
        if not self.connection.connected.is_set():
            log.info("consumer_stopped_without_broker", queue=self.queue)
            return
        try:
            await asyncio.wait_for(self._queue.cancel(self._tag), timeout=STOP_TIMEOUT_SECONDS)
        except Exception as exc:
            log.warning("consumer_cancel_failed", queue=self.queue, error=repr(exc))

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._in_hand.hold(message)
        span = self._span_for(message)
        try:
            envelope, subscription, payload = self._parse(message)
        except PoisonMessage as exc:
            with (
                trace.use_span(span, end_on_exit=True),
                structlog.contextvars.bound_contextvars(message_id=message.message_id),
            ):
                await self._dead_letter(message, reason=str(exc))
            return
        self._waiting.put_nowait(Delivery(message, envelope, subscription, payload, span))

    def _span_for(self, message: AbstractIncomingMessage) -> Span:
        parent = extract_context(message.headers)
        if not spans_exported():  # a span of ours would record nothing: work under the producer's ids
            return trace.get_current_span(parent)
        return tracer().start_span(
            f"{message.routing_key} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": self.queue,
                "messaging.message.id": message.message_id or "",
            },
        )

    def _parse(self, message: AbstractIncomingMessage) -> tuple[Envelope, Subscription, EventPayload]:
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

    async def _apply_waiting(self) -> None:
        """One applier: take what is waiting (never waiting for more to arrive) and apply it.

        Appliers take turns. Only the applier holding the turn takes messages, and it keeps the turn
        until its transaction is done, so under load the next one takes, in one batch, all that arrived
        meanwhile (bench/backbone: one large batch at a time costs less CPU per event than several
        small ones). The messages of consecutive batches are also in delivery order, which lets a
        batch be acked with one frame (see InHand). A transaction still running after
        TURN_WAIT_SECONDS gives the turn up early: a slow or stuck handler must not hold up the rest
        of the queue.
        """
        while True:
            async with self._turn:
                batch = [await self._waiting.get()]
                while len(batch) < self.batch_size and not self._waiting.empty():
                    batch.append(self._waiting.get_nowait())
                applying = asyncio.ensure_future(self._apply_logging_failures(batch))
                try:
                    await asyncio.wait({applying}, timeout=TURN_WAIT_SECONDS)
                except asyncio.CancelledError:
                    applying.cancel()
                    raise
            try:
                await applying
            except asyncio.CancelledError:
                applying.cancel()
                raise

    async def _apply_logging_failures(self, batch: list[Delivery]) -> None:
        try:
            await self._apply(batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not end the applier: the messages come back
            log.exception("consumer_applier_failed", queue=self.queue, error=repr(exc))

    async def _apply(self, batch: list[Delivery]) -> None:
        try:
            fresh = await self._commit_when_database_answers(batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if len(batch) > 1:  # find the failing message: each on its own, the others go through
                await asyncio.gather(*(self._apply([delivery]) for delivery in batch))
            else:  # its back-off must not hold up this applier and the messages behind it
                self._in_background(self._retry_or_dead_letter(batch[0], exc))
            return
        for delivery, applied in zip(batch, fresh, strict=True):
            # The ids are passed, not bound: binding and unbinding context per event cost more than
            # the log line itself (bench/backbone).
            log.info(
                "event_applied" if applied else "event_duplicate_skipped",
                routing_key=delivery.envelope.routing_key,
                **delivery.log_ids(),
            )
            if self.on_committed is not None:
                with delivery.context():
                    await self.on_committed(delivery.envelope)
        for message, multiple in self._in_hand.acks([d.message for d in batch]):
            await self._ack(message, multiple=multiple)
        for delivery in batch:
            delivery.span.end()

    async def _commit_when_database_answers(self, batch: list[Delivery]) -> list[bool]:
        """Record the batch in the inbox and run the handlers of the new events in one transaction;
        for each delivery, True if its event was new.

        While the database is unreachable the messages are kept in hand and the commit tried again:
        the outage is not the messages' fault, and a nack would spend their delivery limit and
        dead-letter them however healthy they are. If a commit went through just before the link
        broke, the next attempt finds the inbox rows and does not run the handlers again.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._commit(batch)
            except DatabaseUnreachable as exc:
                wait = backoff_seconds(attempt)
                log.warning(
                    "events_waiting_for_database", events=len(batch), error=repr(exc.__cause__), retry_in=wait
                )
                await asyncio.sleep(wait)

    async def _commit(self, batch: list[Delivery]) -> list[bool]:
        try:
            conn = await self.pool.acquire()
        except Exception as exc:  # nothing of the batch has run yet
            raise DatabaseUnreachable from exc
        try:
            async with conn.transaction():
                new = {
                    row["event_id"]
                    for row in await conn.fetch(
                        self._inbox_insert,
                        self.name,
                        [d.envelope.event_id for d in batch],
                        [d.envelope.routing_key for d in batch],
                    )
                }
                fresh = []
                for delivery in batch:
                    # The same event twice in one batch (a redelivery) is new only the first time.
                    fresh.append(delivery.envelope.event_id in new)
                    new.discard(delivery.envelope.event_id)
                await self._run_handlers(
                    conn, [d for d, applied in zip(batch, fresh, strict=True) if applied]
                )
            return fresh
        except Exception as exc:
            if conn.is_closed():  # the link broke under the handler: not the handler's failure
                raise DatabaseUnreachable from exc
            raise
        finally:
            await self.pool.release(conn)

    @staticmethod
    async def _run_handlers(conn: asyncpg.Connection, deliveries: list[Delivery]) -> None:
        """Run the handlers in delivery order; a run of events whose subscription takes many at once
        goes in one call."""
        for subscription, run in itertools.groupby(deliveries, key=lambda d: d.subscription):
            group = list(run)
            if subscription.handle_many is not None and len(group) > 1:
                await subscription.handle_many(conn, [(d.envelope, d.payload) for d in group])
                continue
            for delivery in group:
                with delivery.context():
                    await subscription.handler(conn, delivery.envelope, delivery.payload)

    async def _ack(self, message: AbstractIncomingMessage, *, multiple: bool = False) -> None:
        """Ack after the commit (with `multiple`, every delivery of the channel up to this one: see
        InHand). If the channel broke meanwhile, the broker delivers the messages again and the inbox
        recognises them: nothing to do here but say so."""
        try:
            await message.ack(multiple=multiple)
        except Exception as exc:
            log.warning("event_ack_failed", error=repr(exc), message_id=message.message_id, multiple=multiple)

    async def _ack_alone(self, message: AbstractIncomingMessage) -> None:
        self._in_hand.release(message)
        await self._ack(message)

    async def _requeue(self, message: AbstractIncomingMessage) -> None:
        self._in_hand.release(message)
        try:
            await message.nack(requeue=True)
        except Exception as exc:  # the channel broke: the broker redelivers it anyway
            log.warning("event_nack_failed", error=repr(exc))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)  # held until done (the loop keeps only weak references)
        task.add_done_callback(self._background.discard)

    async def _retry_or_dead_letter(self, failed: Delivery, exc: Exception) -> None:
        """Back off, then give the message back for another delivery; dead-letter it at the limit."""
        message = failed.message
        with failed.context():
            previous = (message.headers or {}).get("x-delivery-count", 0)
            delivery = (previous if isinstance(previous, int) else 0) + 1
            if delivery >= self.delivery_limit:
                await self._dead_letter(message, reason=f"failed {delivery} deliveries: {exc!r}")
            else:
                wait = backoff_seconds(delivery)
                log.warning("event_failed_will_retry", error=repr(exc), delivery=delivery, retry_in=wait)
                await asyncio.sleep(wait)
                await self._requeue(message)
        failed.span.end()

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
            await self._requeue(message)
            return
        log.error("event_dead_lettered", queue=self.queue, event_id=message.message_id, reason=reason)
        await self._ack_alone(message)


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
    )
