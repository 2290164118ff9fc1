"""The outbox relay: two replicas share the work without publishing a row twice, and the retention
sweep removes only what was published long enough ago, without disturbing publishing."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import timedelta

import aio_pika
import pytest
from structlog.testing import capture_logs

from shared.bus import OutboxRelay
from shared.bus.topology import declare_events_exchange
from tests.support.inprocess import eventually
from tests.support.scratch import Scratch, amqp_url_via, organisation, scratch
from tests.support.tcp_proxy import proxy_to

EVENTS = 200


async def test_two_relay_replicas_publish_each_row_once(env):
    async with scratch(env) as s, AsyncExitStack() as stack:
        exchange = await declare_events_exchange(s.channel, s.exchange)
        tap = await s.channel.declare_queue(f"{s.schema}.tap", exclusive=True)
        await tap.bind(exchange, routing_key="#")
        replicas = []
        for _ in range(2):
            connection = await aio_pika.connect_robust(env.amqp_url)
            stack.push_async_callback(connection.close)
            replica = OutboxRelay(
                pool=s.pool,
                schema=s.schema,
                connection=connection,
                events_exchange=s.exchange,
                batch_size=5,
                poll_seconds=0.2,
            )
            assert await replica.relay_once() == 0  # its channel is open: both start level
            replicas.append(replica)
        written = []
        async with s.pool.acquire() as conn, conn.transaction():
            # One transaction, so both replicas find the whole backlog waiting when they start.
            for i in range(EVENTS):
                envelope = organisation(f"org-{i:04d}")
                await s.outbox.add(conn, envelope)
                written.append(str(envelope.event_id))

        stop = asyncio.Event()
        tasks = [asyncio.create_task(r.run(stop)) for r in replicas]
        try:
            await eventually(lambda: _none_unpublished(s), timeout=15)
        finally:
            stop.set()
            await asyncio.gather(*tasks)

        delivered = await _drain(tap)
        assert sorted(delivered) == sorted(written), "a row was published twice, or not at all"
        assert sum(r.published for r in replicas) == EVENTS
        assert all(r.published > 0 for r in replicas), "one replica did all the work"


async def test_relay_sweeps_rows_published_before_the_retention_and_keeps_publishing(env):
    async with scratch(env) as s:
        old, recent = organisation("published 8 days ago"), organisation("published just now")
        for envelope in (old, recent):
            await s.write(envelope)
        await s.pool.execute(
            f"UPDATE {s.schema}.outbox SET published_at = clock_timestamp() - $2::interval"
            " WHERE event_id = $1",
            old.event_id,
            timedelta(days=8),
        )
        await s.pool.execute(
            f"UPDATE {s.schema}.outbox SET published_at = clock_timestamp() WHERE event_id = $1",
            recent.event_id,
        )
        pending = organisation("not yet published")
        await s.write(pending)

        connection = await aio_pika.connect_robust(env.amqp_url)
        relay = OutboxRelay(
            pool=s.pool,
            schema=s.schema,
            connection=connection,
            events_exchange=s.exchange,
            poll_seconds=0.2,
        )
        stop = asyncio.Event()
        with capture_logs() as logs:
            task = asyncio.create_task(relay.run(stop))
            try:
                await eventually(lambda: _none_unpublished(s), timeout=20)
                remaining = await eventually(lambda: _outbox_ids_if_swept(s, old.event_id), timeout=20)
            finally:
                stop.set()
                await task
                await connection.close()

        assert remaining == {recent.event_id, pending.event_id}
        assert [e for e in logs if e["event"] == "outbox_relay_failed"] == []


async def _none_unpublished(s: Scratch) -> bool:
    return await s.unpublished() == 0


async def _outbox_ids_if_swept(s: Scratch, swept_id) -> set | None:
    ids = {r["event_id"] for r in await s.pool.fetch(f"SELECT event_id FROM {s.schema}.outbox")}
    return None if swept_id in ids else ids


async def _drain(queue: aio_pika.abc.AbstractQueue) -> list[str]:
    """Every message id in `queue` (acking them), once the relay has marked its rows published."""
    ids = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        ids.append(message.message_id)
    return ids


pytestmark = pytest.mark.timeout(60)


async def test_a_publish_never_confirmed_times_out_reconnects_and_publishes_the_row_once(env):
    """The broker link goes silent (no error, no confirm): the relay gives the batch up after its
    publish timeout, reconnects, and the row is published exactly once over the new link."""
    async with scratch(env) as s, proxy_to("127.0.0.1", 5672) as proxy:
        exchange = await declare_events_exchange(s.channel, s.exchange)
        tap = await s.channel.declare_queue(f"{s.schema}.tap", exclusive=True)
        await tap.bind(exchange, routing_key="#")
        connection = await aio_pika.connect_robust(amqp_url_via(proxy, env))
        relay = OutboxRelay(
            pool=s.pool,
            schema=s.schema,
            connection=connection,
            events_exchange=s.exchange,
            poll_seconds=0.2,
            publish_timeout=1.0,
        )
        assert await relay.relay_once() == 0  # its channel is open before the link goes silent
        proxy.freeze()
        envelope = organisation("org-after-the-silence")
        await s.write(envelope)
        stop = asyncio.Event()
        with capture_logs() as logs:
            task = asyncio.create_task(relay.run(stop))
            try:
                await eventually(lambda: _none_unpublished(s), timeout=15)
            finally:
                stop.set()
                done, _ = await asyncio.wait({task}, timeout=10)
                task.cancel()
                await connection.close()
        assert done, "the relay did not stop"
        assert await eventually(lambda: _drain(tap), timeout=20) == [str(envelope.event_id)]
        assert await _drain(tap) == []
        assert [e for e in logs if e["event"] == "outbox_publish_unconfirmed"], "no timeout was logged"
        assert proxy.connections >= 2, "the relay did not reconnect"
