"""Idempotent event consumers on quorum queues.

For each message: validate the envelope and payload (a message that fails is dead-lettered at once with
the reason in a header: retrying cannot fix it), then in one transaction record (consumer, event_id) in
the inbox and run the handler. Ack only after commit. A duplicate finds its inbox row and is acked
without running the handler. A failing handler is retried with back-off and dead-lettered once the
delivery limit is reached; the messages behind it keep flowing. While the database is unreachable,
messages are held and their commit retried in place: an outage does not spend their delivery limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from opentelemetry.trace import SpanKind
from pydantic import ValidationError

from shared.bus.topology import DEAD_LETTER_REASON, ORIGINAL_ROUTING_KEY, declare_consumer_queue, queue_name
from shared.db import ident
from shared.events import Envelope, EventPayload
from shared.logging import get_logger
from shared.telemetry import extract_context, tracer

log = get_logger(__name__)

STOP_TIMEOUT_SECONDS = 5.0
Handler = Callable[[asyncpg.Connection, Envelope, Any], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One event type a service listens to, and the function that applies it in a transaction."""

    payload_type: type[EventPayload]
    handler: Handler


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
        self.on_committed = on_committed
        self._queue: AbstractQueue | None = None
        self._dlx: AbstractExchange | None = None
        self._tag: str | None = None
        self._inbox_insert = (
            f"INSERT INTO {ident(schema)}.inbox (consumer, event_id, routing_key) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING RETURNING 1"
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
        self._tag = await self._queue.consume(self._on_message)
        log.info("consumer_started", queue=self.queue, routing_keys=sorted(self.by_routing_key))

    async def stop(self) -> None:
        """Cancel the consumer. A robust channel waits for the broker before it sends anything, so
        while the broker is unreachable the cancel is skipped (closing the connection ends the
        consumer anyway) and it is bounded by a timeout: a worker's shutdown must never hang."""
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
        with (
            structlog.contextvars.bound_contextvars(message_id=message.message_id),
            tracer().start_as_current_span(
                f"{message.routing_key} process",
                context=extract_context(message.headers),
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "rabbitmq",
                    "messaging.destination.name": self.queue,
                    "messaging.message.id": message.message_id or "",
                },
            ),
        ):
            try:
                envelope, subscription, payload = self._parse(message)
            except PoisonMessage as exc:
                await self._dead_letter(message, reason=str(exc))
                return
            with structlog.contextvars.bound_contextvars(
                event_id=str(envelope.event_id), correlation_id=envelope.correlation_id
            ):
                await self._apply(message, envelope, subscription, payload)

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

    async def _apply(
        self,
        message: AbstractIncomingMessage,
        envelope: Envelope,
        subscription: Subscription,
        payload: EventPayload,
    ) -> None:
        try:
            fresh = await self._commit_when_database_answers(envelope, subscription, payload)
            if fresh:
                log.info("event_applied", routing_key=envelope.routing_key)
            else:
                log.info("event_duplicate_skipped", routing_key=envelope.routing_key)
            if self.on_committed is not None:
                await self.on_committed(envelope)
            await message.ack()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._retry_or_dead_letter(message, exc)

    async def _commit_when_database_answers(
        self, envelope: Envelope, subscription: Subscription, payload: EventPayload
    ) -> bool:
        """Record the event in the inbox and run its handler in one transaction; True if it was new.

        While the database is unreachable the message is kept in hand and the commit tried again:
        the outage is not the message's fault, and a nack would spend its delivery limit and
        dead-letter it however healthy it is. If a commit went through just before the link broke,
        the next attempt finds the inbox row and does not run the handler again.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._commit(envelope, subscription, payload)
            except DatabaseUnreachable as exc:
                wait = backoff_seconds(attempt)
                log.warning("event_waiting_for_database", error=repr(exc.__cause__), retry_in=wait)
                await asyncio.sleep(wait)

    async def _commit(self, envelope: Envelope, subscription: Subscription, payload: EventPayload) -> bool:
        try:
            conn = await self.pool.acquire()
        except Exception as exc:  # nothing of the message's has run yet
            raise DatabaseUnreachable from exc
        try:
            async with conn.transaction():
                fresh = await conn.fetchval(
                    self._inbox_insert, self.name, envelope.event_id, envelope.routing_key
                )
                if fresh:
                    await subscription.handler(conn, envelope, payload)
            return bool(fresh)
        except Exception as exc:
            if conn.is_closed():  # the link broke under the handler: not the handler's failure
                raise DatabaseUnreachable from exc
            raise
        finally:
            await self.pool.release(conn)

    async def _retry_or_dead_letter(self, message: AbstractIncomingMessage, exc: Exception) -> None:
        previous = (message.headers or {}).get("x-delivery-count", 0)
        delivery = (previous if isinstance(previous, int) else 0) + 1
        if delivery >= self.delivery_limit:
            await self._dead_letter(message, reason=f"failed {delivery} deliveries: {exc!r}")
            return
        wait = backoff_seconds(delivery)
        log.warning("event_failed_will_retry", error=repr(exc), delivery=delivery, retry_in=wait)
        await asyncio.sleep(wait)
        await message.nack(requeue=True)

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


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
    )
