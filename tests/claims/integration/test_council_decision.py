"""The council's decision on a submitted claim: the queue oldest first, the claim and its file, then
accepted (items included or not, with LA notes) or rejected (with a reason), once, publishing
`claims.claim.decided.v1` exactly once with the included amounts payments pays."""

from __future__ import annotations

import json
import uuid
from datetime import date

from claims.domain.years import financial_year
from tests.claims.integration.council_harness import (
    claims_api_fixture,  # noqa: F401  (the `claims_api` fixture)
    submitted_claim,
)
from tests.claims.support import published, snapshot
from tests.support import uploads

COUNCIL = "/council/v1/claims"
DECIDED = "claims.claim.decided.v1"


async def test_pending_claims_are_listed_oldest_submitted_first_without_drafts(env, claims_api):
    first = await submitted_claim(env, claims_api)
    authority_id = first.claimant.authority_id
    second = await submitted_claim(env, claims_api, authority_id=authority_id)
    draft = await submitted_claim(env, claims_api, authority_id=authority_id, submit=False)
    answer = await claims_api.get(f"{COUNCIL}/claims/pending", headers=first.council)
    assert answer.status_code == 200, answer.text
    assert [c["claim_id"] for c in answer.json()] == [first.claim_id, second.claim_id]
    listed = answer.json()[0]
    assert listed["organisation_id"] == str(first.claimant.organisation_id)
    assert (listed["status"], listed["total"]) == ("pending", "66.42")  # 58.05 + 3.87 + 4.50
    mine = await claims_api.get(
        f"{COUNCIL}/claims/pending?organisation_id={second.claimant.organisation_id}", headers=first.council
    )
    assert [c["claim_id"] for c in mine.json()] == [second.claim_id]
    paged = await claims_api.get(f"{COUNCIL}/claims/pending?limit=1", headers=first.council)
    assert [c["claim_id"] for c in paged.json()] == [first.claim_id] and "link" in paged.headers
    assert draft.claim_id not in answer.text


async def test_the_council_reads_a_submitted_claim_and_its_file_but_not_a_draft(env, claims_api):
    claim = await submitted_claim(env, claims_api)
    answer = await claims_api.get(f"{COUNCIL}/claims/{claim.claim_id}", headers=claim.council)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["organisation_id"] == str(claim.claimant.organisation_id)
    assert [(i["description"], i["amount"]) for i in body["client_items"]] == [("School run", "58.05")]
    assert body == {**claim.claim, "organisation_id": body["organisation_id"]}
    school = claim.item("School run")
    got = await claims_api.get(
        f"{COUNCIL}/claims/{claim.claim_id}/items/{school['item_id']}/attachment", headers=claim.council
    )
    assert got.status_code == 200 and got.content == uploads.PDF
    assert got.headers["content-type"] == "application/pdf"
    none = await claims_api.get(
        f"{COUNCIL}/claims/{claim.claim_id}/items/{claim.item('Training day')['item_id']}/attachment",
        headers=claim.council,
    )
    assert none.status_code == 404

    draft = await submitted_claim(env, claims_api, authority_id=claim.claimant.authority_id, submit=False)
    for path in (
        f"/claims/{draft.claim_id}",
        f"/claims/{draft.claim_id}/items/{draft.item('School run')['item_id']}/attachment",
    ):
        assert (await claims_api.get(COUNCIL + path, headers=claim.council)).status_code == 404
    refused = await claims_api.post(
        f"{COUNCIL}/claims/{draft.claim_id}/decision", json={"decision": "accepted"}, headers=claim.council
    )
    assert refused.status_code == 404
    assert (await snapshot(env, draft.claim_id)).claim["status"] == "unsubmitted"


async def test_accepted_with_one_item_excluded_publishes_the_included_amounts_once(env, claims_api):
    claim = await submitted_claim(env, claims_api)
    training = claim.item("Training day")
    answer = await claims_api.post(
        f"{COUNCIL}/claims/{claim.claim_id}/decision",
        json={
            "decision": "accepted",
            "items": [
                {
                    "item_id": training["item_id"],
                    "included": False,
                    "la_notes": "Training is paid by the team",
                },
                {"item_id": claim.item("School run")["item_id"], "included": True, "la_notes": "  "},
            ],
        },
        headers=claim.council,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["total"], body["accepted_total"]) == ("accepted", "66.42", "62.55")
    assert body["decided_at"] is not None and body["version"] == claim.claim["version"] + 1
    decided = {
        i["description"]: (i["included"], i["la_notes"])
        for i in body["client_items"] + body["provider_items"]
    }
    assert decided == {
        "School run": (True, None),
        "Training day": (False, "Training is paid by the team"),
        "Hospital car park": (True, None),  # not listed: included, as the claim is accepted
    }
    # The provider sees the decision on its claim.
    mine = await claims_api.get(f"/api/v1/claims/claims/{claim.claim_id}", headers=claim.provider)
    assert (mine.json()["status"], mine.json()["accepted_total"]) == ("accepted", "62.55")

    [event] = await published(env, DECIDED, claim.claim_id)
    assert (event["decision"], event["accepted_total"], event["status"]) == ("accepted", "62.55", "accepted")
    year = financial_year(date.fromisoformat(claim.claim["claim_date"]))
    assert sorted(
        (a["amount"], a["service_level_id"], a["financial_year"]) for a in event["accepted_items"]
    ) == sorted(
        [
            ("58.05", str(claim.claimant.client_level), year),
            ("4.50", str(claim.claimant.at_cost_level), year),
        ]
    )
    [school] = [a for a in event["accepted_items"] if a["amount"] == "58.05"]
    assert school["client_id"] == str(claim.claimant.client_ids[0]) and school["cost_code"] == "CC-MILES"
    stored = await snapshot(env, claim.claim_id)
    assert stored.claim["decided_by"] and stored.claim["status"] == "accepted"

    # A second decision: 409, nothing written, nothing published.
    again = await claims_api.post(
        f"{COUNCIL}/claims/{claim.claim_id}/decision",
        json={"decision": "rejected", "reason": "Changed my mind"},
        headers=claim.council,
    )
    assert again.status_code == 409, again.text
    assert "accepted" in again.json()["detail"]
    assert await snapshot(env, claim.claim_id) == stored
    assert len(await published(env, DECIDED, claim.claim_id)) == 1


async def test_a_rejection_needs_a_reason_and_includes_no_item(env, claims_api):
    claim = await submitted_claim(env, claims_api)
    before = await snapshot(env, claim.claim_id)
    for reason in (None, "   "):
        refused = await claims_api.post(
            f"{COUNCIL}/claims/{claim.claim_id}/decision",
            json={"decision": "rejected", "reason": reason},
            headers=claim.council,
        )
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["reason"]
    assert await snapshot(env, claim.claim_id) == before
    assert await published(env, DECIDED, claim.claim_id) == []

    answer = await claims_api.post(
        f"{COUNCIL}/claims/{claim.claim_id}/decision",
        json={
            "decision": "rejected",
            "reason": "Mileage is claimed monthly",
            "items": [
                {"item_id": claim.item("School run")["item_id"], "included": True, "la_notes": "See reason"}
            ],
        },
        headers=claim.council,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["reason"], body["accepted_total"]) == (
        "rejected",
        "Mileage is claimed monthly",
        "0.00",
    )
    items = body["client_items"] + body["provider_items"]
    assert [i["included"] for i in items] == [False, False, False]
    assert [i["la_notes"] for i in body["client_items"]] == ["See reason"]
    [event] = await published(env, DECIDED, claim.claim_id)
    assert (event["decision"], event["accepted_items"], event["accepted_total"]) == ("rejected", [], "0.00")


async def test_bad_decisions_are_refused_and_change_nothing(env, claims_api):
    claim = await submitted_claim(env, claims_api)
    before = await snapshot(env, claim.claim_id)
    everything = [
        {"item_id": i["item_id"], "included": False}
        for i in claim.claim["client_items"] + claim.claim["provider_items"]
    ]
    cases = [
        ({"decision": "accepted", "items": everything}, "items"),
        (
            {"decision": "accepted", "items": [{"item_id": str(uuid.uuid4()), "included": True}]},
            "items.0.item_id",
        ),
        ({"decision": "accepted", "items": [everything[0], everything[0]]}, "items.1.item_id"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "accepted", "reason": "x" * 1001}, "reason"),
        ({"decision": "accepted", "items": [{**everything[0], "la_notes": "x" * 1001}]}, "items.0.la_notes"),
        # half a UTF-16 pair, which PostgreSQL cannot store (json.dumps writes it "\\ud800"; httpx cannot)
        ({"decision": "rejected", "reason": "a\ud800b"}, "reason"),
        ({"decision": "accepted", "items": [{**everything[0], "la_notes": "\udfff"}]}, "items.0.la_notes"),
    ]
    as_json = {**claim.council, "content-type": "application/json"}
    for body, field in cases:
        answer = await claims_api.post(
            f"{COUNCIL}/claims/{claim.claim_id}/decision", content=json.dumps(body), headers=as_json
        )
        assert answer.status_code == 422, (body, answer.text)
        assert field in [e["field"] for e in answer.json()["errors"]], (field, answer.json())
    # An item of another claim of the same provider is not an item of this one.
    other = await submitted_claim(env, claims_api, authority_id=claim.claimant.authority_id)
    answer = await claims_api.post(
        f"{COUNCIL}/claims/{claim.claim_id}/decision",
        json={
            "decision": "accepted",
            "items": [{"item_id": other.item("School run")["item_id"], "included": True}],
        },
        headers=claim.council,
    )
    assert answer.status_code == 422
    assert await snapshot(env, claim.claim_id) == before
    assert await published(env, DECIDED, claim.claim_id) == []


async def test_only_the_claim_s_council_with_edit_access_decides(env, claims_api):
    claim = await submitted_claim(env, claims_api)
    before = await snapshot(env, claim.claim_id)
    other_council = {"authorization": f"Bearer {env.council_token(uuid.uuid4())}"}
    read_only = {"authorization": f"Bearer {env.council_token(claim.claimant.authority_id, can_edit=False)}"}
    decision = {"decision": "accepted"}
    path = f"{COUNCIL}/claims/{claim.claim_id}"

    unknown = await claims_api.post(
        f"{COUNCIL}/claims/{uuid.uuid4()}/decision", json=decision, headers=claim.council
    )
    elsewhere = await claims_api.post(f"{path}/decision", json=decision, headers=other_council)
    assert elsewhere.status_code == unknown.status_code == 404
    assert elsewhere.json()["detail"] == unknown.json()["detail"]
    assert (await claims_api.get(path, headers=other_council)).status_code == 404
    school = claim.item("School run")["item_id"]
    assert (
        await claims_api.get(f"{path}/items/{school}/attachment", headers=other_council)
    ).status_code == 404

    assert (await claims_api.post(f"{path}/decision", json=decision, headers=read_only)).status_code == 403
    assert (await claims_api.get(path, headers=read_only)).status_code == 200
    assert (
        await claims_api.post(f"{path}/decision", json=decision, headers=claim.provider)
    ).status_code == 403
    assert (await claims_api.get(path, headers=claim.provider)).status_code == 403
    assert (await claims_api.get(f"{COUNCIL}/claims/pending", headers=claim.provider)).status_code == 403
    assert await snapshot(env, claim.claim_id) == before
    assert await published(env, DECIDED, claim.claim_id) == []
