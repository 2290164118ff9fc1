"""Every provider operation of the claims service, called by each provider of the cross-tenant `world`
with another provider's claim, item and attachment ids (same authority and other authority): 404, and
no answer holds anything of the other provider; its claim is untouched. Then each still sees its own."""

from __future__ import annotations

import pytest

from tests.claims.support import (
    API,
    add_item,
    bearer,
    build_claimant,
    claims_api,
    claims_conn,
    item_form,
    new_claim,
    snapshot,
    upload,
)
from tests.support import uploads


@pytest.fixture(scope="module")
async def api(env):
    async with claims_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def tenants(api, env, world):
    """Each provider of the world with its levels, two children, a draft with a client item and a
    provider item (each with a file) and a submitted claim: {label: (setup, draft, submitted)}."""
    built = {}
    for provider in world.providers:
        async with claims_conn(env) as conn:
            setup = await build_claimant(
                conn,
                authority_id=provider.authority_id,
                organisation_id=provider.organisation_id,
                label=provider.label,
                contract_id=provider.contract_id,
                service_id=provider.service_id,
            )
        auth = bearer(world.token(env, provider))
        draft = await new_claim(api, auth, notes=f"Secret notes of {provider.label}")
        draft = await add_item(
            api,
            auth,
            draft,
            kind="client",
            description=f"Secret journey of {provider.label}",
            service_level_id=setup.client_level,
            client_id=setup.client_ids[0],
            quantity="12",
            files=upload(uploads.PDF, f"secret-{provider.label}.pdf"),
        )
        draft = await add_item(
            api,
            auth,
            draft,
            kind="provider",
            description=f"Secret training of {provider.label}",
            service_level_id=setup.provider_level,
            quantity="3",
            files=upload(uploads.PNG, f"secret-{provider.label}.png", "image/png"),
        )
        sent = await new_claim(api, auth)
        sent = await add_item(
            api,
            auth,
            sent,
            kind="provider",
            description="Sent",
            service_level_id=setup.provider_level,
            quantity="1",
        )
        submitted = await api.post(
            f"{API}/claims/{sent['claim_id']}/submit", json={"version": sent["version"]}, headers=auth
        )
        assert submitted.status_code == 200, submitted.text
        setup.extra.update(
            draft=draft["claim_id"],
            submitted=sent["claim_id"],
            client_item=draft["client_items"][0]["item_id"],
            provider_item=draft["provider_items"][0]["item_id"],
            attachment=draft["client_items"][0]["attachment"]["attachment_id"],
            notes=f"Secret notes of {provider.label}",
            file=f"secret-{provider.label}.pdf",
        )
        built[provider.label] = (setup, draft, submitted.json())
    return built


def operations(mine, theirs, my_draft):
    """(method, path, json, form, params) of every provider operation aimed at the other's ids."""
    version = my_draft["version"]
    their_claims = (theirs.extra["draft"], theirs.extra["submitted"])
    their_items = (theirs.extra["client_item"], theirs.extra["provider_item"])
    form = item_form(
        version=version,
        kind="provider",
        description="probe",
        service_level_id=mine.provider_level,
        quantity="1",
    )
    ops = []
    for claim in their_claims:
        base = f"{API}/claims/{claim}"
        ops += [
            ("GET", base, None, None, None),
            ("PATCH", base, {"version": version, "notes": "probe"}, None, None),
            ("DELETE", base, None, None, {"version": version}),
            ("POST", f"{base}/submit", {"version": version}, None, None),
            ("POST", f"{base}/items", None, form, None),
        ]
        for item in their_items:
            ops += [
                ("PUT", f"{base}/items/{item}", None, form, None),
                ("DELETE", f"{base}/items/{item}", None, None, {"version": version}),
                ("GET", f"{base}/items/{item}/attachment", None, None, None),
            ]
    mine_base = f"{API}/claims/{my_draft['claim_id']}"  # their items under my own claim
    for item in (*their_items, theirs.extra["attachment"]):
        ops += [
            ("PUT", f"{mine_base}/items/{item}", None, form, None),
            ("DELETE", f"{mine_base}/items/{item}", None, None, {"version": version}),
            ("GET", f"{mine_base}/items/{item}/attachment", None, None, None),
        ]
    return ops


async def test_every_provider_operation_with_another_tenants_ids_is_not_found(api, env, world, tenants):
    for me, other, relation in world.pairs():
        mine, my_draft, _ = tenants[me.label]
        theirs, _, _ = tenants[other.label]
        auth = bearer(world.token(env, me))
        secrets = other.markers() | theirs.markers()
        before = [await snapshot(env, theirs.extra[k]) for k in ("draft", "submitted")]
        for method, path, body, form, params in operations(mine, theirs, my_draft):
            answer = await api.request(method, path, json=body, data=form, params=params, headers=auth)
            assert answer.status_code == 404, (me.label, other.label, relation, method, path, answer.text)
            said = answer.text.replace(path, "")  # the problem's `instance` echoes the path asked for
            leaked = [s for s in secrets if s in said]
            assert leaked == [], (relation, method, path, leaked)
        assert [await snapshot(env, theirs.extra[k]) for k in ("draft", "submitted")] == before


async def test_lists_hold_only_the_callers_own_claims(api, env, world, tenants):
    for me, other, relation in world.pairs():
        theirs, _, _ = tenants[other.label]
        auth = bearer(world.token(env, me))
        secrets = other.markers() | theirs.markers()
        for params in ({}, {"status": "pending"}, {"status": "unsubmitted"}):
            answer = await api.get(f"{API}/claims", params=params, headers=auth)
            assert answer.status_code == 200, answer.text
            leaked = [s for s in secrets if s in answer.text]
            assert leaked == [], (me.label, other.label, relation, params, leaked)


async def test_each_provider_still_sees_its_own(api, env, world, tenants):
    for provider in world.providers:
        mine, draft, submitted = tenants[provider.label]
        auth = bearer(world.token(env, provider))
        listed = (await api.get(f"{API}/claims", headers=auth)).json()
        assert {c["claim_id"] for c in listed} >= {draft["claim_id"], submitted["claim_id"]}
        got = (await api.get(f"{API}/claims/{draft['claim_id']}", headers=auth)).json()
        assert got["notes"] == mine.extra["notes"]
        item = draft["client_items"][0]["item_id"]
        file = await api.get(f"{API}/claims/{draft['claim_id']}/items/{item}/attachment", headers=auth)
        assert file.status_code == 200 and file.content == uploads.PDF
