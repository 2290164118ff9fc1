"""The cross-tenant harness over claims' council API: the council of authority B cannot list, read,
download from, decide or name in its levels anything of authority A's, and no provider can use the
council API. The world's organisations reach claims' projection as identity's events would put them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from claims.consumers import organisations
from shared.events import OrganisationUpserted, make_envelope
from tests.claims.integration.council_harness import (
    claims_api_fixture,  # noqa: F401  (the `claims_api` fixture)
    level_item,
    put_levels,
)
from tests.claims.support import (
    Claimant,
    add_item,
    build_claimant,
    claims_conn,
    new_claim,
    published,
    snapshot,
    upload,
)
from tests.support import uploads
from tests.support.tenants import Provider, World

COUNCIL = "/council/v1/claims"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
async def tenants(env, world: World, claims_api) -> dict[str, object]:
    """Every provider of the world in claims' organisations, each a claimant; A1's claim submitted, with
    a file, and B1's too (so that B's lists are not empty)."""
    found: dict[str, object] = {}
    async with claims_conn(env) as conn:
        for provider in world.providers:
            event = OrganisationUpserted(
                organisation_id=provider.organisation_id,
                authority_id=provider.authority_id,
                name=provider.organisation_name,
                reference=f"R{provider.organisation_id.hex[:8]}",
                active=True,
                revision=1,
                updated_at=datetime.now(UTC),
            )
            envelope = make_envelope(
                event, aggregate_id=event.organisation_id, authority_id=event.authority_id
            )
            await organisations.projection.apply(conn, envelope, event)
            found[provider.label] = await build_claimant(
                conn,
                authority_id=provider.authority_id,
                organisation_id=provider.organisation_id,
                label=provider.label,
            )
    for label in ("A1", "B1"):
        provider = next(p for p in world.providers if p.label == label)
        claimant = found[label]
        assert isinstance(claimant, Claimant)
        headers = bearer(world.token(env, provider))
        claim = await new_claim(claims_api, headers, notes=f"Claim of {label}")
        claim = await add_item(
            claims_api,
            headers,
            claim,
            kind="client",
            description=f"School run {label}",
            service_level_id=claimant.client_level,
            client_id=claimant.client_ids[0],
            quantity="150",
            files=upload(uploads.PDF, f"mileage-{label}.pdf"),
        )
        answer = await claims_api.post(
            f"/api/v1/claims/claims/{claim['claim_id']}/submit",
            json={"version": claim["version"]},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        found[f"{label} claim"] = answer.json()
    return found


def _claim(tenants: dict[str, object], label: str) -> dict:
    claim = tenants[f"{label} claim"]
    assert isinstance(claim, dict)
    return claim


async def test_authority_b_cannot_see_download_or_decide_authority_a_s_claims(
    env, world: World, claims_api, tenants
):
    a_auth, b_auth = (a.authority_id for a in world.authorities)
    a_claim, b_claim = _claim(tenants, "A1"), _claim(tenants, "B1")
    a1 = next(p for p in world.providers if p.label == "A1")
    a_claimant = tenants["A1"]
    assert isinstance(a_claimant, Claimant)
    claim_id = a_claim["claim_id"]
    item_id = a_claim["client_items"][0]["item_id"]
    b_council, a_council = bearer(env.council_token(b_auth)), bearer(env.council_token(a_auth))
    markers = {
        claim_id,
        item_id,
        str(a1.organisation_id),
        "School run A1",
        "Claim of A1",
        *a_claimant.markers(),
    }

    # A's council sees its own (the control), B's sees none of it in any list, even filtered by A's ids.
    assert (await claims_api.get(f"{COUNCIL}/claims/{claim_id}", headers=a_council)).status_code == 200
    for query in ("", f"?organisation_id={a1.organisation_id}"):
        answer = await claims_api.get(f"{COUNCIL}/claims/pending{query}", headers=b_council)
        assert answer.status_code == 200
        assert not any(m in answer.text for m in markers), query
    assert b_claim["claim_id"] in (await claims_api.get(f"{COUNCIL}/claims/pending", headers=b_council)).text
    levels = await claims_api.get(f"{COUNCIL}/service-levels?limit=500", headers=b_council)
    assert levels.status_code == 200 and not any(m in levels.text for m in markers)

    # Read, download, decide: the same 404 as an id that is nobody's; nothing changes, nothing published.
    before = await snapshot(env, claim_id)
    nobody = uuid.uuid4()
    for path in (f"/claims/{claim_id}", f"/claims/{claim_id}/items/{item_id}/attachment"):
        theirs = await claims_api.get(COUNCIL + path, headers=b_council)
        unknown = await claims_api.get(COUNCIL + path.replace(claim_id, str(nobody)), headers=b_council)
        assert theirs.status_code == unknown.status_code == 404, path
        assert theirs.json()["detail"] == unknown.json()["detail"]
        # The problem names the path asked for (B's own input); nothing else of A's is in it.
        assert not any(m in theirs.text for m in markers - {claim_id, item_id})
    for decision in ({"decision": "accepted"}, {"decision": "rejected", "reason": "not yours"}):
        refused = await claims_api.post(
            f"{COUNCIL}/claims/{claim_id}/decision", json=decision, headers=b_council
        )
        assert refused.status_code == 404
    assert await snapshot(env, claim_id) == before
    assert await published(env, "claims.claim.decided.v1", claim_id) == []

    # B's levels cannot name A's organisation; its own references are its own rows.
    refused = await put_levels(
        claims_api, b_council, [level_item("X-TENANT", providers=[str(a1.organisation_id)])]
    )
    assert refused.status_code == 422
    assert [(e["index"], e["field"]) for e in refused.json()["errors"]] == [(0, "providers.0")]
    async with claims_conn(env) as conn:
        a_reference = await conn.fetchval(
            "SELECT reference FROM claims.claimable_level WHERE level_id = $1", a_claimant.client_level
        )
        assert (
            await put_levels(claims_api, b_council, [level_item(a_reference, name="B's own")])
        ).status_code == 200
        row = await conn.fetchrow(
            "SELECT authority_id, name, revision FROM claims.claimable_level WHERE level_id = $1",
            a_claimant.client_level,
        )
    assert (row["authority_id"], row["revision"]) == (a_auth, 1) and "B's own" not in row["name"]


async def test_no_provider_can_use_the_council_api(env, world: World, claims_api, tenants):
    a_claim = _claim(tenants, "A1")
    claim_id, item_id = a_claim["claim_id"], a_claim["client_items"][0]["item_id"]
    before = await snapshot(env, claim_id)
    provider: Provider
    for provider in world.providers:  # A1 itself included: the council API is the council's
        headers = bearer(world.token(env, provider))
        for path in (
            "/claims/pending",
            "/service-levels",
            f"/claims/{claim_id}",
            f"/claims/{claim_id}/items/{item_id}/attachment",
        ):
            assert (await claims_api.get(COUNCIL + path, headers=headers)).status_code == 403, path
        answer = await claims_api.post(
            f"{COUNCIL}/claims/{claim_id}/decision", json={"decision": "accepted"}, headers=headers
        )
        assert answer.status_code == 403
        assert (await put_levels(claims_api, headers, [level_item("PROVIDER-MADE")])).status_code == 403
    assert await snapshot(env, claim_id) == before


async def test_a_provider_s_options_hold_nothing_of_another_tenant(env, world: World, claims_api, tenants):
    for me, other, _relation in world.pairs():
        theirs = tenants[other.label]
        assert isinstance(theirs, Claimant)
        answer = await claims_api.get("/api/v1/claims/options", headers=bearer(world.token(env, me)))
        assert answer.status_code == 200
        assert not any(m in answer.text for m in theirs.markers()), (me.label, other.label)
        assert answer.json()["offered"] is True
