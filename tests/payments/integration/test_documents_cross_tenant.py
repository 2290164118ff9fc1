"""Every purchase order and remittance operation, called by each provider of the cross-tenant `world`
with another provider's ids (same authority and other authority): 404 (or an empty list), and no answer
holds anything of the other provider. The council sees its own authority's only. Then each provider
still sees its own."""

from __future__ import annotations

import pytest

from tests.payments.integration.po_scenario import build_scenario
from tests.payments.support import API, COUNCIL_API, bearer, payments_api, payments_conn


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def tenants(env, world):
    built = {}
    async with payments_conn(env) as conn:
        for p in world.providers:
            built[p.label] = await build_scenario(
                conn,
                authority_id=p.authority_id,
                organisation_id=p.organisation_id,
                label=p.label,
                contract_id=p.contract_id,
                service_id=p.service_id,
            )
    return built


def targeted(theirs):
    """(path, params) of every read aimed at the other's ids."""
    p = theirs.payee
    ops = [
        (f"{API}/purchase-orders/{o}", None) for o in (*theirs.orders, theirs.one_off, theirs.next_year_order)
    ]
    for r in theirs.remittances:
        ops += [(f"{API}/remittances/{r}", None), (f"{API}/remittances/{r}/lines.csv", None)]
    ops.append(
        (f"{API}/remittances/by-period", {"contract_id": str(p.contract_id), "period_start": "2019-10-07"})
    )
    return ops


def lists(theirs):
    p = theirs.payee
    return [
        (f"{API}/purchase-orders", {"financial_year": "2019/2020"}),
        (f"{API}/purchase-orders", {"financial_year": "2019/2020", "service_id": str(p.service_id)}),
        (f"{API}/purchase-orders", {"financial_year": "2019/2020", "client_id": str(p.client_ids[0])}),
        (f"{API}/purchase-orders/options", None),
        (f"{API}/remittances", {"financial_year": "2019/2020"}),
        (f"{API}/remittances", {"financial_year": "2019/2020", "contract_id": str(p.contract_id)}),
    ]


async def test_another_tenants_ids_are_not_found_and_nothing_of_theirs_is_listed(api, env, world, tenants):
    for me, other, relation in world.pairs():
        theirs = tenants[other.label]
        auth = bearer(world.token(env, me))
        secrets = other.markers() | theirs.payee.markers()
        for path, params in targeted(theirs):
            answer = await api.get(path, params=params, headers=auth)
            assert answer.status_code == 404, (me.label, other.label, relation, path, answer.text)
            said = answer.text.replace(path, "")
            assert [s for s in secrets if s in said] == [], (relation, path)
        for path, params in lists(theirs):
            answer = await api.get(path, params=params, headers=auth)
            assert answer.status_code == 200, (path, answer.text)
            assert [s for s in secrets if s in answer.text] == [], (
                me.label,
                other.label,
                relation,
                path,
                params,
            )


async def test_the_council_sees_its_own_authority_only(api, env, world, tenants):
    for mine, theirs in world.authority_pairs():
        council = bearer(world.council_token(env, mine))
        for p in theirs.providers:
            answer = await api.get(
                f"{COUNCIL_API}/remittances",
                params={"organisation_id": str(p.organisation_id)},
                headers=council,
            )
            assert answer.status_code == 200 and answer.json() == [], answer.text
        listed = (await api.get(f"{COUNCIL_API}/remittances", headers=council)).text
        for p in theirs.providers:
            assert [s for s in tenants[p.label].payee.markers() if s in listed] == []
        put = await api.put(
            f"{COUNCIL_API}/settings", json={"payment_terms": f"terms of {mine.label}"}, headers=council
        )
        assert put.status_code == 200
    for authority in world.authorities:
        council = bearer(world.council_token(env, authority))
        got = (await api.get(f"{COUNCIL_API}/settings", headers=council)).json()
        assert got["payment_terms"] == f"terms of {authority.label}"


async def test_each_provider_still_sees_its_own(api, env, world, tenants):
    for p in world.providers:
        mine = tenants[p.label]
        auth = bearer(world.token(env, p))
        for path, _ in targeted(mine):
            params = (
                {"contract_id": str(p.contract_id), "period_start": "2019-10-07"}
                if "by-period" in path
                else None
            )
            assert (await api.get(path, params=params, headers=auth)).status_code == 200, path
        listed = (
            await api.get(f"{API}/purchase-orders", params={"financial_year": "2019/2020"}, headers=auth)
        ).json()
        assert {r["purchase_order_id"] for r in listed} == {str(o) for o in (*mine.orders, mine.one_off)}
