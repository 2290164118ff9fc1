"""PostgreSQL goes away and comes back.

Under a service API: /readyz says so each time, and the same process serves authenticated requests
again, without a restart. Under a consumer with messages in hand: they wait for the database instead of
being spent on retries and dead-lettered, and each is applied once when it is back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from actuals.main import DEFINITION as ACTUALS
from shared import db
from shared.bus import OutboxRelay
from shared.service import create_api, run_worker
from tests.support.inprocess import eventually, serve
from tests.support.scratch import Scratch, organisation, robust_connection, scratch, scratch_worker
from tests.support.tcp_proxy import TcpProxy, proxy_to


async def test_readiness_follows_the_database_and_the_api_recovers_without_restart(env, authority):
    organisation_id = await _projected_organisation(env, authority, name="Sausage Sandwich Fostering")
    token = env.token(authority_id=authority, organisation_id=organisation_id)
    headers = {"authorization": f"Bearer {token}"}

    async with proxy_to("127.0.0.1", 5432) as proxy:
        app = create_api(ACTUALS, env.settings(ACTUALS, database_url=_dsn_via(proxy, env.dsn("actuals"))))
        async with serve(app) as client:
            runtime = app.state.runtime
            ready = await client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json() == {"ready": True, "checks": {"database": True, "broker": True}}
            listed = await client.get("/api/v1/actuals/organisations", headers=headers)
            assert listed.status_code == 200, listed.text
            assert [o["name"] for o in listed.json()] == ["Sausage Sandwich Fostering"]

            proxy.cut(refuse_new=True)
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json() == {"ready": False, "checks": {"database": False, "broker": True}}
            failed = await client.get("/api/v1/actuals/organisations", headers=headers)
            assert failed.status_code >= 500
            assert failed.headers["content-type"] == "application/problem+json"

            proxy.restore()
            await eventually(lambda: _ready(client), timeout=10)
            listed = await client.get("/api/v1/actuals/organisations", headers=headers)
            assert listed.status_code == 200
            assert [o["name"] for o in listed.json()] == ["Sausage Sandwich Fostering"]
            assert app.state.runtime is runtime, "the API was restarted"
            assert proxy.connections >= 2, "the pool did not reconnect through the proxy"


EVENTS = 100  # more than the consumer's prefetch, so some wait in the queue and some in hand
RETRY_DELAYS = [0.1, 0.2]  # so a message's whole retry budget is 0.1 + 0.2 s of back-off
OUTAGE_SECONDS = 1.5  # five times that budget


async def test_consumer_holds_its_messages_while_the_database_is_down_and_applies_each_once(env):
    async with (
        scratch(env) as s,
        proxy_to("127.0.0.1", 5432) as proxy,
        robust_connection(env.amqp_url) as relay_connection,
    ):
        stop = asyncio.Event()
        consumer = asyncio.create_task(
            run_worker(
                scratch_worker(s, s.record),
                env.settings(
                    ACTUALS,
                    database_url=_dsn_via(proxy, env.dsn("actuals")),
                    events_exchange=s.exchange,
                    consumer_retry_delays=RETRY_DELAYS,
                ),
                stop=stop,
                relay=False,
            )
        )
        # The relay reaches the database directly: only the consumer loses it.
        relay = OutboxRelay(
            pool=s.pool, schema=s.schema, connection=relay_connection, events_exchange=s.exchange
        )
        try:
            await eventually(lambda: s.declared(s.queue), timeout=10)
            proxy.cut(refuse_new=True)
            written = []
            for i in range(EVENTS):
                envelope = organisation(f"org-{i:03d}")
                await s.write(envelope)
                written.append(envelope.event_id)
            assert await relay.relay_once() == EVENTS
            await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself, not a wait for a condition
            proxy.restore()

            await eventually(lambda: _applied_or_dead_lettered(s, EVENTS), timeout=20)
            dead_lettered = await s.ready(s.dead_letter_queue)
            assert dead_lettered == 0, f"{dead_lettered} events dead-lettered for a database outage"
            await eventually(s.settled, timeout=10)
        finally:
            proxy.restore()
            stop.set()
            await asyncio.wait_for(consumer, timeout=15)

        assert sorted(await s.applied_ids()) == sorted(written), "an event was lost or applied twice"
        assert sorted(await s.inbox_ids()) == sorted(written)
        assert proxy.refused > 0, "the consumer never found the database gone"


async def _applied_or_dead_lettered(s: Scratch, n: int) -> bool:
    return await s.applied_count() >= n or await s.ready(s.dead_letter_queue) > 0


async def _ready(client) -> bool:
    response = await client.get("/readyz")
    return response.status_code == 200 and response.json()["checks"]["database"] is True


def _dsn_via(proxy: TcpProxy, dsn: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))


async def _projected_organisation(env, authority_id: uuid.UUID, *, name: str) -> uuid.UUID:
    """An organisation as actuals knows it from identity's events."""
    organisation_id = uuid.uuid4()
    conn = await db.connect(env.dsn("actuals"))
    try:
        await conn.execute(
            "INSERT INTO actuals.organisation"
            " (organisation_id, authority_id, name, reference, active, revision, updated_at)"
            " VALUES ($1, $2, $3, 'P000148', true, 1, $4)",
            organisation_id,
            authority_id,
            name,
            datetime.now(UTC),
        )
    finally:
        await conn.close()
    return organisation_id
