"""The audit log: every access event, readable by the council of the same authority only, no secrets."""

from __future__ import annotations

import json

from tests.support.identity import CODE, PASSWORD, bearer, create_user, make_tenant


async def test_the_audit_log_records_the_story_of_an_account_without_secrets(
    identity_api, journey, env, tenant
):
    user, temporary = await create_user(identity_api, env, tenant)
    session_id = await journey.first_login(tenant, user["email"], temporary)
    await journey.post("/sessions/logout", {"session_id": session_id})
    for _ in range(3):
        await journey.start(tenant, user["email"], "a wrong password")
    council = bearer(env.council_token(tenant.authority_id))
    await identity_api.post(f"/council/v1/identity/users/{user['user_id']}/unlock", headers=council)
    reset = await identity_api.post(
        f"/council/v1/identity/users/{user['user_id']}/password-reset", json={}, headers=council
    )
    await journey.start(tenant, "nobody@provider.example", "whatever it is")

    entries = (
        await identity_api.get("/council/v1/identity/audit", params={"limit": 500}, headers=council)
    ).json()
    mine = [e for e in reversed(entries) if e["subject_user_id"] == user["user_id"]]
    assert [(e["action"], e["outcome"]) for e in mine] == [
        ("role_granted", "success"),
        ("user_created", "success"),
        ("password_changed", "success"),
        ("security_code_set", "success"),
        ("login_succeeded", "success"),
        ("logout", "success"),
        ("login_failed", "failure"),
        ("login_failed", "failure"),
        ("login_failed", "failure"),
        ("account_locked", "success"),
        ("account_unlocked", "success"),
        ("password_reset", "success"),
    ]
    assert mine[0]["actor_kind"] == "council_client"
    assert entries[0]["action"] == "login_failed" and entries[0]["detail"]["reason"] == "unknown_account"
    assert all(e["request_id"] for e in entries)
    text = json.dumps(entries)
    for secret in (
        temporary,
        PASSWORD,
        CODE,
        session_id,
        reset.json()["temporary_password"],
        "a wrong password",
    ):
        assert secret not in text

    only_locks = await identity_api.get(
        "/council/v1/identity/audit", params={"action": "account_locked"}, headers=council
    )
    assert [e["detail"]["reason"] for e in only_locks.json()] == ["password_failures"]


async def test_another_authority_and_providers_cannot_read_it(identity_api, env, tenant):
    other = await make_tenant(env)
    await create_user(identity_api, env, tenant)
    theirs = await identity_api.get(
        "/council/v1/identity/audit", headers=bearer(env.council_token(other.authority_id))
    )
    assert theirs.status_code == 200 and theirs.json() == []
    provider = env.token(authority_id=tenant.authority_id, organisation_id=tenant.organisations["A"])
    refused = await identity_api.get("/council/v1/identity/audit", headers=bearer(provider))
    assert refused.status_code == 403


async def test_audit_query_parameters_are_checked(identity_api, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    for params in ({"limit": 0}, {"limit": 100000}, {"user_id": "not-a-uuid"}, {"since": "yesterday"}):
        response = await identity_api.get("/council/v1/identity/audit", params=params, headers=council)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["source"] == "query"
