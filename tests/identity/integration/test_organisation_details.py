"""Organisation details: a provider Admin or Full (Edit) user sees them and asks for a change; the
council approves (only the details asked to change are applied, and the organisation is republished)
or rejects with a reason."""

from __future__ import annotations

import uuid

from shared.auth import PrincipalKind, Role, ScopeType
from tests.identity.integration.test_contacts import provider_token
from tests.identity.integration.test_directory import outbox_payloads
from tests.support.identity import bearer

DETAILS = {
    "name": "Purple Care Ltd",
    "address": "  Unit 4, Hortonwood 30 \r\n\r\n Telford ",
    "postcode": "tf1  7yd",
    "phone": "01952 000111",
    "email": "Office@PurpleCare.example",
}


async def test_request_approval_applies_only_what_changed_and_republishes(identity_api, journey, env, tenant):
    requester, token = await provider_token(identity_api, journey, env, tenant)
    organisation_id = str(tenant.organisations["A"])
    mine = await identity_api.get("/api/v1/identity/organisation", headers=token)
    assert mine.status_code == 200, mine.text
    assert mine.json()["organisation_id"] == organisation_id and mine.json()["address"] is None

    asked = await identity_api.post(
        "/api/v1/identity/organisation-change-requests", json={**DETAILS, "name": "Provider A"}, headers=token
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert (request["status"], request["requested_by"]) == ("pending", requester["user_id"])
    assert request["changed"] == ["address", "postcode", "phone", "email"]  # the name is already that
    assert (request["address"], request["postcode"], request["email"]) == (
        "Unit 4, Hortonwood 30\nTelford",
        "TF1 7YD",
        "office@purplecare.example",
    )
    again = await identity_api.post(
        "/api/v1/identity/organisation-change-requests", json=DETAILS, headers=token
    )
    assert again.status_code == 409
    listed = await identity_api.get("/api/v1/identity/organisation-change-requests", headers=token)
    assert [r["request_id"] for r in listed.json()] == [request["request_id"]]

    council = bearer(env.council_token(tenant.authority_id))
    # Meanwhile the council's own system sets the telephone, and leaves the other details alone.
    reference = (await identity_api.get("/api/v1/identity/organisations", headers=token)).json()[0][
        "reference"
    ]
    put = await identity_api.put(
        "/council/v1/identity/organisations",
        json={"reference": reference, "name": "Provider A", "phone": "01952 999999"},
        headers=council,
    )
    assert put.status_code == 200 and put.json()["phone"] == "01952 999999", put.text
    pending = await identity_api.get(
        "/council/v1/identity/organisation-change-requests", params={"status": "pending"}, headers=council
    )
    assert request["request_id"] in {r["request_id"] for r in pending.json()}
    path = f"/council/v1/identity/organisation-change-requests/{request['request_id']}"
    approved = await identity_api.post(path + "/approve", headers=council)
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    assert (await identity_api.post(path + "/approve", headers=council)).status_code == 409

    after = (await identity_api.get("/api/v1/identity/organisation", headers=token)).json()
    assert (after["name"], after["address"], after["postcode"], after["phone"], after["email"]) == (
        "Provider A",
        "Unit 4, Hortonwood 30\nTelford",
        "TF1 7YD",
        "01952 000111",  # asked to change, so applied over the council's
        "office@purplecare.example",
    )
    published = await outbox_payloads(env, "identity.organisation.upserted.v1", organisation_id)
    assert published[-1]["postcode"] == "TF1 7YD" and published[-1]["revision"] == after["revision"]
    states = [
        e["status"]
        for e in await outbox_payloads(
            env, "identity.organisation_change_request.upserted.v1", request["request_id"]
        )
    ]
    assert states == ["pending", "approved"]

    unchanged = await identity_api.post(
        "/api/v1/identity/organisation-change-requests",
        json={**DETAILS, "name": "Provider A", "phone": "01952 000111"},
        headers=token,
    )
    assert unchanged.status_code == 422 and unchanged.json()["title"] == "Nothing to change"


async def test_council_details_left_out_are_kept_and_null_clears(identity_api, journey, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    reference = f"REF-{uuid.uuid4().hex[:8]}"
    body = {"reference": reference, "name": "Keep Ltd", "address": "1 Road", "postcode": "TF1 1AA"}
    first = await identity_api.put("/council/v1/identity/organisations", json=body, headers=council)
    assert first.json()["address"] == "1 Road"
    renamed = await identity_api.put(
        "/council/v1/identity/organisations",
        json={"reference": reference, "name": "Kept Ltd", "postcode": None},
        headers=council,
    )
    assert (renamed.json()["name"], renamed.json()["address"], renamed.json()["postcode"]) == (
        "Kept Ltd",
        "1 Road",
        None,
    )


async def test_rejection_needs_a_reason_and_leaves_the_organisation(identity_api, journey, env, tenant):
    _, token = await provider_token(identity_api, journey, env, tenant, role="full")
    asked = await identity_api.post(
        "/api/v1/identity/organisation-change-requests", json=DETAILS, headers=token
    )
    council = bearer(env.council_token(tenant.authority_id))
    path = f"/council/v1/identity/organisation-change-requests/{asked.json()['request_id']}/reject"
    assert (await identity_api.post(path, json={}, headers=council)).status_code == 422
    read_only = bearer(env.council_token(tenant.authority_id, can_edit=False))
    assert (await identity_api.post(path, json={"reason": "x"}, headers=read_only)).status_code == 403
    rejected = await identity_api.post(path, json={"reason": "Send us proof of address"}, headers=council)
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "Send us proof of address"
    seen = await identity_api.get(
        f"/api/v1/identity/organisation-change-requests/{asked.json()['request_id']}", headers=token
    )
    assert seen.json()["status"] == "rejected"
    assert (await identity_api.get("/api/v1/identity/organisation", headers=token)).json()["address"] is None


async def test_who_may_ask(identity_api, journey, env, tenant):
    _, finance = await provider_token(identity_api, journey, env, tenant, role="finance")
    for method, path in (
        ("GET", "/api/v1/identity/organisation"),
        ("POST", "/api/v1/identity/organisation-change-requests"),
        ("GET", "/api/v1/identity/organisation-change-requests"),
    ):
        refused = await identity_api.request(method, path, json=DETAILS, headers=finance)
        assert refused.status_code == 403, path
        assert "(Finance Functions) does not give access to organisation details" in refused.json()["detail"]
    _, read_only = await provider_token(identity_api, journey, env, tenant, role="admin", can_edit=False)
    assert (await identity_api.get("/api/v1/identity/organisation", headers=read_only)).status_code == 200
    refused = await identity_api.post(
        "/api/v1/identity/organisation-change-requests", json=DETAILS, headers=read_only
    )
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    _, admin = await provider_token(identity_api, journey, env, tenant, role="admin")
    incomplete = await identity_api.post(
        "/api/v1/identity/organisation-change-requests",
        json={"name": "", "postcode": "!!", "phone": "call me", "email": "nobody"},
        headers=admin,
    )
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} == {
        "name",
        "address",
        "postcode",
        "phone",
        "email",
    }
    council = bearer(env.council_token(tenant.authority_id))
    assert (await identity_api.get("/api/v1/identity/organisation", headers=council)).status_code == 403
    # A login (or an API key) that covers one contract of the organisation cannot change the whole.
    contract_scoped = bearer(
        env.token(
            authority_id=tenant.authority_id,
            organisation_id=tenant.organisations["A"],
            role=Role.admin,
            scope_type=ScopeType.contract,
            scope_id=uuid.uuid4(),
        )
    )
    refused = await identity_api.post(
        "/api/v1/identity/organisation-change-requests", json=DETAILS, headers=contract_scoped
    )
    assert refused.status_code == 403 and "part of the organisation" in refused.json()["detail"]
    key = bearer(
        env.token(
            authority_id=tenant.authority_id,
            organisation_id=tenant.organisations["A"],
            role=Role.full,
            kind=PrincipalKind.api_key,
        )
    )
    refused = await identity_api.post(
        "/api/v1/identity/organisation-change-requests", json=DETAILS, headers=key
    )
    assert refused.status_code == 403 and "people" in refused.json()["detail"]


async def test_contacts_show_their_role_and_scope(identity_api, journey, env, tenant):
    me, token = await provider_token(identity_api, journey, env, tenant, role="admin", can_edit=False)
    contacts = (await identity_api.get("/api/v1/identity/contacts", headers=token)).json()
    row = next(c for c in contacts if c["user_id"] == me["user_id"])
    assert (row["role"], row["can_edit"], row["scope_type"], row["scope_name"]) == (
        "admin",
        False,
        "organisation",
        "Provider A",
    )
