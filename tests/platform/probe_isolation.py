"""Run by test_isolation.py as a nested pytest run (not collected on its own: no test_ prefix).

Each probe run writes an organisation and sends an event with its own marker, then checks it sees its
own and nothing of the other run's, in the database and on the broker."""

from __future__ import annotations

import asyncio
import os

import aio_pika

from identity import handlers
from identity.handlers.directory import council_system
from shared import db
from shared.bus import Outbox
from shared.bus.topology import declare_events_exchange
from shared.uow import Work

MARKER = os.environ["PROBE_MARKER"]


async def test_probe_sees_only_its_own_rows_and_messages(env, authority):
    pool = await db.create_pool(env.dsn("identity"))
    broker = await aio_pika.connect_robust(env.amqp_url)
    try:
        channel = await broker.channel()
        exchange = await declare_events_exchange(channel, "portal.events")
        queue = await channel.declare_queue("probe", durable=True, arguments={"x-queue-type": "quorum"})
        await queue.bind(exchange, routing_key="probe.#")
        await handlers.upsert_organisation(
            council_system(authority, "isolation-probe"),
            Work(pool, Outbox("identity")),
            reference=MARKER,
            name=f"Probe {MARKER}",
            active=True,
        )
        await asyncio.sleep(1.0)  # the other run is doing the same at the same time
        await exchange.publish(aio_pika.Message(MARKER.encode()), routing_key="probe.hello")
        async with pool.acquire() as conn:
            names = [r["name"] for r in await conn.fetch("SELECT name FROM identity.organisation")]
        assert names == [f"Probe {MARKER}"]
        received = []
        for _ in range(40):
            message = await queue.get(no_ack=True, fail=False)
            if message is not None:
                received.append(message.body.decode())
            elif received:
                break
            else:
                await asyncio.sleep(0.05)
        assert received == [MARKER]
    finally:
        await broker.close()
        await pool.close()
