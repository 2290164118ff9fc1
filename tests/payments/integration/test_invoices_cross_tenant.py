"""Every invoice operation of the payments API, called by each provider of the cross-tenant `world` with
another provider's invoice, credit note, contract and week ids (same authority and other authority): 404
(or a refusal naming only the caller's own field), no answer holds anything of the other provider, and its
documents are untouched. Lists and the weeks on offer hold only the caller's own; the council sees only
its own authority's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.payments.invoicing import WEEK, Invoicer, create, retract, rows_of, submit
from tests.payments.support import (
    API,
    COUNCIL_API,
    add_confirmed_week,
    bearer,
    build_payee,
    payments_api,
    payments_conn,
)


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def tenants(api, env, world):
    """Each provider with a contract on actuals, a draft, a submitted invoice, a credit note and a week
    still free: {label: (setup, documents)}."""
    built = {}
    for provider in world.providers:
        async with payments_conn(env) as conn:
            payee = await build_payee(
                conn,
                authority_id=provider.authority_id,
                organisation_id=provider.organisation_id,
                payment_basis="actuals",
                label=f"Secret {provider.label}",
            )
            weeks = [
                await add_confirmed_week(
                    conn, payee, week_commencing=WEEK.replace(day=d), totals=[Decimal("12.34")]
                )
                for d in (2, 9, 16, 23)
            ]
        setup = Invoicer(payee, bearer(world.token(env, provider)))
        draft = await create(api, setup, [weeks[0]], provider_reference=f"Secret ref {provider.label}")
        sent = await submit(api, setup, await create(api, setup, [weeks[1]]))
        retracted = await submit(api, setup, await create(api, setup, [weeks[2]]))
        note = await retract(api, setup, retracted, reason=f"Secret reason {provider.label}")
        payee.extra.update(
            draft=draft["invoice_id"],
            submitted=sent["invoice_id"],
            note=note["invoice_id"],
            free_week=str(weeks[3]),
            freed_week=str(weeks[2]),  # its invoice retracted: invoiceable again
            reference=f"Secret ref {provider.label}",
            reason=f"Secret reason {provider.label}",
        )
        built[provider.label] = setup
    return built


def operations(mine: Invoicer, theirs: Invoicer):
    """(method, path, json, params, status) of every provider operation aimed at the other's ids."""
    docs = [theirs.payee.extra[k] for k in ("draft", "submitted", "note")]
    ops = []
    for doc in docs:
        base = f"{API}/invoices/{doc}"
        ops += [
            ("GET", base, None, None, 404),
            ("DELETE", base, None, {"version": 1}, 404),
            ("POST", f"{base}/submit", {"version": 1}, None, 404),
            ("POST", f"{base}/retract", {"version": 2, "reason": "probe"}, None, 404),
        ]
    ops += [
        # their contract with their week, their contract with my week: the contract is not found
        (
            "POST",
            f"{API}/invoices",
            {"contract_id": str(theirs.payee.contract_id), "week_ids": [theirs.payee.extra["free_week"]]},
            None,
            404,
        ),
        # my contract with their week: the week is named as not one the caller can see
        (
            "POST",
            f"{API}/invoices",
            {"contract_id": str(mine.payee.contract_id), "week_ids": [theirs.payee.extra["free_week"]]},
            None,
            422,
        ),
        (
            "GET",
            f"{API}/invoices/invoiceable-weeks",
            None,
            {"contract_id": str(theirs.payee.contract_id)},
            200,
        ),
    ]
    return ops


async def test_every_invoice_operation_with_another_tenants_ids_is_refused_and_leaks_nothing(
    api, env, world, tenants
):
    for me, other, relation in world.pairs():
        mine, theirs = tenants[me.label], tenants[other.label]
        secrets = other.markers() | theirs.payee.markers()
        # the caller sent their free week's id: the answer may name it back
        secrets -= {theirs.payee.extra["free_week"]}
        before = await rows_of(env, other.organisation_id)
        for method, path, body, params, status in operations(mine, theirs):
            answer = await api.request(method, path, json=body, params=params, headers=mine.auth)
            assert answer.status_code == status, (me.label, other.label, relation, method, path, answer.text)
            said = answer.text.replace(path, "")
            leaked = [s for s in secrets if s in said]
            assert leaked == [], (relation, method, path, leaked)
            if status == 200:
                assert answer.json() == []
        assert await rows_of(env, other.organisation_id) == before


async def test_lists_hold_only_the_callers_own_documents(api, env, world, tenants):
    for me, other, relation in world.pairs():
        mine, theirs = tenants[me.label], tenants[other.label]
        secrets = other.markers() | theirs.payee.markers()
        for params in ({}, {"kind": "credit_note"}, {"status": "draft"}, {"status": "submitted"}):
            answer = await api.get(f"{API}/invoices", params=params, headers=mine.auth)
            assert answer.status_code == 200, answer.text
            leaked = [s for s in secrets if s in answer.text]
            assert leaked == [], (me.label, other.label, relation, params, leaked)
        weeks = await api.get(f"{API}/invoices/invoiceable-weeks", headers=mine.auth)
        assert [w["week_id"] for w in weeks.json()] == [
            mine.payee.extra[k] for k in ("freed_week", "free_week")
        ]


async def test_the_council_reads_only_its_own_authoritys_documents(api, env, world, tenants):
    for mine, theirs in world.authority_pairs():
        council = bearer(world.council_token(env, mine))
        for provider in theirs.providers:
            extra = tenants[provider.label].payee.extra
            for doc in ("submitted", "note", "draft"):
                answer = await api.get(f"{COUNCIL_API}/invoices/{extra[doc]}", headers=council)
                assert answer.status_code == 404, answer.text
            listed = await api.get(
                f"{COUNCIL_API}/invoices",
                params={"organisation_id": str(provider.organisation_id)},
                headers=council,
            )
            assert listed.status_code == 200 and listed.json() == []
        own = await api.get(f"{COUNCIL_API}/invoices", headers=council)
        numbers = {x["invoice_id"] for x in own.json()}
        for provider in mine.providers:
            extra = tenants[provider.label].payee.extra
            assert {extra["submitted"], extra["note"]} <= numbers and extra["draft"] not in numbers


async def test_each_provider_still_sees_its_own(api, env, world, tenants):
    for provider in world.providers:
        setup = tenants[provider.label]
        listed = (await api.get(f"{API}/invoices", headers=setup.auth)).json()
        extra = setup.payee.extra
        assert {x["invoice_id"] for x in listed} >= {extra["draft"], extra["submitted"], extra["note"]}
        got = (await api.get(f"{API}/invoices/{extra['draft']}", headers=setup.auth)).json()
        assert got["provider_reference"] == extra["reference"]
        note = (await api.get(f"{API}/invoices/{extra['note']}", headers=setup.auth)).json()
        assert note["reason"] == extra["reason"] and note["total"] == "-12.34"
