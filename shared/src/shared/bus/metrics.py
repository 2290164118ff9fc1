"""What a worker process tells Prometheus about the event backbone.

Counters are kept as things happen (published, applied, retried, dead-lettered); the backlogs (outbox
rows not yet published, messages waiting in the consumers' queues) are measured when /metrics is read.
"""

from __future__ import annotations

import contextlib

import aio_pika
import asyncpg
from aio_pika.abc import AbstractRobustConnection
from prometheus_client import CollectorRegistry, Counter, Gauge

from shared.db import ident


class BusMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.published = Counter("events_published", "Outbox rows published and confirmed", registry=r)
        self.applied = Counter(
            "events_applied", "Events applied by a handler (duplicates excluded)", registry=r
        )
        self.retries = Counter("event_retries", "Deliveries given back for another try", registry=r)
        self.dead_lettered = Counter(
            "events_dead_lettered", "Messages sent to a dead-letter queue", registry=r
        )
        self.outbox_pending = Gauge("outbox_pending_events", "Outbox rows not yet published", registry=r)
        self.outbox_lag = Gauge(
            "outbox_lag_seconds", "Age of the oldest outbox row not yet published (0: none)", registry=r
        )
        self.consumer_lag = Gauge(
            "consumer_lag_messages", "Messages ready in a consumer's queue", ["queue"], registry=r
        )
        self._outboxes: set[str] = set()
        self._queues: set[str] = set()

    def watch_outbox(self, schema: str) -> None:
        self._outboxes.add(schema)

    def watch_queue(self, queue: str) -> None:
        self._queues.add(queue)
        self.consumer_lag.labels(queue)  # shown (as 0) before the first scrape

    async def measure(self, *, pool: asyncpg.Pool, broker: AbstractRobustConnection) -> None:
        """Set the backlog gauges (called by the /metrics handler)."""
        for schema in self._outboxes:
            row = await pool.fetchrow(
                "SELECT count(*) AS pending,"
                " coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0) AS lag"
                f" FROM {ident(schema)}.outbox WHERE published_at IS NULL"
            )
            self.outbox_pending.set(row["pending"])
            self.outbox_lag.set(float(row["lag"]))
        if not self._queues:
            return
        channel = await broker.channel()
        try:
            for queue in self._queues:
                declared = await channel.declare_queue(queue, passive=True)
                assert declared.declaration_result.message_count is not None
                self.consumer_lag.labels(queue).set(declared.declaration_result.message_count)
        finally:
            with contextlib.suppress(aio_pika.exceptions.AMQPError, RuntimeError):
                await channel.close()
