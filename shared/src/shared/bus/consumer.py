"""Idempotent event consumers on quorum queues.

Each message is validated as it arrives (a message that fails is dead-lettered at once with the reason in
a header: retrying cannot fix it) and handed to a few appliers. An applier takes the messages waiting at
that moment, up to a batch size, and in one transaction records each (consumer, event_id) in the inbox and
runs the handler of each new one; it acks them only after the commit. Batching costs no latency (an
applier never waits for a batch to fill) and saves the transaction round trips that are most of a
consumer's cost under load.

A duplicate finds its inbox row and is acked without running the handler. If a handler fails, the batch is
rolled back and its messages are applied one per transaction, so only the failing one is retried: it waits
out its back-off in a delay queue, not in hand, and is dead-lettered once its attempts are spent; the
others and those behind it keep flowing. While the database is unreachable, messages are held and their commit retried in place: an
outage does not spend their delivery limit.

What is received and validated is in `shared.bus.delivery`; acks, retries and dead letters in
`shared.bus.settle`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import asyncpg
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from opentelemetry import trace

from shared.bus.delivery import Delivery, PoisonMessage, Subscription, parse, span_for
from shared.bus.metrics import BusMetrics
from shared.bus.retention import DEFAULT_INBOX_RETENTION, prune_inbox_periodically
from shared.bus.settle import DEFAULT_RETRY_DELAYS, Settlement, backoff_seconds
from shared.bus.topology import declare_consumer_queue, queue_name
from shared.db import ident
from shared.events import Envelope
from shared.logging import get_logger

log = get_logger(__name__)

STOP_TIMEOUT_SECONDS = 5.0
TURN_WAIT_SECONDS = 0.1  # how long a transaction holds the turn before the next applier goes ahead


class DatabaseUnreachable(Exception):
    """No connection to the database, or it broke during the transaction (the cause is chained)."""


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
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        max_attempts: int | None = None,
        inbox_retention: timedelta = DEFAULT_INBOX_RETENTION,
        prefetch: int = 64,
        batch_size: int = 32,
        appliers: int = 2,
        on_committed: Callable[[Envelope], Awaitable[None]] | None = None,
        queue: str | None = None,
        metrics: BusMetrics | None = None,
    ) -> None:
        self.name = name
        self._queue_name = queue or queue_name(name)
        self.pool = pool
        self.schema = schema
        self.inbox_retention = inbox_retention
        self.connection = connection
        self.events_exchange = events_exchange
        self.by_routing_key = {s.payload_type.routing_key(): s for s in subscriptions}
        self.delivery_limit = delivery_limit
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.appliers = appliers
        self.on_committed = on_committed
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        # Bounded by the prefetch: the broker sends no more than that many unacknowledged messages.
        self._waiting: asyncio.Queue[Delivery] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.retry_delays = tuple(retry_delays)
        self.metrics = metrics or BusMetrics()
        self._settle = Settlement(
            queue=self._queue_name, metrics=self.metrics, retry_delays=retry_delays, max_attempts=max_attempts
        )
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
        self._queue, self._settle.dead_letters = await declare_consumer_queue(
            channel,
            events_exchange=self.events_exchange,
            queue=self.queue,
            routing_keys=sorted(self.by_routing_key),
            delivery_limit=self.delivery_limit,
            retry_delays=self.retry_delays,
        )
        self._settle.retries = channel.default_exchange
        self._tasks = [
            asyncio.create_task(self._apply_waiting(), name=f"{self.queue}-applier-{n}")
            for n in range(self.appliers)
        ]
        pruning = prune_inbox_periodically(
            pool=self.pool, schema=self.schema, consumer=self.name, retention=self.inbox_retention
        )
        self._tasks.append(asyncio.create_task(pruning, name=f"{self.queue}-inbox-pruning"))
        self._tag = await self._queue.consume(self._on_message)
        self.metrics.watch_queue(self.queue)
        log.info("consumer_started", queue=self.queue, routing_keys=sorted(self.by_routing_key))

    async def stop(self) -> None:
        """Cancel the consumer and its appliers. Messages in hand and not yet acked go back to the queue
        when the channel closes. A robust channel waits for the broker before it sends anything, so
        while the broker is unreachable the cancel is skipped (closing the connection ends the
        consumer anyway) and it is bounded by a timeout: a worker's shutdown must never hang."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
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
        self._settle.hold(message)
        span = span_for(message, queue=self.queue)
        try:
            envelope, subscription, payload = parse(message, self.by_routing_key)
        except PoisonMessage as exc:
            with (
                trace.use_span(span, end_on_exit=True),
                structlog.contextvars.bound_contextvars(message_id=message.message_id),
            ):
                await self._settle.dead_letter(message, reason=str(exc))
            return
        self._waiting.put_nowait(Delivery(message, envelope, subscription, payload, span))

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
            else:
                await self._settle.retry_or_dead_letter(batch[0], exc)
            return
        self.metrics.applied.inc(sum(fresh))
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
        await self._settle.ack_committed([d.message for d in batch])
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
