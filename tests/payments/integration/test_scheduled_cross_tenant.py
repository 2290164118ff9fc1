"""The cross-tenant harness over scheduled payments: every provider and council operation, called by
each tenant of the `world` with another tenant's payment, line and dispute ids (same authority and
other authority), answers 404 and holds nothing of the other tenant, whose rows stay as they were; the
lists and the summary hold only the caller's own. Contract- and service-scoped people see their
contract's payments."""

from __future__ import annotations

from datetime import date

import pytest

from shared.auth import ScopeType
from tests.payments.integration.scheduled import DURHAM, requests_of, rows_of
from tests.payments.support import (
    API,
    COUNCIL_API,
    bearer,
    build_payee,
    payments_api,
    payments_conn,
    seed_payment,
)

SP = f"{API}/scheduled-payments"
COUNCIL_SP = f"{COUNCIL_API}/scheduled-payments"


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def tenants(api, env, world):
    """Each provider of the world paid on its own contract: one payment with a disputed line (a pending
    dispute) and one unconfirmed: {label: (payee, disputed, unconfirmed, request_id)}. In 2017/2018: the
    other payments harnesses pay the world's contracts in 2019/2020, and a period has one payment."""
    built = {}
    for provider in world.providers:
        async with payments_conn(env) as conn:
            payee = await build_payee(
                conn,
                authority_id=provider.authority_id,
                organisation_id=provider.organisation_id,
                organisation_name=provider.organisation_name,
                label=provider.label,
                contract_id=provider.contract_id,
                service_id=provider.service_id,
                costs=DURHAM,
            )
            disputed = await seed_payment(conn, payee, period_start=date(2017, 9, 25), amounts=DURHAM)
            open_ = await seed_payment(conn, payee, period_start=date(2017, 10, 2), amounts=DURHAM)
        answer = await api.post(
            f"{SP}/{disputed.payment_id}/dispute",
            json={
                "version": 1,
                "reason": f"Secret reason of {provider.label}",
                "line_ids": [str(disputed.line_ids[0])],
            },
            headers=bearer(world.token(env, provider)),
        )
        assert answer.status_code == 200, answer.text
        [request] = await requests_of(env, provider.organisation_id)
        payee.extra.update(
            disputed=str(disputed.payment_id),
            unconfirmed=str(open_.payment_id),
            reason=f"Secret reason of {provider.label}",
            request=str(request["request_id"]),
            **{f"line{n}": str(i) for n, i in enumerate([*disputed.line_ids, *open_.line_ids])},
        )
        built[provider.label] = (payee, disputed, open_, request["request_id"])
    return built


def provider_operations(theirs, mine):
    ops = []
    for payment in (theirs.extra["disputed"], theirs.extra["unconfirmed"]):
        base = f"{SP}/{payment}"
        ops += [
            ("GET", base, None),
            ("POST", f"{base}/confirm", {"version": 1}),
            ("POST", f"{base}/dispute", {"version": 1, "reason": "probe", "line_ids": []}),
            (
                "POST",
                f"{base}/dispute",
                {"version": 2, "reason": "probe", "line_ids": [theirs.extra["line2"]]},
            ),
        ]
    return ops


def council_operations(theirs):
    ops = []
    for payment, line in ((theirs.extra["disputed"], "line1"), (theirs.extra["unconfirmed"], "line2")):
        ops += [
            ("GET", f"{COUNCIL_SP}/{payment}", None),
            (
                "PATCH",
                f"{COUNCIL_SP}/{payment}/lines/{theirs.extra[line]}",
                {"version": 1, "excl_vat": "1.00", "reason": "probe"},
            ),
        ]
    for decision in ({"decision": "approve"}, {"decision": "reject", "reason": "probe"}):
        ops.append(("POST", f"{COUNCIL_API}/disputes/{theirs.extra['request']}/decision", decision))
    return ops


async def snapshot(env, payee):
    return [await rows_of(env, payee.extra[k]) for k in ("disputed", "unconfirmed")], [
        r["status"] for r in await requests_of(env, payee.organisation_id)
    ]


def leaks(answer, path, secrets):
    said = answer.text.replace(path, "")  # the problem's `instance` echoes the path asked for
    return [s for s in secrets if s in said]


async def test_every_provider_operation_with_another_tenants_ids_is_not_found(api, env, world, tenants):
    for me, other, relation in world.pairs():
        mine = tenants[me.label][0]
        theirs = tenants[other.label][0]
        auth = bearer(world.token(env, me))
        secrets = other.markers() | theirs.markers()
        before = await snapshot(env, theirs)
        for method, path, body in provider_operations(theirs, mine):
            answer = await api.request(method, path, json=body, headers=auth)
            assert answer.status_code == 404, (me.label, other.label, relation, method, path, answer.text)
            assert leaks(answer, path, secrets) == [], (relation, method, path)
        # their line named in a dispute of my own payment: not a line of it, and nothing said of it
        path = f"{SP}/{mine.extra['unconfirmed']}/dispute"
        answer = await api.post(
            path, json={"version": 1, "reason": "probe", "line_ids": [theirs.extra["line2"]]}, headers=auth
        )
        assert answer.status_code == 422, answer.text
        assert leaks(answer, path, secrets - {theirs.extra["line2"]}) == []
        assert await snapshot(env, theirs) == before


async def test_lists_and_summary_hold_only_the_callers_own(api, env, world, tenants):
    for me, other, relation in world.pairs():
        theirs = tenants[other.label][0]
        auth = bearer(world.token(env, me))
        secrets = other.markers() | theirs.markers()
        for path, params in (
            (SP, {"financial_year": "2017/2018"}),
            (f"{SP}/options", {}),
            (f"{SP}/summary", {}),
        ):
            answer = await api.get(path, params=params, headers=auth)
            assert answer.status_code == 200, answer.text
            assert [s for s in secrets if s in answer.text] == [], (me.label, other.label, relation, path)


async def test_the_council_of_another_authority_finds_nothing(api, env, world, tenants):
    for mine, theirs_authority in world.authority_pairs():
        auth = bearer(world.council_token(env, mine))
        for other in theirs_authority.providers:
            theirs = tenants[other.label][0]
            secrets = other.markers() | theirs.markers()
            before = await snapshot(env, theirs)
            for method, path, body in council_operations(theirs):
                answer = await api.request(method, path, json=body, headers=auth)
                assert answer.status_code == 404, (mine.label, other.label, method, path, answer.text)
                assert leaks(answer, path, secrets) == [], (method, path)
            assert await snapshot(env, theirs) == before
        for path, params in (
            (COUNCIL_SP, {}),
            (COUNCIL_SP, {"status": "disputed"}),
            (f"{COUNCIL_API}/disputes/pending", {}),
        ):
            answer = await api.get(path, params=params, headers=auth)
            assert answer.status_code == 200, answer.text
            for other in theirs_authority.providers:
                secrets = other.markers() | tenants[other.label][0].markers()
                assert [s for s in secrets if s in answer.text] == [], (mine.label, path)


async def test_providers_cannot_use_the_council_api(api, env, world, tenants):
    for me in world.providers:
        mine = tenants[me.label][0]
        auth = bearer(world.token(env, me))
        before = await snapshot(env, mine)
        for method, path, body in council_operations(mine):
            answer = await api.request(method, path, json=body, headers=auth)
            assert answer.status_code == 403, (method, path, answer.text)
        assert (await api.get(f"{COUNCIL_API}/disputes/pending", headers=auth)).status_code == 403
        assert await snapshot(env, mine) == before


async def test_each_tenant_still_sees_its_own_at_every_scope(api, env, world, tenants):
    for provider in world.providers:
        mine, disputed, open_, _ = tenants[provider.label]
        for scope in (ScopeType.organisation, ScopeType.contract, ScopeType.service):
            auth = bearer(world.token(env, provider, scope=scope))
            listed = (await api.get(SP, params={"financial_year": "2017/2018"}, headers=auth)).json()
            assert {r["payment_id"] for r in listed} == {str(disputed.payment_id), str(open_.payment_id)}, (
                scope
            )
            got = (await api.get(f"{SP}/{disputed.payment_id}", headers=auth)).json()
            assert got["lines"][0]["dispute_reason"] == mine.extra["reason"]
        council = bearer(
            world.council_token(env, next(a for a in world.authorities if provider in a.providers))
        )
        got = await api.get(f"{COUNCIL_SP}/{disputed.payment_id}", headers=council)
        assert got.status_code == 200 and got.json()["status"] == "disputed"
