"""Two people on the same week at once: the later save with the old version gets a conflict and the
first save is kept; of two confirmations one wins; two Generate Actuals make every line once."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import pytest

from actuals.domain.weeks import week_commencing
from actuals.handlers.week_access import today
from shared.auth import Role
from tests.actuals.support import actuals_api, actuals_conn, bearer, build_provider

LAST_WEEK = week_commencing(today()) - timedelta(weeks=1)


@pytest.fixture(scope="module")
async def api(env):
    async with actuals_api(env) as client:
        yield client


async def two_users(env, clients=4):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with actuals_conn(env) as conn:
        package = await build_provider(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            clients=clients,
            timetable_every=0,
        )
    ann, bob = (
        bearer(
            env.token(
                authority_id=authority_id, organisation_id=organisation_id, role=Role.care, subject=name
            )
        )
        for name in ("ann", "bob")
    )
    base = f"/api/v1/actuals/services/{package.service_id}/weeks/{LAST_WEEK.isoformat()}"
    return package, base, ann, bob


async def test_the_later_save_from_an_old_version_is_refused_and_the_first_kept(api, env):
    _, base, ann, bob = await two_users(env)
    week = (await api.post(f"{base}/generate", headers=ann)).json()
    opened_by_bob = (await api.get(base, headers=bob)).json()
    first, second = week["lines"][0], week["lines"][2]

    saved = await api.put(
        f"{base}/lines/{first['line_id']}",
        json={"version": week["version"], "actual": "9", "comment": "Ann: one hour short"},
        headers=ann,
    )
    assert saved.status_code == 200
    late = await api.put(
        f"{base}/lines/{second['line_id']}",
        json={"version": opened_by_bob["version"], "actual": "8", "comment": "Bob: two hours short"},
        headers=bob,
    )
    assert late.status_code == 409
    assert "someone else changed this week" in late.json()["detail"]

    now = {line["line_id"]: line for line in (await api.get(base, headers=bob)).json()["lines"]}
    assert (
        now[first["line_id"]]["actual"] == "9" and now[first["line_id"]]["comment"] == "Ann: one hour short"
    )
    assert now[second["line_id"]]["actual"] == second["actual"]  # Bob's late save changed nothing


async def test_two_saves_at_once_from_the_same_version_one_wins(api, env):
    _, base, ann, bob = await two_users(env)
    week = (await api.post(f"{base}/generate", headers=ann)).json()
    line_id = week["lines"][0]["line_id"]
    answers = await asyncio.gather(
        api.put(
            f"{base}/lines/{line_id}",
            json={"version": week["version"], "actual": "9", "comment": "Ann"},
            headers=ann,
        ),
        api.put(
            f"{base}/lines/{line_id}",
            json={"version": week["version"], "actual": "8", "comment": "Bob"},
            headers=bob,
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = next(a for a in answers if a.status_code == 200).json()["line"]
    shown = next(
        line for line in (await api.get(base, headers=ann)).json()["lines"] if line["line_id"] == line_id
    )
    assert (shown["actual"], shown["comment"]) == (winner["actual"], winner["comment"])


async def test_two_confirmations_at_once_one_wins(api, env):
    _, base, ann, bob = await two_users(env)
    week = (await api.post(f"{base}/generate", headers=ann)).json()
    answers = await asyncio.gather(
        api.post(f"{base}/confirm", json={"version": week["version"]}, headers=ann),
        api.post(f"{base}/confirm", json={"version": week["version"]}, headers=bob),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    week_id = uuid.UUID(week["week_id"])
    async with actuals_conn(env) as conn:
        confirmations = await conn.fetchval(
            "SELECT count(*) FROM actuals.confirmation WHERE week_id = $1", week_id
        )
        bodies = await conn.fetch(
            "SELECT body FROM actuals.outbox WHERE routing_key = 'actuals.week.confirmed.v1'"
        )
    assert confirmations == 1
    assert sum(1 for b in bodies if json.loads(b["body"])["payload"]["week_id"] == week["week_id"]) == 1


async def test_two_generates_at_once_make_every_line_once(api, env):
    package, base, ann, bob = await two_users(env, clients=30)
    answers = await asyncio.gather(
        api.post(f"{base}/generate", headers=ann), api.post(f"{base}/generate", headers=bob)
    )
    assert [a.status_code for a in answers] == [200, 200]
    async with actuals_conn(env) as conn:
        lines = await conn.fetchval(
            "SELECT count(*) FROM actuals.actual_line WHERE service_id = $1", package.service_id
        )
        weeks = await conn.fetchval(
            "SELECT count(*) FROM actuals.actual_week WHERE service_id = $1", package.service_id
        )
    assert (lines, weeks) == (30, 1)
