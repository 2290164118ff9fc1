"""actuals' clients and CPLIs as claims keeps them (`claims.client`, `claims.placement`): filled by the
events actuals publishes on the real broker, and, when claims' tables are empty, by the backfill its
worker asks actuals for at start (actuals re-publishes, claims' consumer applies; in an environment of
its own, where the tables are empty)."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest

from actuals.main import DEFINITION as ACTUALS
from claims.consumers import ask_for_missing_states
from claims.main import DEFINITION as CLAIMS
from shared import db
from shared.service import close_runtime, open_runtime, run_worker
from tests.actuals.integration.council_harness import (
    actuals_api_fixture,  # noqa: F401  (the `actuals_api` fixture)
    client_item,
    cpli_item,
    level_item,
    make_council,
    post,
)
from tests.actuals.support import actuals_conn, build_provider
from tests.claims.integration.council_harness import make_council as make_claims_council
from tests.claims.integration.council_harness import place_client
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually


async def kept(env, authority_id: uuid.UUID) -> tuple[list[tuple], list[tuple]]:
    """claims' clients (reference, name) and placements (organisation, client reference, dates,
    authorised) of the authority."""
    conn = await db.connect(env.dsn("claims"))
    try:
        clients = await conn.fetch(
            "SELECT reference, name FROM claims.client WHERE authority_id = $1 ORDER BY reference",
            authority_id,
        )
        placements = await conn.fetch(
            "SELECT p.organisation_id, c.reference, p.start_date, p.end_date, p.authorised"
            " FROM claims.placement p JOIN claims.client c USING (client_id)"
            " WHERE p.authority_id = $1 ORDER BY c.reference",
            authority_id,
        )
    finally:
        await conn.close()
    return [tuple(r) for r in clients], [tuple(r) for r in placements]


async def workers(env, stop: asyncio.Event) -> list[asyncio.Task]:
    return [
        asyncio.create_task(run_worker(ACTUALS, env.settings(ACTUALS), stop=stop)),
        asyncio.create_task(run_worker(CLAIMS, env.settings(CLAIMS), stop=stop)),
    ]


async def test_actuals_events_fill_claims_clients_and_placements(env, actuals_api):
    council = await make_council(env)
    organisation_id = council.providers[0].organisation_id
    ref = uuid.uuid4().hex[:6].upper()
    assert (
        await post(
            actuals_api,
            council,
            "clients",
            [client_item(1, reference=f"A{ref}", name="Mia Portal"), client_item(2, reference=f"B{ref}")],
        )
    ).status_code == 200
    assert (await post(actuals_api, council, "service-levels", [level_item()])).status_code == 200
    cplis = [
        cpli_item(1, council.service_id, reference=f"C1{ref}", client_reference=f"A{ref}"),
        cpli_item(
            2,
            council.service_id,
            reference=f"C2{ref}",
            client_reference=f"B{ref}",
            end_date="2026-06-30",
            authorised=False,
        ),
    ]
    assert (await post(actuals_api, council, "cplis", cplis)).status_code == 200
    stop = asyncio.Event()
    running = await workers(env, stop)
    try:

        async def both():
            clients, placements = await kept(env, council.authority_id)
            return (clients, placements) if len(clients) == 2 and len(placements) == 2 else None

        clients, placements = await eventually(both, timeout=60)
    finally:
        stop.set()
        await asyncio.gather(*running)
    assert clients == [(f"A{ref}", "Mia Portal"), (f"B{ref}", "Client 2")]
    assert placements == [
        (organisation_id, f"A{ref}", date(2026, 1, 5), None, True),
        (organisation_id, f"B{ref}", date(2026, 1, 5), date(2026, 6, 30), False),
    ]


async def backfill_requests(env) -> list[str]:
    conn = await db.connect(env.dsn("claims"))
    try:
        rows = await conn.fetch(
            "SELECT body FROM claims.outbox WHERE routing_key = 'actuals.backfill.requested.v1' ORDER BY id"
        )
    finally:
        await conn.close()
    return [json.loads(r["body"])["payload"]["aggregate_type"] for r in rows]


@pytest.fixture
async def late_env() -> AsyncIterator[RunEnvironment]:
    """An environment of its own, where claims' projections are empty as for a service that starts
    after actuals has published everything (emptying the run's shared tables would take rows from
    under other tests)."""
    late = RunEnvironment(run_id=f"late{secrets.token_hex(3)}")
    await late.create()
    try:
        yield late
    finally:
        await late.destroy()


async def test_empty_projections_are_backfilled_from_actuals_at_the_worker_s_start(late_env):
    """claims' worker starts with empty tables: it asks actuals for every client and CPLI, and actuals'
    answer fills them, including rows no event was ever published for."""
    env = late_env
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with actuals_conn(env) as conn:  # straight into actuals' tables: no event about them anywhere
        package = await build_provider(
            conn, authority_id=authority_id, organisation_id=organisation_id, clients=3, label="Backfill"
        )
    assert await backfill_requests(env) == []
    stop = asyncio.Event()
    running = await workers(env, stop)
    try:

        async def filled():
            clients, placements = await kept(env, authority_id)
            return (clients, placements) if len(clients) == 3 and len(placements) == 3 else None

        clients, placements = await eventually(filled, timeout=60)
    finally:
        stop.set()
        await asyncio.gather(*running)
    assert sorted(name for _, name in clients) == sorted(package.client_names)
    assert {p[0] for p in placements} == {organisation_id}
    assert all(p[4] for p in placements)  # build_provider's CPLIs are authorised
    assert await backfill_requests(env) == ["client", "cpli"]


async def test_a_worker_with_filled_projections_asks_for_nothing(env):
    council = await make_claims_council(env)
    await place_client(env, council, council.providers[0], "Already Here")  # a client and a placement
    stop = asyncio.Event()
    before = await backfill_requests(env)
    runtime = await open_runtime(CLAIMS, env.settings(CLAIMS))
    try:
        await ask_for_missing_states(runtime, stop)  # the worker's start-up task, run to its end
    finally:
        await close_runtime(runtime)
    assert await backfill_requests(env) == before
