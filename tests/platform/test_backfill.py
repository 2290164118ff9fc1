"""The backfill end to end, on the real database and broker: a consumer that starts with an empty
projection asks identity (or an operator tells identity) to re-publish its organisations, and the
projection fills with identity's current states, keeping any newer one it already holds. What identity
re-publishes is what its handlers last published."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

import asyncpg

from actuals.config import Settings as ActualsSettings
from identity.handlers.common import authority_by_id
from identity.handlers.directory import authority_event
from identity.main import DEFINITION as IDENTITY
from identity.republishing import REPUBLISHERS
from shared import db
from shared.backfill import republish
from shared.bus import Outbox
from shared.operations import operation_command
from shared.projections import Projection, organisation_projection
from shared.service import Runtime, ServiceDefinition, close_runtime, open_runtime, run_migrations, run_worker
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually
from tests.support.scratch import Scratch, scratch
from tests.support.tenants import World
from tests.support.things import upserted


async def test_what_identity_republishes_is_what_its_handlers_last_published(
    env: RunEnvironment, world: World
):
    marker = f"backfill-{uuid.uuid4()}"
    conn = await db.connect(env.dsn("identity"))
    try:
        republish_tx = conn.transaction()
        await republish_tx.start()
        try:
            counts = {
                r.aggregate: await republish(conn, Outbox("identity"), r, correlation_id=marker, chunk=3)
                for r in REPUBLISHERS
            }
            totals = {
                "authority": await conn.fetchval("SELECT count(*) FROM identity.authority"),
                "organisation": await conn.fetchval("SELECT count(*) FROM identity.organisation"),
                "user": await conn.fetchval("SELECT count(*) FROM identity.app_user"),
                "contract": await conn.fetchval("SELECT count(*) FROM identity.contract"),
                "provider_service": await conn.fetchval("SELECT count(*) FROM identity.provider_service"),
            }
            # An authority is re-published as identity's handlers build its event on each change.
            as_handled = authority_event(await authority_by_id(conn, world.authorities[0].authority_id))
            rows = await conn.fetch(
                "SELECT body FROM identity.outbox WHERE routing_key = ANY($1) ORDER BY id",
                [r.event.routing_key() for r in REPUBLISHERS],
            )
        finally:
            await republish_tx.rollback()  # the other services need not receive them all
    finally:
        await conn.close()
    assert counts == totals
    last_published: dict[str, dict] = {}
    republished: dict[str, dict] = {}
    for row in rows:
        envelope = json.loads(row["body"])
        kept = republished if envelope["correlation_id"] == marker else last_published
        kept[envelope["aggregate_id"]] = envelope
    again = republished[str(world.authorities[0].authority_id)]
    assert again["payload"] == as_handled.model_dump(mode="json")
    assert (again["authority_id"], again["event_type"]) == (
        str(world.authorities[0].authority_id),
        "identity.authority.upserted",
    )
    for provider in world.providers:
        for aggregate_id in (
            provider.organisation_id,
            provider.user_id,
            provider.contract_id,
            provider.service_id,
        ):
            again, before = republished[str(aggregate_id)], last_published[str(aggregate_id)]
            assert again["payload"] == before["payload"], provider.label
            assert (again["authority_id"], again["event_type"]) == (
                before["authority_id"],
                before["event_type"],
            )


async def add_to_identity(
    env: RunEnvironment, authority: uuid.UUID
) -> dict[uuid.UUID, tuple[str, int, bool]]:
    """Organisations in identity's table with no event about them anywhere: as if published long before
    the consumer existed."""
    made = {
        uuid.uuid4(): (name, revision, active)
        for name, revision, active in [
            ("Ash Lodge", 1, True),
            ("Beech House", 4, True),
            ("Cedar Court", 2, False),
        ]
    }
    conn = await db.connect(env.dsn("identity"))
    try:
        for org, (name, revision, active) in made.items():
            await conn.execute(
                "INSERT INTO identity.organisation (organisation_id, authority_id, name, reference, active, revision)"
                " VALUES ($1, $2, $3, $4, $5, $6)",
                org,
                authority,
                name,
                f"R-{org.hex[:8]}",
                active,
                revision,
            )
    finally:
        await conn.close()
    return made


async def kept(
    pool: asyncpg.Pool, projection: Projection, authority: uuid.UUID
) -> dict[uuid.UUID, tuple[str, int, bool]]:
    rows = await pool.fetch(
        f"SELECT organisation_id, name, revision, active FROM {projection.qualified_table} WHERE authority_id = $1",
        authority,
    )
    return {r["organisation_id"]: (r["name"], r["revision"], r["active"]) for r in rows}


@asynccontextmanager
async def consumer_and_identity(
    env: RunEnvironment, s: Scratch
) -> AsyncIterator[tuple[Projection, Runtime, Runtime]]:
    """A new consumer of identity's organisations (its table made by the services' own migration) and
    identity's worker, both running; yields the projection and a runtime of each, for the operations."""
    sql = (files("actuals") / "migrations" / "0001_organisation_projection.sql").read_text()
    await s.pool.execute(sql.replace("actuals.", f"{s.schema}."))
    projection = organisation_projection(s.schema)
    consumer = ServiceDefinition(
        name=s.name,
        title="a consumer added later",
        settings_cls=ActualsSettings,
        subscriptions=projection.subscriptions(),
    )
    settings = env.settings(consumer, database_url=env.dsn("actuals"))
    await run_migrations(consumer, settings)  # its queue, bound to identity's organisation events
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(run_worker(consumer, settings, stop=stop)),
        asyncio.create_task(run_worker(IDENTITY, env.settings(IDENTITY), stop=stop)),
    ]
    runtimes = [await open_runtime(consumer, settings), await open_runtime(IDENTITY, env.settings(IDENTITY))]
    try:
        yield projection, runtimes[0], runtimes[1]
    finally:
        stop.set()
        await asyncio.gather(*workers)
        for runtime in runtimes:
            await close_runtime(runtime)


async def operate(runtime: Runtime, capsys, *words: str) -> list[dict]:
    await operation_command(runtime.definition, list(words))(runtime, asyncio.Event())
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


async def test_a_consumer_added_later_asks_identity_and_fills_with_its_current_organisations(
    env, authority, capsys
):
    current = await add_to_identity(env, authority)
    _, beech, _ = current
    async with scratch(env) as s, consumer_and_identity(env, s) as (projection, consumer, identity):
        assert await kept(s.pool, projection, authority) == {}
        # One state it already holds is newer than identity's (a later event that came first): it stays.
        async with s.pool.acquire() as conn:
            await projection.apply(conn, *upserted(beech, authority, revision=9, name="Beech House Ltd"))
        [asked] = await operate(
            consumer, capsys, "backfill", "request", "--from", "identity", "--aggregate", "organisation"
        )
        assert (asked["requested"], asked["aggregate"]) == ("identity.backfill.requested.v1", "organisation")
        expected = current | {beech: ("Beech House Ltd", 9, True)}
        await eventually(lambda: _equal(kept(s.pool, projection, authority), expected), timeout=60)
        answered = await identity.pool.fetchval(
            "SELECT count(*) FROM identity.inbox WHERE event_id = $1", uuid.UUID(asked["event_id"])
        )
        assert answered == 1


async def test_an_operator_has_identity_republish_and_every_consumer_fills(env, authority, capsys):
    current = await add_to_identity(env, authority)
    async with scratch(env) as s, consumer_and_identity(env, s) as (projection, _, identity):
        total = await identity.pool.fetchval("SELECT count(*) FROM identity.organisation")
        [done] = await operate(identity, capsys, "republish", "organisation")
        assert done["aggregate"] == "organisation" and done["republished"] >= total
        await eventually(lambda: _equal(kept(s.pool, projection, authority), current), timeout=60)


async def _equal(found, expected) -> bool:
    return (await found) == expected
