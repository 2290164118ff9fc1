"""Changing one's password or code while logged in; the council's reset; the forgotten-password form."""

from __future__ import annotations

import json

from shared import db
from tests.support.identity import CODE, PASSWORD, bearer, create_user

NEW = "another fine passphrase 3"


async def logged_in(identity_api, journey, env, tenant, **kw) -> tuple[dict, str, str]:
    user, temporary = await create_user(identity_api, env, tenant, **kw)
    session_id = await journey.first_login(tenant, user["email"], temporary)
    token = (await journey.token(session_id)).json()["token"]
    return user, session_id, token


async def test_change_password_needs_the_current_one_and_ends_other_sessions(
    identity_api, journey, env, tenant
):
    user, session_id, token = await logged_in(identity_api, journey, env, tenant)
    other = await journey.login(tenant, user["email"])

    wrong = await identity_api.post(
        "/api/v1/identity/me/password",
        json={"current_password": "not it at all", "new_password": NEW, "confirm_password": NEW},
        headers=bearer(token),
    )
    assert wrong.status_code == 403 and wrong.json()["errors"][0]["field"] == "current_password"

    weak = await identity_api.post(
        "/api/v1/identity/me/password",
        json={"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
        headers=bearer(token),
    )
    assert weak.status_code == 422 and [e["rule"] for e in weak.json()["errors"]] == ["not_recent"]

    done = await identity_api.post(
        "/api/v1/identity/me/password",
        json={"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
        headers=bearer(token),
    )
    assert done.status_code == 204, done.text
    assert (await journey.token(session_id)).status_code == 200  # this session stays
    assert (await journey.token(other)).status_code == 401  # the others end
    assert await journey.login(tenant, user["email"], password=NEW)


async def test_none_of_the_last_n_passwords_can_come_back(identity_api, journey, env):
    from tests.support.identity import make_tenant

    tenant = await make_tenant(env, password_history=2)  # N is the authority's (12 by default)
    _, _, token = await logged_in(identity_api, journey, env, tenant)

    async def change(current: str, new: str):
        return await identity_api.post(
            "/api/v1/identity/me/password",
            json={"current_password": current, "new_password": new, "confirm_password": new},
            headers=bearer(token),
        )

    assert (await change(PASSWORD, NEW)).status_code == 204  # history: NEW, PASSWORD, (temporary)
    back = await change(NEW, PASSWORD)  # PASSWORD is one of the last 2
    assert back.status_code == 422 and "last 2" in back.json()["errors"][0]["message"]
    third = "a third passphrase here 4"
    assert (await change(NEW, third)).status_code == 204  # history: third, NEW, PASSWORD
    assert (await change(third, PASSWORD)).status_code == 204  # PASSWORD is 3 back now: allowed


async def test_wrong_current_passwords_count_towards_the_lock(identity_api, journey, env, tenant):
    _, session_id, token = await logged_in(identity_api, journey, env, tenant)
    statuses = []
    for _ in range(3):
        answer = await identity_api.post(
            "/api/v1/identity/me/security-code",
            json={"current_password": "guessing away", "new_code": "135790", "confirm_code": "135790"},
            headers=bearer(token),
        )
        statuses.append(answer.json()["type"].rsplit(":", 1)[-1])
    assert statuses == ["wrong-current-password", "wrong-current-password", "account-locked"]
    assert (await journey.token(session_id)).status_code == 401


async def test_change_security_code_follows_the_rules(identity_api, journey, env, tenant):
    user, _, token = await logged_in(identity_api, journey, env, tenant)

    async def change(code: str, confirm: str | None = None):
        return await identity_api.post(
            "/api/v1/identity/me/security-code",
            json={"current_password": PASSWORD, "new_code": code, "confirm_code": confirm or code},
            headers=bearer(token),
        )

    same = await change(CODE)
    assert [e["rule"] for e in same.json()["errors"]] == ["differs_from_previous"]
    many = await change("4321x")
    assert {e["rule"] for e in many.json()["errors"]} == {"length", "only_digits", "consecutive_run"}
    assert "exactly 6 digits" in many.json()["detail"]
    mismatch = await change("135790", "135791")
    assert [e["rule"] for e in mismatch.json()["errors"]] == ["confirmation"]
    assert (await change("135790")).status_code == 204
    assert await journey.login(tenant, user["email"], code="135790")


async def test_council_reset_forces_a_change_and_can_clear_the_code(identity_api, journey, env, tenant):
    user, session_id, _ = await logged_in(identity_api, journey, env, tenant)
    council = bearer(env.council_token(tenant.authority_id))
    reset = await identity_api.post(
        f"/council/v1/identity/users/{user['user_id']}/password-reset",
        json={"reset_security_code": True},
        headers=council,
    )
    assert reset.status_code == 200, reset.text
    temporary = reset.json()["temporary_password"]
    assert reset.json()["user"]["must_change_password"] is True
    assert reset.json()["user"]["has_security_code"] is False
    assert (await journey.token(session_id)).status_code == 401

    state = (await journey.start(tenant, user["email"], temporary)).json()
    assert state["step"] == "change_password" and state["reason"] == "temporary"
    await journey.post(
        "/login/password", {"journey_id": state["journey_id"], "new_password": NEW, "confirm_password": NEW}
    )
    previous = await journey.post(
        "/login/security-code", {"journey_id": state["journey_id"], "new_code": CODE, "confirm_code": CODE}
    )
    assert [e["rule"] for e in previous.json()["errors"]] == ["differs_from_previous"]
    done = await journey.post(
        "/login/security-code",
        {"journey_id": state["journey_id"], "new_code": "246813", "confirm_code": "246813"},
    )
    assert done.json()["step"] == "done"


async def test_read_only_council_and_providers_cannot_administer(identity_api, env, tenant):
    user, _ = await create_user(identity_api, env, tenant)
    for token in (
        env.council_token(tenant.authority_id, can_edit=False),
        env.token(authority_id=tenant.authority_id, organisation_id=tenant.organisations["A"]),
    ):
        for path in (f"/users/{user['user_id']}/unlock", f"/users/{user['user_id']}/password-reset"):
            response = await identity_api.post(f"/council/v1/identity{path}", json={}, headers=bearer(token))
            assert response.status_code == 403, (path, response.text)


async def test_forgotten_password_answer_never_says_whether_the_email_exists(
    identity_api, journey, env, tenant
):
    user, _ = await create_user(identity_api, env, tenant)
    form = {
        "authority": tenant.slug,
        "name": "Dawn Stockton",
        "organisation_name": "Provider A",
        "phone": "01952 380000",
    }
    known = await journey.post("/password-reset-requests", {**form, "email": user["email"]})
    unknown = await journey.post("/password-reset-requests", {**form, "email": "nobody@provider.example"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()

    conn = await db.connect(env.dsn("identity"))
    try:
        rows = await conn.fetch(
            "SELECT email, matched_user_id FROM identity.reset_request WHERE authority_id = $1 ORDER BY created_at",
            tenant.authority_id,
        )
        events = await conn.fetch(
            "SELECT convert_from(body, 'UTF8') AS body FROM identity.outbox"
            " WHERE routing_key = 'identity.password_reset_request.submitted.v1'"
        )
    finally:
        await conn.close()
    assert [(r["email"], str(r["matched_user_id"]) if r["matched_user_id"] else None) for r in rows] == [
        (user["email"], user["user_id"]),
        ("nobody@provider.example", None),
    ]
    payloads = [json.loads(e["body"])["payload"] for e in events]
    mine = [p for p in payloads if p["authority_id"] == str(tenant.authority_id)]
    assert {p["email"] for p in mine} == {user["email"], "nobody@provider.example"}
    assert all(p["phone"] == "01952 380000" and p["organisation_name"] == "Provider A" for p in mine)


async def test_forgotten_password_form_errors_name_each_field(journey, tenant):
    bad = await journey.post(
        "/password-reset-requests",
        {
            "authority": tenant.slug,
            "name": "",
            "organisation_name": "X",
            "email": "not-an-email",
            "phone": "call me",
        },
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "email", "phone"}
