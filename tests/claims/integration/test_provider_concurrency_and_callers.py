"""Two people changing one draft at once: one wins, the other is told the claim changed, and nothing is
lost or half-written. And the callers the provider API is not for: an API key submits nothing (a claim
is someone's word), the council reads claims through its own API."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shared.auth import PrincipalKind
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


@pytest.fixture
async def claimant(env):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with claims_conn(env) as conn:
        setup = await build_claimant(
            conn, authority_id=authority_id, organisation_id=organisation_id, label="race"
        )
    return setup, bearer(env.token(authority_id=authority_id, organisation_id=organisation_id))


async def test_two_changes_from_one_version_one_wins_the_other_is_a_conflict(api, env, claimant):
    setup, auth = claimant
    claim = await new_claim(api, auth)

    async def add(n: int):
        form = item_form(
            version=claim["version"],
            kind="provider",
            description=f"Journey {n}",
            service_level_id=setup.provider_level,
            quantity=str(n),
        )
        files = upload(uploads.PDF, f"receipt-{n}.pdf")
        return await api.post(f"{API}/claims/{claim['claim_id']}/items", data=form, files=files, headers=auth)

    answers = await asyncio.gather(*(add(n) for n in range(1, 7)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409, 409]
    [won] = [a.json() for a in answers if a.status_code == 201]
    for lost in (a for a in answers if a.status_code == 409):
        assert lost.json()["detail"].startswith(
            "the claim was changed by someone else (version 1 is not the latest, 2)"
        )
    stored = await snapshot(env, claim["claim_id"])
    assert len(stored.items) == 1 and stored.claim["version"] == 2 == won["version"]
    assert len(stored.attachments) == 1 == stored.contents  # the losers' files were rolled back
    assert stored.claim["total"] == stored.items[0]["amount"]


async def test_an_api_key_keeps_a_draft_but_a_person_submits_it(api, env, claimant):
    setup, auth = claimant
    key = bearer(
        env.token(
            authority_id=setup.authority_id,
            organisation_id=setup.organisation_id,
            kind=PrincipalKind.api_key,
            subject=f"key-{uuid.uuid4().hex[:8]}",
        )
    )
    claim = await new_claim(api, key)
    claim = await add_item(
        api,
        key,
        claim,
        kind="provider",
        description="Fuel",
        service_level_id=setup.provider_level,
        quantity="20",
    )
    before = await snapshot(env, claim["claim_id"])
    refused = await api.post(
        f"{API}/claims/{claim['claim_id']}/submit", json={"version": claim["version"]}, headers=key
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == "claims are made by people, not API keys"
    assert await snapshot(env, claim["claim_id"]) == before
    submitted = await api.post(
        f"{API}/claims/{claim['claim_id']}/submit", json={"version": claim["version"]}, headers=auth
    )
    assert submitted.status_code == 200, submitted.text


async def test_the_council_is_sent_to_its_own_api(api, env, claimant):
    setup, auth = claimant
    claim = await new_claim(api, auth)
    council = bearer(env.council_user_token(setup.authority_id))
    for answer in (
        await api.get(f"{API}/claims", headers=council),
        await api.get(f"{API}/claims/{claim['claim_id']}", headers=council),
        await api.post(f"{API}/claims", json={}, headers=council),
        await api.post(f"{API}/claims/{claim['claim_id']}/submit", json={"version": 1}, headers=council),
    ):
        assert answer.status_code == 403, answer.text
        assert answer.json()["detail"] == "the council reads claims through the council API"
