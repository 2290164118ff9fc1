"""The outbox relay on its own: wakes on NOTIFY, sweeps what it published long ago, keeps relaying."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aio_pika
import asyncpg
import pytest

from shared import db
from shared.bus import Outbox, OutboxRelay
from shared.events import OrganisationUpserted, make_envelope
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually


@pytest.fixture
async def identity_pool(env: RunEnvironment) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(env.dsn("identity"))
    yield pool
    await pool.close()


@pytest.fixture
async def running_relay(env: RunEnvironment, identity_pool: asyncpg.Pool) -> AsyncIterator[OutboxRelay]:
    """A relay whose polling is too slow to matter: whatever it publishes promptly, NOTIFY woke it for."""
    connection = await aio_pika.connect_robust(env.amqp_url)
    relay = OutboxRelay(
        pool=identity_pool,
        schema="identity",
        connection=connection,
        events_exchange="portal.events",
        poll_seconds=60,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    yield relay
    stop.set()
    await task
    await connection.close()


async def add_event(pool: asyncpg.Pool) -> uuid.UUID:
    authority_id = uuid.uuid4()
    envelope = make_envelope(
        OrganisationUpserted(
            organisation_id=uuid.uuid4(),
            authority_id=authority_id,
            name="Relay Test Fostering",
            reference="R1",
            active=True,
            revision=1,
            updated_at="2026-01-01T00:00:00Z",
        ),
        aggregate_id="r1",
        authority_id=authority_id,
    )
    async with pool.acquire() as conn, conn.transaction():
        await Outbox("identity").add(conn, envelope)
    return envelope.event_id


async def published(pool: asyncpg.Pool, event_id: uuid.UUID) -> bool:
    async with pool.acquire() as conn:
        return bool(
            await conn.fetchval(
                "SELECT published_at IS NOT NULL FROM identity.outbox WHERE event_id = $1", event_id
            )
        )


async def test_sweeps_old_published_rows_and_keeps_relaying(env, identity_pool):
    old = await add_event(identity_pool)
    async with identity_pool.acquire() as conn:
        await conn.execute(
            "UPDATE identity.outbox SET published_at = now() - interval '8 days' WHERE event_id = $1", old
        )
    connection = await aio_pika.connect_robust(env.amqp_url)
    relay = OutboxRelay(
        pool=identity_pool, schema="identity", connection=connection, events_exchange="portal.events"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        fresh = await add_event(identity_pool)
        await eventually(lambda: published(identity_pool, fresh), timeout=20)
        async with identity_pool.acquire() as conn:
            gone = await eventually(
                lambda: conn.fetchval("SELECT count(*) = 0 FROM identity.outbox WHERE event_id = $1", old),
                timeout=5,
            )
        assert gone
        assert not task.done()
    finally:
        stop.set()
        await task
        await connection.close()


async def test_wakes_on_notify_for_every_commit(identity_pool, running_relay):
    for _ in range(5):
        event_id = await add_event(identity_pool)
        await eventually(lambda e=event_id: published(identity_pool, e), timeout=20)
