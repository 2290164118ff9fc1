"""API keys for providers' own systems, and client credentials for council systems."""

from __future__ import annotations

import jwt

from tests.support.identity import bearer, create_user


async def admin_token(identity_api, journey, env, tenant, role="admin"):
    user, temporary = await create_user(identity_api, env, tenant, role=role)
    session_id = await journey.first_login(tenant, user["email"], temporary)
    return bearer((await journey.token(session_id)).json()["token"])


async def test_an_api_key_is_shown_once_and_acts_with_its_role_and_scope(identity_api, journey, env, tenant):
    token = await admin_token(identity_api, journey, env, tenant, role="full")
    created = await identity_api.post(
        "/api/v1/identity/api-keys",
        json={"name": "Care system", "role": "care", "can_edit": False},
        headers=token,
    )
    assert created.status_code == 201, created.text
    key = created.json()["api_key"]
    assert key.startswith("ppk_") and created.json()["prefix"] == key[:10]
    listed = await identity_api.get("/api/v1/identity/api-keys", headers=token)
    assert key not in listed.text and listed.json()[0]["name"] == "Care system"

    exchanged = await journey.post("/api-keys/token", {"api_key": key})
    assert exchanged.status_code == 200, exchanged.text
    claims = jwt.decode(exchanged.json()["token"], options={"verify_signature": False})
    assert (claims["kind"], claims["role"], claims["edit"], claims["org"]) == (
        "api_key",
        "care",
        False,
        str(tenant.organisations["A"]),
    )
    me = await identity_api.get("/api/v1/identity/me", headers=bearer(exchanged.json()["token"]))
    assert me.json()["kind"] == "api_key" and me.json()["user"] is None

    revoked = await identity_api.delete(
        f"/api/v1/identity/api-keys/{created.json()['key_id']}", headers=token
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = await journey.post("/api-keys/token", {"api_key": key})
    assert refused.status_code == 401 and refused.json()["type"].endswith("invalid-api-key")


async def test_keys_never_exceed_their_creator(identity_api, journey, env, tenant):
    admin = await admin_token(identity_api, journey, env, tenant, role="admin")
    full = await identity_api.post(
        "/api/v1/identity/api-keys", json={"name": "x", "role": "full", "can_edit": True}, headers=admin
    )
    assert full.status_code == 403
    finance = await admin_token(identity_api, journey, env, tenant, role="finance")
    assert (
        await identity_api.post(
            "/api/v1/identity/api-keys",
            json={"name": "x", "role": "finance", "can_edit": True},
            headers=finance,
        )
    ).status_code == 403
    main = await identity_api.post(
        "/api/v1/identity/api-keys", json={"name": "x", "role": "main", "can_edit": True}, headers=admin
    )
    assert main.status_code == 422
    key = await identity_api.post(
        "/api/v1/identity/api-keys",
        json={"name": "admin key", "role": "admin", "can_edit": True},
        headers=admin,
    )
    exchanged = await journey.post("/api-keys/token", {"api_key": key.json()["api_key"]})
    by_key = await identity_api.post(
        "/api/v1/identity/api-keys",
        json={"name": "child", "role": "admin", "can_edit": True},
        headers=bearer(exchanged.json()["token"]),
    )
    assert by_key.status_code == 403 and "people" in by_key.json()["detail"]


async def test_unknown_keys_are_refused(journey):
    for key in ("ppk_" + "a" * 43, "not-any-key-at-all"):
        assert (await journey.post("/api-keys/token", {"api_key": key})).status_code == 401


async def test_client_credentials_for_council_systems(identity_api, env, tenant):
    council = bearer(env.council_user_token(tenant.authority_id))
    made = await identity_api.post(
        "/council/v1/identity/clients", json={"name": "Finance ledger", "can_edit": False}, headers=council
    )
    assert made.status_code == 201, made.text
    client_id, secret = made.json()["client_id"], made.json()["client_secret"]
    listed = await identity_api.get("/council/v1/identity/clients", headers=council)
    assert secret not in listed.text and client_id in listed.text

    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    issued = await identity_api.post("/council/v1/identity/token", data=form)
    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "Bearer" and issued.headers["cache-control"] == "no-store"
    claims = jwt.decode(issued.json()["access_token"], options={"verify_signature": False})
    assert (claims["kind"], claims["role"], claims["edit"], claims["authority"]) == (
        "council_client",
        "council",
        False,
        str(tenant.authority_id),
    )
    as_json = await identity_api.post("/council/v1/identity/token", json=form)
    assert as_json.status_code == 200

    audit = await identity_api.get(
        "/council/v1/identity/audit", headers=bearer(issued.json()["access_token"])
    )
    assert audit.status_code == 200
    read_only = await identity_api.patch(
        "/council/v1/identity/authority", json={"name": "x"}, headers=bearer(issued.json()["access_token"])
    )
    assert read_only.status_code == 403

    for bad, status, error in (
        ({**form, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**form, "client_id": "cc_unknown"}, 401, "invalid_client"),
        ({**form, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, 400, "invalid_request"),
    ):
        refused = await identity_api.post("/council/v1/identity/token", data=bad)
        assert refused.status_code == status and refused.json()["error"] == error, bad
        assert refused.headers["content-type"] == "application/problem+json"

    await identity_api.delete(f"/council/v1/identity/clients/{client_id}", headers=council)
    assert (await identity_api.post("/council/v1/identity/token", data=form)).status_code == 401
