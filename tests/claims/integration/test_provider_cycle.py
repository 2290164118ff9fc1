"""A provider's whole cycle through the claims API: start a claim, add client and provider items with
their attachments, change them, replace and remove a file, remove an item, submit; then the claim is
read-only, pending as a request of the council, with `claims.claim.submitted.v1` in the outbox once."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from shared.auth import ScopeType
from tests.claims.support import (
    API,
    add_client,
    add_item,
    add_placement,
    audited,
    bearer,
    build_claimant,
    claims_api,
    claims_conn,
    new_claim,
    pending_claim,
    published,
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
            conn, authority_id=authority_id, organisation_id=organisation_id, label="cycle"
        )
    token = env.token(authority_id=authority_id, organisation_id=organisation_id)
    return setup, bearer(token)


async def test_the_providers_cycle_from_a_draft_to_a_submitted_claim(api, env, claimant):
    setup, auth = claimant
    claim = await new_claim(api, auth, notes="Mileage for March")
    assert (claim["status"], claim["total"], claim["version"], claim["claim_date"]) == (
        "unsubmitted",
        "0.00",
        1,
        date.today().isoformat(),
    )
    assert claim["client_items"] == claim["provider_items"] == []

    # A client item: 150 miles at the level's £0.387, with a PDF of the mileage log.
    claim = await add_item(
        api,
        auth,
        claim,
        kind="client",
        description="School run, March",
        service_level_id=setup.client_level,
        client_id=setup.client_ids[0],
        quantity="150",
        files=upload(uploads.PDF, "mileage-march.pdf"),
    )
    [school] = claim["client_items"]
    assert {k: school[k] for k in ("quantity", "unit_cost", "unit", "amount", "client_name", "kind")} == {
        "quantity": "150.00",
        "unit_cost": "0.3870",
        "unit": "Mile",
        "amount": "58.05",
        "client_name": setup.client_names[0],
        "kind": "client",
    }
    assert school["attachment"]["filename"] == "mileage-march.pdf"
    assert school["attachment"]["content_type"] == "application/pdf"
    assert (claim["total"], claim["version"]) == ("58.05", 2)

    # A provider item (the carer's own mileage, a phone's HEIC photo) and one at cost (parking).
    claim = await add_item(
        api,
        auth,
        claim,
        kind="provider",
        description="Training day",
        service_level_id=setup.provider_level,
        quantity="10.5",
        files=upload(uploads.HEIC, "IMG_0042.HEIC", "image/heic"),
    )
    claim = await add_item(
        api,
        auth,
        claim,
        kind="provider",
        description="Parking at the hospital",
        service_level_id=setup.at_cost_level,
        quantity="1",
        unit_cost="4.50",
    )
    training, parking = claim["provider_items"]
    assert (training["amount"], training["attachment"]["content_type"]) == ("4.06", "image/heic")  # 4.0635
    assert (parking["unit_cost"], parking["amount"], parking["attachment"]) == ("4.5000", "4.50", None)
    assert (claim["total"], claim["version"]) == ("66.61", 4)

    # The file comes back as uploaded, as a download.
    path = f"{API}/claims/{claim['claim_id']}/items/{school['item_id']}"
    got = await api.get(f"{path}/attachment", headers=auth)
    assert got.status_code == 200 and got.content == uploads.PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith('attachment; filename="mileage-march.pdf"')

    # Edit the client item: the other child, 120 miles; replace its file with a PNG.
    changed = await api.put(
        path,
        data={
            "version": str(claim["version"]),
            "description": "School run, March (corrected)",
            "service_level_id": str(setup.client_level),
            "client_id": str(setup.client_ids[1]),
            "quantity": "120",
            "attachment_action": "replace",
        },
        files=upload(uploads.PNG, "scan.png", "image/png"),
        headers=auth,
    )
    assert changed.status_code == 200, changed.text
    claim = changed.json()
    [school] = claim["client_items"]
    assert (school["client_name"], school["amount"], school["attachment"]["filename"]) == (
        setup.client_names[1],
        "46.44",
        "scan.png",
    )
    assert (await api.get(f"{path}/attachment", headers=auth)).content == uploads.PNG
    stored = await snapshot(env, claim["claim_id"])
    assert len(stored.attachments) == 2 and stored.contents == 2  # the PDF replaced is gone

    # Remove the training item's file, then the parking item.
    training_path = f"{API}/claims/{claim['claim_id']}/items/{training['item_id']}"
    removed_file = await api.put(
        training_path,
        data={
            "version": str(claim["version"]),
            "description": "Training day",
            "service_level_id": str(setup.provider_level),
            "quantity": "10.5",
            "attachment_action": "remove",
        },
        headers=auth,
    )
    assert removed_file.status_code == 200, removed_file.text
    claim = removed_file.json()
    assert claim["provider_items"][0]["attachment"] is None
    assert (await api.get(f"{training_path}/attachment", headers=auth)).status_code == 404
    gone = await api.delete(
        f"{API}/claims/{claim['claim_id']}/items/{parking['item_id']}",
        params={"version": claim["version"]},
        headers=auth,
    )
    assert gone.status_code == 200, gone.text
    claim = gone.json()
    assert [i["description"] for i in claim["provider_items"]] == ["Training day"]
    assert claim["total"] == "50.50"  # 46.44 + 4.06

    # Change the date and notes.
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    patched = await api.patch(
        f"{API}/claims/{claim['claim_id']}",
        json={"version": claim["version"], "claim_date": yesterday, "notes": "March mileage"},
        headers=auth,
    )
    assert patched.status_code == 200, patched.text
    claim = patched.json()
    assert (claim["claim_date"], claim["notes"]) == (yesterday, "March mileage")

    listed = await api.get(f"{API}/claims", headers=auth)
    assert [(c["claim_id"], c["total"], c["status"]) for c in listed.json()] == [
        (claim["claim_id"], "50.50", "unsubmitted")
    ]

    # Submit: pending, a request of the council, the event once with the whole claim.
    submitted = await api.post(
        f"{API}/claims/{claim['claim_id']}/submit", json={"version": claim["version"]}, headers=auth
    )
    assert submitted.status_code == 200, submitted.text
    claim = submitted.json()
    assert claim["status"] == "pending" and claim["submitted_at"] is not None
    stored = await snapshot(env, claim["claim_id"])
    assert stored.requests == 1 and stored.claim["request_id"] is not None
    [event] = await published(env, "claims.claim.submitted.v1", claim["claim_id"])
    assert (event["total"], event["revision"], event["organisation_id"]) == (
        "50.50",
        claim["version"],
        str(setup.organisation_id),
    )
    assert [i["amount"] for i in event["client_items"] + event["provider_items"]] == ["46.44", "4.06"]
    assert event["submitted_by"] == stored.claim["submitted_by"]

    # Read-only now: every change is refused, with the date it was submitted.
    before = await snapshot(env, claim["claim_id"])
    refusals = [
        await api.patch(
            f"{API}/claims/{claim['claim_id']}",
            json={"version": claim["version"], "notes": "x"},
            headers=auth,
        ),
        await api.post(
            f"{API}/claims/{claim['claim_id']}/items",
            data={
                "version": str(claim["version"]),
                "kind": "provider",
                "description": "More",
                "service_level_id": str(setup.provider_level),
                "quantity": "1",
            },
            headers=auth,
        ),
        await api.delete(
            f"{API}/claims/{claim['claim_id']}/items/{training['item_id']}",
            params={"version": claim["version"]},
            headers=auth,
        ),
        await api.post(
            f"{API}/claims/{claim['claim_id']}/submit", json={"version": claim["version"]}, headers=auth
        ),
        await api.delete(
            f"{API}/claims/{claim['claim_id']}", params={"version": claim["version"]}, headers=auth
        ),
    ]
    for refused in refusals:
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"].startswith("this claim was submitted on ")
        assert refused.json()["detail"].endswith(": it can no longer be changed")
    assert await snapshot(env, claim["claim_id"]) == before
    assert len(await published(env, "claims.claim.submitted.v1", claim["claim_id"])) == 1

    assert await audited(env, setup.organisation_id) == [
        "claim_created",
        "claim_item_added",
        "claim_item_added",
        "claim_item_added",
        "claim_item_changed",
        "claim_item_changed",
        "claim_item_removed",
        "claim_changed",
        "claim_submitted",
    ]


async def test_a_draft_is_deleted_with_its_items_and_files(api, env, claimant):
    setup, auth = claimant
    claim = await new_claim(api, auth)
    claim = await add_item(
        api,
        auth,
        claim,
        kind="provider",
        description="Train fare",
        service_level_id=setup.provider_level,
        quantity="3",
        files=upload(uploads.JPEG, "ticket.jpg", "image/jpeg"),
    )
    attachment_id = claim["provider_items"][0]["attachment"]["attachment_id"]
    stale = await api.delete(f"{API}/claims/{claim['claim_id']}", params={"version": 1}, headers=auth)
    assert stale.status_code == 409
    deleted = await api.delete(
        f"{API}/claims/{claim['claim_id']}", params={"version": claim["version"]}, headers=auth
    )
    assert deleted.status_code == 204, deleted.text
    assert (await api.get(f"{API}/claims/{claim['claim_id']}", headers=auth)).status_code == 404
    gone = await snapshot(env, claim["claim_id"])
    assert (gone.claim, gone.items) == (None, [])
    async with claims_conn(env) as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM claims.attachment WHERE attachment_id = $1", uuid.UUID(attachment_id)
            )
            == 0
        )


async def test_a_contract_scoped_person_claims_only_for_children_placed_under_their_contract(api, env):
    """A claim is the organisation's (it names no contract): everyone of it sees its claims. Its
    children are chosen within the person's scope: one placed under another contract is not theirs."""
    authority_id, organisation_id, contract_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with claims_conn(env) as conn:
        setup = await build_claimant(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            label="scoped",
            contract_id=contract_id,
        )
        other_contract_child = await add_client(
            conn, authority_id=authority_id, name="Under another contract"
        )
        await add_placement(
            conn, authority_id=authority_id, organisation_id=organisation_id, client_id=other_contract_child
        )
    whole = bearer(env.token(authority_id=authority_id, organisation_id=organisation_id))
    scoped = bearer(
        env.token(
            authority_id=authority_id,
            organisation_id=organisation_id,
            scope_type=ScopeType.contract,
            scope_id=contract_id,
        )
    )
    claim = await new_claim(api, whole)
    assert [c["claim_id"] for c in (await api.get(f"{API}/claims", headers=scoped)).json()] == [
        claim["claim_id"]
    ]
    fields = {
        "kind": "client",
        "description": "Contact visit",
        "service_level_id": setup.client_level,
        "quantity": "8",
    }
    claim = await add_item(api, scoped, claim, client_id=setup.client_ids[0], **fields)
    refused = await add_item(api, scoped, claim, client_id=other_contract_child, expect=422, **fields)
    assert refused["errors"][0]["field"] == "client_id"
    claim = await add_item(api, whole, claim, client_id=other_contract_child, **fields)
    assert [i["client_name"] for i in claim["client_items"]] == [
        setup.client_names[0],
        "Under another contract",
    ]


async def test_the_support_modules_pending_claim_is_what_the_council_decides(api, env, claimant):
    setup, auth = claimant
    claim = await pending_claim(api, auth, setup)
    assert (claim["status"], claim["total"]) == ("pending", "61.92")
    assert [i["amount"] for i in claim["client_items"] + claim["provider_items"]] == ["58.05", "3.87"]
    [event] = await published(env, "claims.claim.submitted.v1", claim["claim_id"])
    assert event["total"] == "61.92"
