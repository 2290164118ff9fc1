"""An Admin scoped to one contract sees and revokes only the keys and contacts in that contract
(issue 9, 8b); an organisation-wide Admin sees them all."""

from __future__ import annotations

import uuid

from tests.support.identity import bearer, create_user


async def _login(identity_api, journey, env, tenant, **grant):
    council = bearer(env.council_user_token(tenant.authority_id))
    user, temporary = await create_user(identity_api, env, tenant, role=grant.pop("role"))
    if grant:
        path = f"/council/v1/identity/users/{user['user_id']}/memberships/{tenant.organisations['A']}"
        changed = await identity_api.put(
            path, json={"role": "admin", "can_edit": True, **grant}, headers=council
        )
        assert changed.status_code == 200, changed.text
    session_id = await journey.first_login(tenant, user["email"], temporary)
    return user, bearer((await journey.token(session_id)).json()["token"])


async def test_a_contract_admin_sees_and_revokes_only_its_contract(identity_api, journey, env, tenant):
    council = bearer(env.council_user_token(tenant.authority_id))
    contract = await identity_api.put(
        "/council/v1/identity/contracts",
        json={
            "reference": f"C-{uuid.uuid4().hex[:8]}",
            "organisation_id": str(tenant.organisations["A"]),
            "name": "Home care",
            "payment_basis": "actuals",
            "frequency": "weekly",
        },
        headers=council,
    )
    contract_id = contract.json()["contract_id"]
    whole_user, whole = await _login(identity_api, journey, env, tenant, role="full")
    narrow_user, narrow = await _login(
        identity_api, journey, env, tenant, role="admin", scope_type="contract", scope_id=contract_id
    )
    wide_key = await identity_api.post(
        "/api/v1/identity/api-keys", json={"name": "wide", "role": "admin", "can_edit": True}, headers=whole
    )
    narrow_key = await identity_api.post(
        "/api/v1/identity/api-keys",
        json={
            "name": "narrow",
            "role": "admin",
            "can_edit": True,
            "scope_type": "contract",
            "scope_id": contract_id,
        },
        headers=narrow,
    )
    assert narrow_key.status_code == 201, narrow_key.text

    seen = await identity_api.get("/api/v1/identity/api-keys", headers=narrow)
    assert [k["name"] for k in seen.json()] == ["narrow"]
    assert {
        k["name"] for k in (await identity_api.get("/api/v1/identity/api-keys", headers=whole)).json()
    } == {
        "wide",
        "narrow",
    }
    refused = await identity_api.delete(
        f"/api/v1/identity/api-keys/{wide_key.json()['key_id']}", headers=narrow
    )
    assert refused.status_code == 404
    own = await identity_api.delete(
        f"/api/v1/identity/api-keys/{narrow_key.json()['key_id']}", headers=narrow
    )
    assert own.status_code == 200

    contacts = await identity_api.get("/api/v1/identity/contacts", headers=narrow)
    assert [c["user_id"] for c in contacts.json()] == [narrow_user["user_id"]]
    everyone = await identity_api.get("/api/v1/identity/contacts", headers=whole)
    assert {c["user_id"] for c in everyone.json()} == {whole_user["user_id"], narrow_user["user_id"]}


async def test_a_contract_admin_lists_only_the_contact_requests_within_its_contract(
    identity_api, journey, env, tenant
):
    council = bearer(env.council_user_token(tenant.authority_id))
    contract = await identity_api.put(
        "/council/v1/identity/contracts",
        json={
            "reference": f"C-{uuid.uuid4().hex[:8]}",
            "organisation_id": str(tenant.organisations["A"]),
            "name": "Supported lodgings",
            "payment_basis": "actuals",
            "frequency": "weekly",
        },
        headers=council,
    )
    contract_id = contract.json()["contract_id"]
    _, whole = await _login(identity_api, journey, env, tenant, role="full")
    _, narrow = await _login(
        identity_api, journey, env, tenant, role="admin", scope_type="contract", scope_id=contract_id
    )

    async def ask(headers, surname, **scope):
        body = {
            "forename": "New",
            "surname": surname,
            "address": "1 High Street",
            "phone": "01952 000000",
            "email": f"{surname.lower()}-{uuid.uuid4().hex[:6]}@provider.example",
            "role": "finance",
            "can_edit": False,
            **scope,
        }
        made = await identity_api.post("/api/v1/identity/contact-requests", json=body, headers=headers)
        assert made.status_code == 201, made.text
        return made.json()["request_id"]

    wide_id = await ask(whole, "Wide")
    narrow_id = await ask(narrow, "Narrow", scope_type="contract", scope_id=contract_id)

    seen = await identity_api.get("/api/v1/identity/contact-requests", headers=narrow)
    assert [r["surname"] for r in seen.json()] == ["Narrow"]
    everything = await identity_api.get("/api/v1/identity/contact-requests", headers=whole)
    assert {r["surname"] for r in everything.json()} == {"Wide", "Narrow"}

    # One by one as in the list: outside its scope is as if it did not exist.
    outside = await identity_api.get(f"/api/v1/identity/contact-requests/{wide_id}", headers=narrow)
    assert outside.status_code == 404, outside.text
    inside = await identity_api.get(f"/api/v1/identity/contact-requests/{narrow_id}", headers=narrow)
    assert inside.status_code == 200 and inside.json()["surname"] == "Narrow"
    assert (
        await identity_api.get(f"/api/v1/identity/contact-requests/{narrow_id}", headers=whole)
    ).status_code == 200
