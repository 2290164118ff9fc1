"""Contact requests: a provider Admin or Full user asks, the council approves or rejects."""

from __future__ import annotations

import json
import uuid

from shared import db
from shared.sealing import Sealer
from tests.support.identity import bearer, create_user

NEW_CONTACT = {
    "forename": "Bart",
    "surname": "Simpson",
    "address": "1 The Gatehouse, Darlington, DL1 3HA",
    "phone": "01325 000000",
    "role": "care",
    "can_edit": True,
}


async def provider_token(
    identity_api, journey, env, tenant, *, role="admin", can_edit=True, organisation="A"
):
    user, temporary = await create_user(
        identity_api, env, tenant, role=role, can_edit=can_edit, organisation=organisation
    )
    session_id = await journey.first_login(tenant, user["email"], temporary)
    return user, bearer((await journey.token(session_id)).json()["token"])


async def test_request_then_approval_creates_a_login_with_an_emailed_temporary_password(
    identity_api, journey, env, tenant
):
    requester, token = await provider_token(identity_api, journey, env, tenant)
    email = f"bart-{uuid.uuid4().hex[:6]}@provider.example"
    asked = await identity_api.post(
        "/api/v1/identity/contact-requests", json={**NEW_CONTACT, "email": email}, headers=token
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "pending" and request["scope_id"] == str(tenant.organisations["A"])
    assert request["requested_by"] == requester["user_id"]
    again = await identity_api.post(
        "/api/v1/identity/contact-requests", json={**NEW_CONTACT, "email": email}, headers=token
    )
    assert again.status_code == 409

    mine = await identity_api.get("/api/v1/identity/contact-requests", headers=token)
    assert [r["request_id"] for r in mine.json()] == [request["request_id"]]

    council = bearer(env.council_token(tenant.authority_id))
    pending = await identity_api.get(
        "/council/v1/identity/contact-requests", params={"status": "pending"}, headers=council
    )
    assert request["request_id"] in {r["request_id"] for r in pending.json()}
    approved = await identity_api.post(
        f"/council/v1/identity/contact-requests/{request['request_id']}/approve", headers=council
    )
    assert approved.status_code == 200, approved.text
    temporary = approved.json()["temporary_password"]
    user_id = approved.json()["request"]["user_id"]
    assert approved.json()["request"]["status"] == "approved"
    twice = await identity_api.post(
        f"/council/v1/identity/contact-requests/{request['request_id']}/approve", headers=council
    )
    assert twice.status_code == 409 and "already been approved" in twice.json()["detail"]

    # The messaging service receives the password sealed; it opens with the delivery key only.
    conn = await db.connect(env.dsn("identity"))
    try:
        rows = await conn.fetch(
            "SELECT convert_from(body, 'UTF8') AS body FROM identity.outbox"
            " WHERE routing_key = 'identity.user.temporary_password_issued.v1'"
        )
    finally:
        await conn.close()
    events = [json.loads(r["body"])["payload"] for r in rows]
    event = next(e for e in events if e["user_id"] == user_id)
    assert event["reason"] == "contact_approved" and event["email"] == email
    assert temporary not in json.dumps(events)
    assert (
        Sealer.from_base64(env.delivery_key).open_text(event["sealed_password"], owner=uuid.UUID(user_id))
        == temporary
    )

    # The new contact logs in with it, as Care Management, Edit, in organisation A.
    session_id = await journey.first_login(tenant, email, temporary)
    claims = (await journey.token(session_id)).json()
    assert (claims["role"], claims["can_edit"], claims["organisation_id"]) == (
        "care",
        True,
        str(tenant.organisations["A"]),
    )


async def test_approval_links_an_existing_login_to_another_organisation(identity_api, journey, env, tenant):
    existing, _ = await create_user(identity_api, env, tenant, organisation="B", role="finance")
    _, token = await provider_token(identity_api, journey, env, tenant, role="full")
    asked = await identity_api.post(
        "/api/v1/identity/contact-requests", json={**NEW_CONTACT, "email": existing["email"]}, headers=token
    )
    council = bearer(env.council_token(tenant.authority_id))
    approved = await identity_api.post(
        f"/council/v1/identity/contact-requests/{asked.json()['request_id']}/approve", headers=council
    )
    assert approved.json()["temporary_password"] is None
    assert approved.json()["request"]["user_id"] == existing["user_id"]
    detail = await identity_api.get(f"/council/v1/identity/users/{existing['user_id']}", headers=council)
    assert {m["organisation_id"] for m in detail.json()["memberships"]} == {
        str(tenant.organisations["A"]),
        str(tenant.organisations["B"]),
    }


async def test_rejection_needs_a_reason(identity_api, journey, env, tenant):
    _, token = await provider_token(identity_api, journey, env, tenant)
    asked = await identity_api.post(
        "/api/v1/identity/contact-requests",
        json={**NEW_CONTACT, "email": "reject.me@provider.example"},
        headers=token,
    )
    council = bearer(env.council_token(tenant.authority_id))
    path = f"/council/v1/identity/contact-requests/{asked.json()['request_id']}/reject"
    assert (await identity_api.post(path, json={}, headers=council)).json()["errors"][0]["field"] == "reason"
    rejected = await identity_api.post(path, json={"reason": "Not known to us"}, headers=council)
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "Not known to us"
    seen = await identity_api.get(
        f"/api/v1/identity/contact-requests/{asked.json()['request_id']}", headers=token
    )
    assert seen.json()["status"] == "rejected"


async def test_who_may_ask_and_for_what(identity_api, journey, env, tenant):
    base = {**NEW_CONTACT, "email": f"someone-{uuid.uuid4().hex[:6]}@provider.example"}
    _, finance = await provider_token(identity_api, journey, env, tenant, role="finance")
    refused = await identity_api.post("/api/v1/identity/contact-requests", json=base, headers=finance)
    assert refused.status_code == 403 and "does not give access to contacts" in refused.json()["detail"]
    _, read_only = await provider_token(identity_api, journey, env, tenant, role="admin", can_edit=False)
    refused = await identity_api.post("/api/v1/identity/contact-requests", json=base, headers=read_only)
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]

    _, admin = await provider_token(identity_api, journey, env, tenant, role="admin")
    main = await identity_api.post(
        "/api/v1/identity/contact-requests", json={**base, "role": "main"}, headers=admin
    )
    assert main.status_code == 422 and main.json()["errors"][0]["field"] == "role"
    elsewhere = await identity_api.post(
        "/api/v1/identity/contact-requests",
        json={**base, "scope_type": "organisation", "scope_id": str(tenant.organisations["B"])},
        headers=admin,
    )
    assert elsewhere.status_code == 404 and elsewhere.json()["errors"][0]["field"] == "scope_id"
    full = await identity_api.post(
        "/api/v1/identity/contact-requests", json={**base, "role": "full"}, headers=admin
    )
    assert full.status_code == 201  # any provider role may be asked for: the council decides
    incomplete = await identity_api.post(
        "/api/v1/identity/contact-requests", json={"role": "care"}, headers=admin
    )
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} >= {
        "forename",
        "surname",
        "address",
        "phone",
        "email",
        "can_edit",
    }
