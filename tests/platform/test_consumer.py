"""The consumer on its own: each event applied exactly once, however it is batched, duplicated or mixed
with messages that fail."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection
from shared.bus import Consumer, Subscription
from shared.bus.topology import DEAD_LETTER_REASON, dead_letter_queue_name, declare_consumer_queue, queue_name
from shared.events import Envelope, OrganisationUpserted, make_envelope

from shared import db
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually

EXCHANGE = "portal.events"


@pytest.fixture
async def broker(env: RunEnvironment) -> AsyncIterator[AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(env.amqp_url)
    yield connection
    await connection.close()


@pytest.fixture
async def pool(env: RunEnvironment) -> AsyncIterator[asyncpg.Pool]:
    """claims' pool, with a table where the test handler leaves one row per application."""
    pool = await db.create_pool(env.dsn("claims"))
    await pool.execute("CREATE TABLE IF NOT EXISTS claims.test_applied (event_id uuid NOT NULL)")
    yield pool
    await pool.close()


async def apply_or_fail(conn: asyncpg.Connection, envelope: Envelope, event: OrganisationUpserted) -> None:
    if event.name == "Fail":
        raise RuntimeError("the handler refuses this one")
    await conn.execute("INSERT INTO claims.test_applied (event_id) VALUES ($1)", envelope.event_id)


def event(name: str = "Fine Fostering") -> Envelope:
    authority_id = uuid.uuid4()
    return make_envelope(
        OrganisationUpserted(
            organisation_id=uuid.uuid4(),
            authority_id=authority_id,
            name=name,
            reference="C1",
            active=True,
            revision=1,
            updated_at="2026-01-01T00:00:00Z",
        ),
        aggregate_id="c1",
        authority_id=authority_id,
    )


class Harness:
    """A consumer with its own queue, filled before it starts so that deliveries arrive in batches."""

    def __init__(self, broker: AbstractRobustConnection, pool: asyncpg.Pool) -> None:
        self.name = f"test_{uuid.uuid4().hex[:8]}"
        self.broker = broker
        self.pool = pool
        self.committed: list[uuid.UUID] = []
        self.consumer: Consumer | None = None

    async def declare(self) -> None:
        channel = await self.broker.channel()
        await declare_consumer_queue(
            channel, events_exchange=EXCHANGE, consumer=self.name, routing_keys=[], delivery_limit=3
        )
        await channel.close()

    async def publish(self, *bodies: bytes) -> None:
        channel = await self.broker.channel(publisher_confirms=True)
        for body in bodies:
            await channel.default_exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=queue_name(self.name),
            )
        await channel.close()

    async def start(self) -> None:
        async def note(envelope: Envelope) -> None:
            self.committed.append(envelope.event_id)

        self.consumer = Consumer(
            name=self.name,
            pool=self.pool,
            schema="claims",
            connection=self.broker,
            events_exchange=EXCHANGE,
            subscriptions=[Subscription(OrganisationUpserted, apply_or_fail)],
            delivery_limit=3,
            on_committed=note,
        )
        await self.consumer.start()

    async def stop(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
        channel = await self.broker.channel()
        await channel.queue_delete(queue_name(self.name))
        await channel.queue_delete(dead_letter_queue_name(self.name))
        await channel.close()

    async def has_committed(self, count: int) -> bool:
        return len(self.committed) >= count

    async def applied(self, event_id: uuid.UUID) -> int:
        return int(
            await self.pool.fetchval("SELECT count(*) FROM claims.test_applied WHERE event_id = $1", event_id)
        )

    async def dead_letters(self, expected: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
        channel = await self.broker.channel()
        queue = await channel.get_queue(dead_letter_queue_name(self.name))
        found: list[aio_pika.abc.AbstractIncomingMessage] = []

        async def enough() -> bool:
            message = await queue.get(no_ack=True, fail=False)
            if message is not None:
                found.append(message)
            return len(found) >= expected

        await eventually(enough, timeout=15)
        await channel.close()
        return found


@pytest.fixture
async def harness(broker, pool) -> AsyncIterator[Harness]:
    harness = Harness(broker, pool)
    await harness.declare()
    yield harness
    await harness.stop()


async def test_a_batch_of_events_is_applied_once_each(harness):
    events = [event() for _ in range(50)]
    await harness.publish(*(e.model_dump_json().encode() for e in events))
    await harness.start()
    await eventually(lambda: harness.has_committed(50), timeout=15)
    for e in events:
        assert await harness.applied(e.event_id) == 1


async def test_duplicates_in_one_batch_and_later_are_applied_once(harness):
    twice = event()
    body = twice.model_dump_json().encode()
    await harness.publish(body, body)
    await harness.start()
    await eventually(lambda: harness.has_committed(2))
    await harness.publish(body)
    await eventually(lambda: harness.has_committed(3))
    assert harness.committed == [twice.event_id] * 3  # every copy acked after commit
    assert await harness.applied(twice.event_id) == 1


async def test_failing_and_poison_messages_leave_the_rest_of_their_batch_applied(harness):
    good = [event() for _ in range(10)]
    failing = event(name="Fail")
    bodies = [e.model_dump_json().encode() for e in good]
    await harness.publish(*bodies[:5], failing.model_dump_json().encode(), b"not json", *bodies[5:])
    await harness.start()
    await eventually(lambda: harness.has_committed(10), timeout=15)
    for e in good:
        assert await harness.applied(e.event_id) == 1
    dead = await harness.dead_letters(2)
    reasons = sorted((m.headers or {})[DEAD_LETTER_REASON] for m in dead)
    assert reasons[0].startswith("failed 3 deliveries: RuntimeError"), reasons
    assert reasons[1].startswith("invalid envelope"), reasons
    assert await harness.applied(failing.event_id) == 0
    assert failing.event_id not in harness.committed
