"""Queues exist before anything is published: `migrate` declares each service's queues and bindings, so
an event published before its consumer ever ran waits for it; and an event no queue is bound for is kept
by the exchange's alternate exchange instead of being confirmed and dropped."""

from __future__ import annotations

import asyncio
import dataclasses

import aio_pika
import pytest

from shared.bus import OutboxRelay
from shared.bus.topology import unroutable_name
from shared.service import run_migrations, run_worker
from tests.support.inprocess import eventually
from tests.support.scratch import (
    ROUTING_KEY,
    Scratch,
    organisation,
    publish,
    robust_connection,
    scratch,
    scratch_worker,
)


def _settings(env, s: Scratch):
    definition = scratch_worker(s, s.record)
    return definition, env.settings(definition, database_url=env.dsn("actuals"), events_exchange=s.exchange)


async def test_event_published_before_any_consumer_ran_is_applied_once_it_starts(env):
    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:
        definition, settings = _settings(env, s)
        await run_migrations(definition, settings)  # what `python -m <service> migrate` runs
        early = organisation("published before the consumer ever ran")
        await s.write(early)
        relay = OutboxRelay(pool=s.pool, schema=s.schema, connection=connection, events_exchange=s.exchange)
        assert await relay.relay_once() == 1  # confirmed by the broker, with no consumer anywhere yet

        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(definition, settings, stop=stop, relay=False))
        try:
            await eventually(lambda: _applied(s, 1), timeout=10)
        finally:
            stop.set()
            await worker
        assert await s.applied_ids() == [early.event_id]


async def test_event_no_queue_is_bound_for_is_kept_in_the_unroutable_queue(env):
    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:
        definition, settings = _settings(env, s)
        await run_migrations(definition, settings)
        stray = organisation("nobody listens")
        stray_body = stray.model_dump_json().encode()
        relay = OutboxRelay(pool=s.pool, schema=s.schema, connection=connection, events_exchange=s.exchange)
        exchange = await relay._get_exchange()
        await exchange.publish(
            aio_pika.Message(stray_body, message_id=str(stray.event_id)), routing_key="nobody.listens.here.v1"
        )
        kept = await s.channel.declare_queue(unroutable_name(s.exchange), passive=True)
        message = await eventually(lambda: kept.get(no_ack=True, fail=False), timeout=20)
        assert message.message_id == str(stray.event_id)
        assert message.routing_key == "nobody.listens.here.v1"
        assert await s.ready(s.queue) == 0


async def test_a_work_queue_of_an_extra_process_kind_is_declared_by_migrate(env):
    # reports.render is such a queue: a run requested before any render worker ever started must wait for one.
    async with scratch(env) as s:
        definition, settings = _settings(env, s)
        work_queue = f"{s.schema}.work"
        definition = dataclasses.replace(definition, work_queues={work_queue: [ROUTING_KEY]})
        await run_migrations(definition, settings)
        early = organisation("requested before any worker of its kind ran")
        await publish(s, early.model_dump_json().encode(), message_id=str(early.event_id))
        await eventually(lambda: _ready(s, work_queue, 1), timeout=20)
        await s.channel.queue_delete(work_queue)


async def _ready(s: Scratch, queue: str, n: int) -> bool:
    return await s.ready(queue) == n


async def _applied(s: Scratch, n: int) -> bool:
    return await s.applied_count() == n


pytestmark = pytest.mark.timeout(60)
