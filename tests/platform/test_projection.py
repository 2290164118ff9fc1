"""Declared projections on the real database: the highest revision is kept whether events come one at a
time or many at once (a consumer's batch), in any order and twice; removals leave tombstones that a late
older state cannot bring back; the organisation list route reads the projection in the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from actuals.config import Settings as ActualsSettings
from shared import db
from shared.auth import ScopeType
from shared.projections import OrganisationProjection, Projection
from shared.service import ServiceDefinition, create_api
from tests.support.inprocess import serve
from tests.support.scratch import scratch
from tests.support.things import THING_TABLE, removed, thing, thing_projection, upserted


async def organisations(conn: asyncpg.Connection, authority: uuid.UUID) -> dict[uuid.UUID, tuple[str, int]]:
    rows = await conn.fetch(
        "SELECT organisation_id, name, revision FROM actuals.organisation WHERE authority_id = $1", authority
    )
    return {r["organisation_id"]: (r["name"], r["revision"]) for r in rows}


@pytest.fixture
async def actuals_conn(env) -> AsyncIterator[asyncpg.Connection]:
    conn = await db.connect(env.dsn("actuals"))
    try:
        yield conn
    finally:
        await conn.close()


async def test_one_at_a_time_an_older_state_or_the_same_twice_changes_nothing(actuals_conn, authority):
    projection = OrganisationProjection("actuals").projection
    org = uuid.uuid4()
    await projection.apply(actuals_conn, *upserted(org, authority, revision=2, name="Purple Care Ltd"))
    await projection.apply(actuals_conn, *upserted(org, authority, revision=1, name="stale"))
    await projection.apply(
        actuals_conn, *upserted(org, authority, revision=2, name="same revision, other name")
    )
    assert await organisations(actuals_conn, authority) == {org: ("Purple Care Ltd", 2)}
    await projection.apply(actuals_conn, *upserted(org, authority, revision=3, name="Purple Care"))
    assert await organisations(actuals_conn, authority) == {org: ("Purple Care", 3)}


async def test_many_at_once_keeps_the_highest_revision_of_each_as_one_at_a_time_does(actuals_conn, authority):
    projection = OrganisationProjection("actuals").projection
    first, second = uuid.uuid4(), uuid.uuid4()
    batch = [
        upserted(first, authority, revision=2, name="Sausage Sandwich Fostering"),
        upserted(first, authority, revision=1, name="stale: older than the one before it"),
        upserted(second, authority, revision=1, name="Purple Care"),
        upserted(second, authority, revision=3, name="Purple Care Ltd"),
        upserted(second, authority, revision=3, name="Purple Care Ltd"),  # twice
    ]
    async with actuals_conn.transaction():
        await projection.apply_many(actuals_conn, batch)
    await projection.apply(actuals_conn, *upserted(second, authority, revision=2, name="stale again"))
    assert await organisations(actuals_conn, authority) == {
        first: ("Sausage Sandwich Fostering", 2),
        second: ("Purple Care Ltd", 3),
    }


async def things(
    conn: asyncpg.Connection, projection: Projection
) -> dict[uuid.UUID, tuple[str | None, int, bool]]:
    rows = await conn.fetch(f"SELECT thing_id, title, revision, deleted FROM {projection.qualified_table}")
    return {r["thing_id"]: (r["title"], r["revision"], r["deleted"]) for r in rows}


async def live(conn: asyncpg.Connection, projection: Projection) -> set[uuid.UUID]:
    rows = await conn.fetch(f"SELECT thing_id FROM {projection.qualified_table} WHERE {projection.live}")
    return {r["thing_id"] for r in rows}


async def test_removals_leave_tombstones_that_only_a_newer_state_brings_back(env):
    async with scratch(env) as s, s.pool.acquire() as conn:
        await conn.execute(THING_TABLE.format(schema=s.schema))
        projection = thing_projection(s.schema)
        flagged, deleted, never_seen = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        for envelope, event in [
            thing(flagged, 1, "Kettle"),
            thing(flagged, 2, "Kettle", gone=True),  # the tombstone flag
            thing(flagged, 1, "Kettle, late"),
            thing(deleted, 1, "Toaster"),
            removed(deleted, 3),  # the delete event
            thing(deleted, 2, "Toaster, late"),
            removed(never_seen, 4),  # a removal before anything of it arrived
            thing(never_seen, 1, "Mug, late"),
        ]:
            await projection.apply(conn, envelope, event)
        assert await things(conn, projection) == {
            flagged: ("Kettle", 2, True),
            deleted: ("Toaster", 3, True),  # the tombstone keeps the last state's columns
            never_seen: (None, 4, True),
        }
        assert await live(conn, projection) == set()
        await projection.apply(conn, *thing(deleted, 5, "Toaster, back"))
        await projection.apply(conn, *removed(flagged, 2))  # the same removal twice: nothing changes
        assert await live(conn, projection) == {deleted}
        assert (await things(conn, projection))[deleted] == ("Toaster, back", 5, False)


async def test_a_batch_of_states_and_removals_ends_as_one_at_a_time_does_in_any_order(env):
    ids = [uuid.uuid4() for _ in range(3)]
    events = [
        thing(ids[0], 1, "a1"),
        removed(ids[0], 2),
        thing(ids[0], 1, "a1"),  # twice
        thing(ids[1], 3, "b3"),
        thing(ids[1], 2, "b2"),
        removed(ids[2], 1),
        thing(ids[2], 2, "c2"),
        thing(ids[2], 2, "c2"),
    ]
    expected = {
        ids[0]: ("a1", 2, True),
        ids[1]: ("b3", 3, False),
        ids[2]: ("c2", 2, False),
    }
    async with scratch(env) as s, s.pool.acquire() as conn:
        await conn.execute(THING_TABLE.format(schema=s.schema))
        projection = thing_projection(s.schema)
        async with conn.transaction():
            await projection.apply_many(conn, events)
        assert await things(conn, projection) == expected
        await conn.execute(f"TRUNCATE {projection.qualified_table}")
        async with conn.transaction():
            await projection.apply_many(conn, list(reversed(events)))
        assert await things(conn, projection) == expected


async def test_the_organisation_route_pages_within_the_callers_scope(env, actuals_conn, authority):
    projection = OrganisationProjection("actuals")
    own, others = uuid.uuid4(), [uuid.uuid4() for _ in range(2)]
    for org, name in [(own, "Beech House"), (others[0], "Ash Lodge"), (others[1], "Cedar Court")]:
        await projection.projection.apply(actuals_conn, *upserted(org, authority, revision=1, name=name))
    definition = ServiceDefinition(
        name="actuals", title="actuals", settings_cls=ActualsSettings, routers=[projection.router("actuals")]
    )

    async def names(
        client: httpx.AsyncClient, token: str, query: str = ""
    ) -> tuple[int, list[str], str | None]:
        response = await client.get(
            f"/api/v1/actuals/organisations{query}", headers={"authorization": f"Bearer {token}"}
        )
        body = response.json()
        return (
            response.status_code,
            [o["name"] for o in body] if response.is_success else body,
            response.headers.get("link"),
        )

    async with serve(create_api(definition, env.settings(definition))) as client:
        council = env.council_token(authority)
        assert await names(client, council, "?limit=2") == (
            200,
            ["Ash Lodge", "Beech House"],
            '</api/v1/actuals/organisations?limit=2&offset=2>; rel="next"',
        )
        assert await names(client, council, "?limit=2&offset=2") == (200, ["Cedar Court"], None)
        contract_scoped = env.token(
            authority_id=authority, organisation_id=own, scope_type=ScopeType.contract, scope_id=uuid.uuid4()
        )
        assert await names(client, contract_scoped) == (200, ["Beech House"], None)
        unlinked = env.token(authority_id=authority, organisation_id=None, scope_type=ScopeType.organisation)
        status, problem, _ = await names(client, unlinked)
        assert (status, problem["detail"]) == (403, "this login is not linked to an organisation")
