"""A backfill of claims' decisions (`claims.backfill.requested.v1`, aggregate `claim`): every accepted
claim is re-published as the very `claims.claim.decided.v1` its decision published, built from the
stored claim, items and attachments by the handler's own builder; a rejected or undecided claim is not;
and payments, which pays a decision's items, pays nothing twice when it hears the decision again."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from claims.main import DEFINITION as CLAIMS
from claims.republishing import REPUBLISHERS
from payments.consumers import claim_decided
from shared.backfill import find_republisher, republish
from shared.bus import Outbox
from shared.events import ClaimDecided, make_envelope
from tests.claims.integration.council_harness import (
    claims_api_fixture,  # noqa: F401  (the `claims_api` fixture)
    submitted_claim,
)
from tests.claims.support import claims_conn, published
from tests.payments.support import payments_conn

COUNCIL = "/council/v1/claims"
DECIDED = "claims.claim.decided.v1"


async def decide(claims_api, claim, body):
    answer = await claims_api.post(
        f"{COUNCIL}/claims/{claim.claim_id}/decision", json=body, headers=claim.council
    )
    assert answer.status_code == 200, answer.text


async def republished(env) -> dict[str, dict]:
    """What a backfill of `claim` writes to claims' outbox, by claim id (rolled back afterwards)."""
    marker = f"backfill-{uuid.uuid4()}"
    async with claims_conn(env) as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            count = await republish(
                conn,
                Outbox("claims"),
                find_republisher("claims", REPUBLISHERS, "claim"),
                correlation_id=marker,
                chunk=2,
            )
            rows = await conn.fetch(
                "SELECT routing_key, body FROM claims.outbox"
                " WHERE convert_from(body, 'UTF8')::jsonb ->> 'correlation_id' = $1 ORDER BY id",
                marker,
            )
            accepted = await conn.fetchval("SELECT count(*) FROM claims.claim WHERE status = 'accepted'")
        finally:
            await tx.rollback()
    assert count == len(rows) == accepted  # every accepted claim, in chunks of two
    assert {r["routing_key"] for r in rows} <= {DECIDED}
    envelopes = [json.loads(r["body"]) for r in rows]
    assert all(e["aggregate_id"] == e["payload"]["claim_id"] for e in envelopes)
    return {e["aggregate_id"]: e["payload"] for e in envelopes}


async def test_an_accepted_claim_is_republished_as_its_decision_published_it(env, claims_api):
    assert find_republisher("claims", CLAIMS.republishers, "claim").event is ClaimDecided
    accepted = await submitted_claim(env, claims_api)
    training = accepted.item("Training day")
    await decide(
        claims_api,
        accepted,
        {
            "decision": "accepted",
            "items": [{"item_id": training["item_id"], "included": False, "la_notes": "Paid by the team"}],
        },
    )
    rejected = await submitted_claim(env, claims_api, authority_id=accepted.claimant.authority_id)
    await decide(claims_api, rejected, {"decision": "rejected", "reason": "Not agreed in advance"})
    pending = await submitted_claim(env, claims_api, authority_id=accepted.claimant.authority_id)

    [original] = await published(env, DECIDED, accepted.claim_id)
    again = await republished(env)
    # The whole payload, item by item (the attachment of the school run, the excluded item's LA notes).
    assert again[str(accepted.claim_id)] == original
    assert any(i["attachment"] for i in original["client_items"])
    assert str(rejected.claim_id) not in again and str(pending.claim_id) not in again


async def test_payments_pays_a_republished_decision_once(env, claims_api):
    claim = await submitted_claim(env, claims_api)
    await decide(claims_api, claim, {"decision": "accepted"})
    [original] = await published(env, DECIDED, claim.claim_id)
    again = (await republished(env))[str(claim.claim_id)]

    async with payments_conn(env) as conn:
        for payload in (original, again):
            event = ClaimDecided.model_validate(payload)
            async with conn.transaction():
                await claim_decided(
                    conn,
                    make_envelope(event, aggregate_id=event.claim_id, authority_id=event.authority_id),
                    event,
                )
        rows = await conn.fetch(
            "SELECT item_id, amount FROM payments.accepted_item WHERE claim_id = $1 ORDER BY item_id",
            claim.claim_id,
        )
    assert len(rows) == 3  # every item of the claim, once
    assert (
        sum((r["amount"] for r in rows), Decimal("0.00"))
        == Decimal(original["accepted_total"])
        == Decimal("66.42")
    )
