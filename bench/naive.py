"""The naive relay the benchmark compares against: correct, but one row at a time.

What a first, reasonable implementation of an outbox relay looks like: claim the oldest unpublished row,
publish it, wait for the broker's confirm, mark it sent, commit, repeat; poll when there is nothing to do.
Same guarantees as `OutboxRelay` (confirms, SKIP LOCKED), no batching and no concurrency.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
from aio_pika.abc import AbstractRobustConnection

from shared.bus.relay import publish_row
from shared.bus.topology import declare_events_exchange

POLL_SECONDS = 0.1


class NaiveRelay:
    def __init__(self, *, pool: asyncpg.Pool, connection: AbstractRobustConnection, events_exchange: str):
        self.pool = pool
        self.connection = connection
        self.events_exchange = events_exchange

    async def run(self, stop: asyncio.Event) -> None:
        channel = await self.connection.channel(publisher_confirms=True)
        exchange = await declare_events_exchange(channel, self.events_exchange)
        while not stop.is_set():
            async with self.pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(
                    "SELECT id, event_id, routing_key, body FROM identity.outbox"
                    " WHERE published_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
                )
                if row is not None:
                    await publish_row(exchange, row, headers={})
                    await conn.execute(
                        "UPDATE identity.outbox SET published_at = clock_timestamp() WHERE id = $1", row["id"]
                    )
            if row is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=POLL_SECONDS)
