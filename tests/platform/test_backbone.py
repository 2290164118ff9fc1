"""The event backbone end to end: outbox in the business transaction -> relay -> broker -> every
consumer's inbox, exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from identity import handlers
from identity.handlers.directory import council_system
from shared import db
from shared.bus import Outbox
from shared.events import OrganisationUpserted, make_envelope
from shared.service import run_worker
from shared.uow import Work
from tests.support.environment import RunEnvironment, definitions
from tests.support.inprocess import eventually

CONSUMERS = ["actuals", "payments", "claims", "messaging", "reports"]


@pytest.fixture(scope="module")
async def workers(env: RunEnvironment) -> AsyncIterator[None]:
    """Every service's worker (identity's relay, the five consumers), running in this loop."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run_worker(d, env.settings(d), stop=stop)) for d in definitions()]
    await asyncio.sleep(1.0)  # queues declared and bound before the first event
    for task in tasks:
        if task.done():
            task.result()
    yield
    stop.set()
    await asyncio.gather(*tasks)


async def count(env: RunEnvironment, service: str, sql: str, *args: object) -> int:
    conn = await db.connect(env.dsn(service))
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def test_event_is_applied_once_by_each_consumer(env, workers, authority):
    pool = await db.create_pool(env.dsn("identity"))
    try:
        org = await handlers.upsert_organisation(
            council_system(authority, "backbone-test"),
            Work(pool, Outbox("identity")),
            reference="P0001",
            name="Sausage Sandwich Fostering",
            active=True,
        )
    finally:
        await pool.close()
    for service in CONSUMERS:
        row = await eventually(
            lambda s=service: count(
                env,
                s,
                f"SELECT count(*) FROM {s}.organisation WHERE organisation_id = $1 AND name = $2",
                org.organisation_id,
                "Sausage Sandwich Fostering",
            )
        )
        assert row == 1
    event_id = await upsert_event(env, org.organisation_id)
    await asyncio.sleep(0.5)  # time for a duplicate, were one to come
    for service in CONSUMERS:
        applied = await count(
            env, service, f"SELECT count(*) FROM {service}.inbox WHERE event_id = $1", event_id
        )
        assert applied == 1, service


async def upsert_event(env: RunEnvironment, organisation_id: uuid.UUID) -> uuid.UUID:
    """The event the upsert wrote: the organisation's first in identity's outbox (a backfill that another
    service asks for meanwhile re-publishes it under a new event id, a second row)."""
    conn = await db.connect(env.dsn("identity"))
    try:
        event_id = await conn.fetchval(
            "SELECT event_id FROM identity.outbox"
            " WHERE convert_from(body, 'UTF8')::jsonb ->> 'aggregate_id' = $1 ORDER BY id LIMIT 1",
            str(organisation_id),
        )
    finally:
        await conn.close()
    assert event_id is not None
    return uuid.UUID(str(event_id))


async def test_rolled_back_transaction_publishes_nothing(env, workers, authority):
    pool = await db.create_pool(env.dsn("identity"))
    outbox = Outbox("identity")
    event_id = None
    try:
        with pytest.raises(RuntimeError, match="business rule failed"):
            async with pool.acquire() as conn, conn.transaction():
                envelope = make_envelope(
                    OrganisationUpserted(
                        organisation_id=uuid.uuid4(),
                        authority_id=authority,
                        name="Never",
                        reference="X",
                        active=True,
                        revision=1,
                        updated_at="2026-01-01T00:00:00Z",
                    ),
                    aggregate_id="x",
                    authority_id=authority,
                )
                event_id = envelope.event_id
                await outbox.add(conn, envelope)
                raise RuntimeError("business rule failed")
    finally:
        await pool.close()
    await asyncio.sleep(1.5)  # longer than the relay's polling interval
    assert (
        await count(env, "identity", "SELECT count(*) FROM identity.outbox WHERE event_id = $1", event_id)
        == 0
    )
    for service in CONSUMERS:
        assert (
            await count(env, service, f"SELECT count(*) FROM {service}.inbox WHERE event_id = $1", event_id)
            == 0
        )
