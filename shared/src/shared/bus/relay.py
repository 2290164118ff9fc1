"""The outbox relay: publishes committed outbox rows with publisher confirms, then marks them sent.

Rows are claimed with FOR UPDATE SKIP LOCKED, so several replicas share the work without publishing a
row twice in normal operation. A crash between the broker's confirm and the UPDATE republishes the row:
delivery is at-least-once and consumers deduplicate on event_id.

The publish happens inside the claiming transaction, so the wait for confirms is bounded: a broker link
gone silent (no error, no confirm) would otherwise hold the rows' locks and the relay forever. After
`publish_timeout` the batch is rolled back and the connection closed; the robust connection reconnects
and the rows are claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from opentelemetry.trace import SpanKind

from shared.bus.metrics import BusMetrics
from shared.bus.outbox import notify_channel
from shared.bus.topology import declare_events_exchange
from shared.db import ident
from shared.logging import get_logger
from shared.telemetry import extract_context, inject_headers, spans_exported, tracer

log = get_logger(__name__)
RETENTION_SWEEP_SECONDS = 600
DEFAULT_RETENTION = timedelta(days=7)


class PublishNotConfirmed(Exception):
    """The broker did not confirm a batch within the publish timeout."""


class OutboxRelay:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        schema: str,
        connection: AbstractRobustConnection,
        events_exchange: str,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        concurrency: int = 2,
        retention: timedelta = DEFAULT_RETENTION,
        publish_timeout: float = 10.0,
        metrics: BusMetrics | None = None,
    ) -> None:
        self.pool = pool
        self.schema = schema
        self.connection = connection
        self.events_exchange = events_exchange
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        self.publish_timeout = publish_timeout
        self.metrics = metrics or BusMetrics()
        self.metrics.watch_outbox(schema)
        self._wake = asyncio.Event()
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._channel_lock = asyncio.Lock()
        table = f"{ident(schema)}.outbox"
        self._claim = (
            f"SELECT id, event_id, routing_key, body, headers, created_at FROM {table}"
            " WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"
        )
        self._mark = f"UPDATE {table} SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])"
        self._sweep = f"DELETE FROM {table} WHERE published_at < clock_timestamp() - $1::interval"
        self._retention = retention
        self._next_sweep = float("-inf")
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set: wake on NOTIFY, poll as a fallback, back off on errors.

        Several loops run at once, like replicas in one process: while one waits for the broker's
        confirms of its batch, another claims and publishes the next, so the relay's rate is not one
        batch per confirm round trip. The order of events across loops is not kept; no consumer relies
        on it (DESIGN.md: events carry full state with a revision).
        """
        listener = asyncio.create_task(self._listen(stop), name=f"{self.schema}-outbox-listen")
        try:
            await asyncio.gather(*(self._relay_until(stop) for _ in range(self.concurrency)))
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)

    async def _relay_until(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        while not stop.is_set():
            # Cleared before the claim, not after: a NOTIFY that arrives while a batch is in flight
            # may be for a row the claim did not see, and must not wait for the next poll.
            self._wake.clear()
            try:
                sent = await self.relay_once()
            except Exception as exc:
                log.warning("outbox_relay_failed", schema=self.schema, error=repr(exc), retry_in=backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.2
            await self._sweep_if_due()
            if sent < self.batch_size:
                await _wait_any(stop, self._wake, timeout=self.poll_seconds)

    async def relay_once(self) -> int:
        """Publish one batch of unpublished rows; return how many were published."""
        exchange = await asyncio.wait_for(self._get_exchange(), timeout=self.publish_timeout)
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(self._claim, self.batch_size)
            if not rows:
                return 0
            publishing = asyncio.gather(*(self._publish(exchange, row) for row in rows))
            try:
                await asyncio.wait_for(publishing, timeout=self.publish_timeout)
            except TimeoutError:
                await self._reconnect(unconfirmed=len(rows))
                raise PublishNotConfirmed(f"no confirm within {self.publish_timeout} s") from None
            await conn.execute(self._mark, [row["id"] for row in rows])
        self.published += len(rows)
        self.metrics.published.inc(len(rows))
        return len(rows)

    async def _publish(self, exchange: AbstractExchange, row: Any) -> None:
        if not spans_exported():
            # The publish span would record nothing: the producer's trace context goes on as stored,
            # so the consumer's span is the producer's child (one span fewer per event, no re-encoding).
            await publish_row(exchange, row, headers=dict(row["headers"] or {}))
            return
        with tracer().start_as_current_span(
            f"{row['routing_key']} publish",
            context=extract_context(row["headers"]),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": self.events_exchange,
                "messaging.rabbitmq.destination.routing_key": row["routing_key"],
                "messaging.message.id": str(row["event_id"]),
            },
        ):
            await publish_row(exchange, row, headers=dict(inject_headers()))

    async def _get_exchange(self) -> AbstractExchange:
        async with self._channel_lock:  # the loops share one channel: open it once
            if self._channel is None or self._channel.is_closed or self._exchange is None:
                self._channel = await self.connection.channel(publisher_confirms=True)
                self._exchange = await declare_events_exchange(self._channel, self.events_exchange)
            return self._exchange

    async def _reconnect(self, *, unconfirmed: int) -> None:
        """Close the broker connection whose publish went unanswered: the robust connection opens a
        new one, and the next claim gets a new channel on it. Closing is bounded too (the link is silent)."""
        log.warning(
            "outbox_publish_unconfirmed", schema=self.schema, events=unconfirmed, timeout=self.publish_timeout
        )
        async with self._channel_lock:
            self._channel, self._exchange = None, None
        transport = self.connection.transport
        if transport is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    transport.connection.close(ConnectionError("publish not confirmed")),
                    timeout=self.publish_timeout,
                )

    async def _sweep_if_due(self) -> None:
        """Delete rows published longer ago than the retention; a failure here never stops relaying."""
        now = asyncio.get_running_loop().time()
        if now < self._next_sweep:
            return
        self._next_sweep = now + RETENTION_SWEEP_SECONDS
        try:
            async with self.pool.acquire() as conn:
                swept = await conn.execute(self._sweep, self._retention)
        except Exception as exc:
            log.warning("outbox_sweep_failed", schema=self.schema, error=repr(exc))
            return
        log.info("outbox_swept", schema=self.schema, result=swept)

    async def _listen(self, stop: asyncio.Event) -> None:
        """Hold a LISTEN connection; if it breaks, polling carries on until it is back."""
        channel = notify_channel(self.schema)
        while not stop.is_set():
            try:
                async with self.pool.acquire() as conn:
                    await conn.add_listener(channel, self._on_notify)
                    try:
                        while not stop.is_set() and not conn.is_closed():
                            await _sleep_or_stop(stop, 1.0)
                    finally:
                        if not conn.is_closed():
                            await conn.remove_listener(channel, self._on_notify)
            except Exception as exc:
                log.debug("outbox_listen_lost", schema=self.schema, error=repr(exc))
                await _sleep_or_stop(stop, 1.0)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()


async def publish_row(exchange: AbstractExchange, row: Any, *, headers: dict[str, Any]) -> None:
    """Publish one outbox row (event_id, routing_key, body) as a persistent message; the channel's
    confirms make the await return only once the broker has it."""
    await exchange.publish(
        aio_pika.Message(
            body=row["body"],
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=str(row["event_id"]),
            type=row["routing_key"],
            timestamp=datetime.now(UTC),
            headers=headers,
        ),
        routing_key=row["routing_key"],
        mandatory=False,
    )


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, *, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
