"""The cross-tenant harness over actuals' council API: the council of authority B cannot read, unlock or
upsert onto authority A's rows, and no provider can use the council API. The world's contracts and
services reach actuals' projections as the demo seeder puts them there (identity's current states)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from devtools.demo_actuals import project_directory
from shared import db
from tests.actuals.integration.council_harness import (
    Council,
    Provider,
    actuals_api_fixture,  # noqa: F401  (the `actuals_api` fixture)
    client_item,
    cpli_item,
    level_item,
    post,
    published,
)
from tests.actuals.integration.test_council_weeks import THIS_WEEK, add_week, week_row
from tests.support.tenants import World

PATHS = ("clients", "service-levels", "cplis", "confirmations", "late-weeks")
LAST_WEEK = THIS_WEEK - timedelta(weeks=1)


@pytest.fixture(scope="module")
async def councils(env, world: World) -> dict[str, Council]:
    """Each authority of the world as a council, its providers in actuals' projections, and authority A
    with care packages and a confirmed week of its first provider."""
    identity = await db.connect(env.dsn("identity"))
    actuals = await db.connect(env.dsn("actuals"))
    try:
        await project_directory(identity, actuals)
    finally:
        await identity.close()
        await actuals.close()
    found = {
        a.label: Council(
            a.authority_id,
            env.council_token(a.authority_id),
            [Provider(p.organisation_id, p.contract_id, p.service_id) for p in a.providers],
        )
        for a in world.authorities
    }
    return found


async def test_the_world_s_services_are_in_actuals_projection(env, world: World, councils):
    conn = await db.connect(env.dsn("actuals"))
    try:
        for provider in world.providers:
            row = await conn.fetchrow(
                "SELECT s.authority_id, s.organisation_id, c.payment_basis FROM actuals.provider_service s"
                " JOIN actuals.contract c USING (contract_id) WHERE s.service_id = $1",
                provider.service_id,
            )
            assert (row["authority_id"], row["organisation_id"], row["payment_basis"]) == (
                provider.authority_id,
                provider.organisation_id,
                "actuals",
            )
    finally:
        await conn.close()


async def test_authority_b_cannot_read_unlock_or_upsert_onto_authority_a(env, actuals_api, councils):
    a, b = councils["A"], councils["B"]
    ref = uuid.uuid4().hex[:6].upper()
    assert (
        await post(actuals_api, a, "clients", [client_item(1, reference=f"A{ref}", name=f"Mrs A {ref}")])
    ).status_code == 200
    assert (await post(actuals_api, a, "service-levels", [level_item(f"L{ref}")])).status_code == 200
    mine = cpli_item(
        1, a.service_id, reference=f"C{ref}", client_reference=f"A{ref}", service_level_reference=f"L{ref}"
    )
    assert (await post(actuals_api, a, "cplis", [mine])).status_code == 200
    week_id = await add_week(env, a, LAST_WEEK)
    before = await week_row(env, week_id)
    a_events = {
        k: len(await published(env, k, a.authority_id))
        for k in ("actuals.client.upserted.v1", "actuals.cpli.upserted.v1")
    }
    markers = {
        f"A{ref}",
        f"Mrs A {ref}",
        f"L{ref}",
        f"C{ref}",
        str(week_id),
        str(a.service_id),
        str(a.providers[0].organisation_id),
    }

    # B reads: nothing of A's in any list, with or without A's ids as filters.
    for path in PATHS:
        for query in (
            "",
            f"?organisation_id={a.providers[0].organisation_id}",
            f"?service_id={a.service_id}",
        ):
            if path in ("clients", "service-levels") and query:
                continue
            if path == "late-weeks" and "service_id" in query:
                continue
            answer = await actuals_api.get(f"/council/v1/actuals/{path}{query}", headers=b.headers)
            assert answer.status_code == 200, (path, query, answer.text)
            assert not any(m in answer.text for m in markers), (path, query)

    # B unlocks A's week: not found (never forbidden: A's ids are not confirmed to exist), nothing changes.
    unlock = await actuals_api.post(
        f"/council/v1/actuals/weeks/{week_id}/unlock", json={"reason": "mine now"}, headers=b.headers
    )
    unknown = await actuals_api.post(
        f"/council/v1/actuals/weeks/{uuid.uuid4()}/unlock", json={"reason": "mine now"}, headers=b.headers
    )
    assert unlock.status_code == unknown.status_code == 404  # the same answer as for an id that is nobody's
    assert unlock.json()["detail"] == unknown.json()["detail"]
    assert await week_row(env, week_id) == before

    # B upserts onto A's service: refused by name, nothing written anywhere.
    assert (
        await post(actuals_api, b, "clients", [client_item(2, reference=f"A{ref}", name="B's own client")])
    ).status_code == 200
    assert (await post(actuals_api, b, "service-levels", [level_item(f"L{ref}")])).status_code == 200
    theirs = cpli_item(
        2, a.service_id, reference=f"C{ref}", client_reference=f"A{ref}", service_level_reference=f"L{ref}"
    )
    refused = await post(actuals_api, b, "cplis", [theirs])
    assert refused.status_code == 422
    assert [(e["index"], e["field"]) for e in refused.json()["errors"]] == [(0, "service_id")]
    assert await published(env, "actuals.cpli.upserted.v1", b.authority_id) == []

    # The same references in B are B's own rows: A's client, service level and CPLI stay as they were.
    a_clients = (await actuals_api.get("/council/v1/actuals/clients?limit=500", headers=a.headers)).json()
    assert [(c["name"], c["revision"]) for c in a_clients if c["reference"] == f"A{ref}"] == [
        (f"Mrs A {ref}", 1)
    ]
    a_cplis = (
        await actuals_api.get(f"/council/v1/actuals/cplis?service_id={a.service_id}", headers=a.headers)
    ).json()
    assert [(c["reference"], c["revision"]) for c in a_cplis] == [(f"C{ref}", 1)]
    assert {k: len(await published(env, k, a.authority_id)) for k in a_events} == a_events


async def test_providers_cannot_use_the_council_api(env, world: World, actuals_api, councils):
    provider = world.authorities[0].providers[0]
    headers = {"authorization": f"Bearer {world.token(env, provider)}"}
    for path in PATHS:
        assert (await actuals_api.get(f"/council/v1/actuals/{path}", headers=headers)).status_code == 403
    for path in ("clients", "service-levels", "cplis"):
        assert (
            await actuals_api.post(f"/council/v1/actuals/{path}", json=[client_item(1)], headers=headers)
        ).status_code == 403
    week_id = await add_week(env, councils["A"], LAST_WEEK - timedelta(weeks=1))
    answer = await actuals_api.post(
        f"/council/v1/actuals/weeks/{week_id}/unlock", json={"reason": "x"}, headers=headers
    )
    assert answer.status_code == 403
    assert (await week_row(env, week_id))["state"] == "confirmed"
