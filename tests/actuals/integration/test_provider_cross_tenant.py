"""Every provider operation of the actuals service, called by each provider of the cross-tenant `world`
with another provider's service, line and client ids (same authority and other authority): 404 (or an
empty list for a list's filter), and no answer holds anything of the other provider."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actuals.domain.weeks import week_commencing
from actuals.handlers.week_access import today
from tests.actuals.support import actuals_api, actuals_conn, bearer, package_for

LAST_WEEK = week_commencing(today()) - timedelta(weeks=1)
API = "/api/v1/actuals"


@pytest.fixture(scope="module")
async def api(env):
    async with actuals_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def tenants(api, env, world):
    """Each provider of the world with a new service of its own (the world's are shared by the run's
    tests), its package and a generated week: {label: (package, week)}."""
    built = {}
    for provider in world.providers:
        async with actuals_conn(env) as conn:
            package = await package_for(conn, provider, clients=3, service_id=None)
        auth = bearer(world.token(env, provider))
        week = await api.post(f"{week_path(package.service_id)}/generate", headers=auth)
        assert week.status_code == 200, week.text
        built[provider.label] = (package, week.json())
    return built


def week_path(service_id):
    return f"{API}/services/{service_id}/weeks/{LAST_WEEK.isoformat()}"


def operations(mine, theirs, my_week, their_week):
    """(method, path, body, expected status) of every provider operation aimed at the other's ids."""
    their_line = their_week["lines"][0]["line_id"]
    version = my_week["version"]
    line_body = {"version": version, "actual": "1", "comment": "probe"}
    visits_body = {"version": version, "visits": []}
    ops = []
    for service in (theirs.service_id,):
        base = week_path(service)
        ops += [
            ("GET", base, None),
            ("POST", f"{base}/generate", None),
            ("POST", f"{base}/confirm", {"version": their_week["version"]}),
            ("PUT", f"{base}/lines/{their_line}", {**line_body, "version": their_week["version"]}),
            ("GET", f"{base}/lines/{their_line}/visits", None),
            ("PUT", f"{base}/lines/{their_line}/visits", {**visits_body, "version": their_week["version"]}),
        ]
    mine_base = week_path(mine.service_id)  # their line under my own service and week
    ops += [
        ("PUT", f"{mine_base}/lines/{their_line}", line_body),
        ("GET", f"{mine_base}/lines/{their_line}/visits", None),
        ("PUT", f"{mine_base}/lines/{their_line}/visits", visits_body),
    ]
    return ops


async def test_every_provider_operation_with_another_tenants_ids_is_not_found(api, env, world, tenants):
    for me, other, relation in world.pairs():
        mine, my_week = tenants[me.label]
        theirs, their_week = tenants[other.label]
        auth = bearer(world.token(env, me))
        secrets = other.markers() | theirs.markers()
        for method, path, body in operations(mine, theirs, my_week, their_week):
            answer = await api.request(method, path, json=body, headers=auth)
            assert answer.status_code == 404, (me.label, other.label, relation, method, path, answer.text)
            said = answer.text.replace(path, "")  # the problem's `instance` echoes the path asked for
            leaked = [s for s in secrets if s in said]
            assert leaked == [], (relation, method, path, leaked)


async def test_lists_filtered_by_another_tenants_ids_are_empty_and_leak_nothing(api, env, world, tenants):
    for me, other, relation in world.pairs():
        theirs, _ = tenants[other.label]
        auth = bearer(world.token(env, me))
        secrets = other.markers() | theirs.markers()
        probes = [
            ("/cplis", {"service_id": str(theirs.service_id)}),
            ("/cplis", {"client_id": str(theirs.client_ids[0])}),
            ("/cplis", {"service_level_id": str(theirs.hours_level_id), "include_historical": "true"}),
            ("/cplis.csv", {"service_id": str(theirs.service_id), "include_unauthorised": "true"}),
            ("/cplis/filters", {"service_id": str(theirs.service_id)}),
            ("/cplis/filters", {}),
            ("/cplis", {}),
            ("/services", {}),
            ("/summary", {}),
        ]
        for path, params in probes:
            answer = await api.get(f"{API}{path}", params=params, headers=auth)
            assert answer.status_code == 200, (relation, path, answer.text)
            leaked = [s for s in secrets if s in answer.text]
            assert leaked == [], (me.label, other.label, relation, path, params, leaked)
        filtered = (
            await api.get(f"{API}/cplis", params={"service_id": str(theirs.service_id)}, headers=auth)
        ).json()
        assert filtered == []


async def test_each_provider_still_sees_its_own(api, env, world, tenants):
    for provider in world.providers:
        mine, my_week = tenants[provider.label]
        auth = bearer(world.token(env, provider))
        others = set().union(*(tenants[p.label][0].markers() for p in world.providers if p is not provider))
        services = (await api.get(f"{API}/services", headers=auth)).json()
        assert str(mine.service_id) in {s["service_id"] for s in services}
        assert not {s["service_id"] for s in services} & others
        cplis = (
            await api.get(f"{API}/cplis", params={"service_id": str(mine.service_id)}, headers=auth)
        ).json()
        assert sorted(c["cpli_id"] for c in cplis) == sorted(str(c) for c in mine.cpli_ids)
        week = (await api.get(week_path(mine.service_id), headers=auth)).json()
        assert week["line_count"] == 3 and week["week_id"] == my_week["week_id"]
