"""The login journey over identity's internal API: first login, later logins, steps in order only."""

from __future__ import annotations

import jwt

from tests.support.identity import CODE, PASSWORD, bearer, create_user


async def test_first_login_changes_the_password_sets_a_code_and_opens_a_session(
    identity_api, journey, env, tenant
):
    user, temporary = await create_user(identity_api, env, tenant)
    started = await journey.start(tenant, user["email"].upper(), temporary)  # e-mails are case-insensitive
    assert started.status_code == 200, started.text
    state = started.json()
    assert state["step"] == "change_password" and state["reason"] == "temporary"
    assert any("12 characters" in rule for rule in state["password_rules"])
    jid = state["journey_id"]

    # No later step can be taken first.
    early = await journey.post(
        "/login/security-code", {"journey_id": jid, "new_code": CODE, "confirm_code": CODE}
    )
    assert early.status_code == 409 and "change_password" in early.json()["detail"]
    early = await journey.post("/login/challenge", {"journey_id": jid, "digits": ["1", "2"]})
    assert early.status_code == 409

    weak = await journey.post(
        "/login/password", {"journey_id": jid, "new_password": "short", "confirm_password": "x"}
    )
    assert weak.status_code == 422
    assert weak.headers["content-type"] == "application/problem+json"
    assert {e["rule"] for e in weak.json()["errors"]} == {"min_length", "non_letter", "confirmation"}
    assert "at least 12 characters" in weak.json()["detail"]

    same = await journey.post(
        "/login/password", {"journey_id": jid, "new_password": temporary, "confirm_password": temporary}
    )
    assert [e["rule"] for e in same.json()["errors"]] == ["not_recent"]

    changed = await journey.post(
        "/login/password", {"journey_id": jid, "new_password": PASSWORD, "confirm_password": PASSWORD}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["step"] == "set_security_code"
    assert len(changed.json()["security_code_rules"]) == 4

    again = await journey.post(
        "/login/password", {"journey_id": jid, "new_password": PASSWORD, "confirm_password": PASSWORD}
    )
    assert again.status_code == 409  # a step is taken once

    bad = await journey.post(
        "/login/security-code", {"journey_id": jid, "new_code": "123456", "confirm_code": "123456"}
    )
    assert bad.status_code == 422 and [e["rule"] for e in bad.json()["errors"]] == ["consecutive_run"]
    assert bad.json()["errors"][0]["field"] == "new_code"

    done = await journey.post(
        "/login/security-code", {"journey_id": jid, "new_code": CODE, "confirm_code": CODE}
    )
    assert done.status_code == 200, done.text
    assert done.json()["step"] == "done"
    assert CODE not in done.text
    session_id = done.json()["session"]["session_id"]

    finished = await journey.post("/login/state", {"journey_id": jid})
    assert finished.status_code == 401 and finished.json()["type"].endswith("login-ended")

    token = await journey.token(session_id)
    assert token.status_code == 200, token.text
    claims = jwt.decode(token.json()["token"], options={"verify_signature": False})
    assert claims["sub"] == user["user_id"]
    assert claims["authority"] == str(tenant.authority_id)
    assert claims["org"] == str(tenant.organisations["A"])
    assert (claims["role"], claims["edit"], claims["scope"]) == ("full", True, "organisation")
    assert claims["sid"] and claims["sid"] != session_id


async def test_later_logins_ask_two_digits_that_retrying_cannot_re_roll(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant)
    await journey.first_login(tenant, user["email"], temporary)

    first = (await journey.start(tenant, user["email"], PASSWORD)).json()
    assert first["step"] == "security_code_challenge"
    p1, p2 = first["positions"]
    assert 1 <= p1 < p2 <= 6
    assert first["positions_text"].count(" and ") == 1

    for _ in range(3):  # starting again, or asking again, gives the same positions
        restarted = (await journey.start(tenant, user["email"], PASSWORD)).json()
        assert restarted["positions"] == first["positions"]
    shown = await journey.post("/login/state", {"journey_id": restarted["journey_id"]})
    assert shown.json()["positions"] == first["positions"]
    # A restarted login replaces the previous one.
    old = await journey.post("/login/challenge", {"journey_id": first["journey_id"], "digits": ["0", "0"]})
    assert old.status_code == 401 and old.json()["type"].endswith("login-ended")

    wrong = [str((int(CODE[p - 1]) + 1) % 10) for p in first["positions"]]
    refused = await journey.post("/login/challenge", {"journey_id": restarted["journey_id"], "digits": wrong})
    assert refused.status_code == 401 and refused.json()["type"].endswith("wrong-security-code")
    still = await journey.post("/login/state", {"journey_id": restarted["journey_id"]})
    assert still.json()["positions"] == first["positions"]

    right = [CODE[p - 1] for p in first["positions"]]
    done = await journey.post("/login/challenge", {"journey_id": restarted["journey_id"], "digits": right})
    assert done.status_code == 200 and done.json()["step"] == "done"

    # Answered: the next login may ask other positions (a new challenge), and still works.
    assert await journey.login(tenant, user["email"])


async def test_challenge_answers_must_be_single_digits(journey, identity_api, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant)
    await journey.first_login(tenant, user["email"], temporary)
    state = (await journey.start(tenant, user["email"], PASSWORD)).json()
    for digits in (["12", "3"], ["a", "1"], ["1"], ["1", "2", "3"]):
        bad = await journey.post("/login/challenge", {"journey_id": state["journey_id"], "digits": digits})
        assert bad.status_code == 422, digits
        assert bad.json()["errors"][0]["field"].startswith("digits")
    # Malformed answers are not wrong answers: nothing was counted.
    assert await journey.login(tenant, user["email"])


async def test_an_expired_password_is_changed_then_the_challenge_is_asked(identity_api, journey, env, tenant):
    from shared import db

    user, temporary = await create_user(identity_api, env, tenant)
    await journey.first_login(tenant, user["email"], temporary)
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(
            "UPDATE identity.app_user SET password_changed_at = now() - interval '90 days' WHERE user_id = $1",
            user["user_id"],
        )
    finally:
        await conn.close()
    state = (await journey.start(tenant, user["email"], PASSWORD)).json()
    assert state["step"] == "change_password" and state["reason"] == "expired"
    new = "a brand new passphrase 2"
    changed = await journey.post(
        "/login/password", {"journey_id": state["journey_id"], "new_password": new, "confirm_password": new}
    )
    assert changed.json()["step"] == "security_code_challenge"
    assert await journey.login(tenant, user["email"], password=new)


async def test_durham_policy_applies_to_its_users(identity_api, journey, env):
    from tests.support.identity import make_tenant

    durham = await make_tenant(
        env,
        password_min_length=9,
        password_require_upper=True,
        password_require_lower=True,
        password_require_digit=True,
        password_require_symbol=True,
    )
    user, temporary = await create_user(identity_api, env, durham)
    state = (await journey.start(durham, user["email"], temporary)).json()
    assert any("upper-case" in r for r in state["password_rules"])
    refused = await journey.post(
        "/login/password",
        {"journey_id": state["journey_id"], "new_password": "abcdefghij", "confirm_password": "abcdefghij"},
    )
    assert {e["rule"] for e in refused.json()["errors"]} == {"upper", "digit", "symbol", "non_letter"}
    accepted = await journey.post(
        "/login/password",
        {"journey_id": state["journey_id"], "new_password": "Durham-9x", "confirm_password": "Durham-9x"},
    )
    assert accepted.json()["step"] == "set_security_code"


async def test_internal_routes_are_for_the_gateway_only(identity_api, tenant):
    for headers in ({}, {"x-gateway-secret": "guess"}):
        response = await identity_api.post(
            "/internal/v1/identity/login",
            json={"authority": tenant.slug, "email": "a@b.example", "password": "x"},
            headers=headers,
        )
        assert response.status_code == 403
        assert response.json()["detail"] == "this endpoint is for the gateway only"


async def test_unknown_authority_is_named(journey):
    from tests.support.identity import Tenant

    response = await journey.start(Tenant(authority_id=None, slug="no-such-council"), "a@b.example", "x")  # type: ignore[arg-type]
    assert response.status_code == 404 and "no-such-council" in response.json()["detail"]


async def test_who_am_i_after_login(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant, role="finance", can_edit=False)
    session_id = await journey.first_login(tenant, user["email"], temporary)
    token = (await journey.token(session_id)).json()["token"]
    me = await identity_api.get("/api/v1/identity/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["user"]["email"] == user["email"]
    assert body["role"] == "finance" and body["can_edit"] is False
    assert body["scope"] == {"type": "organisation", "id": str(tenant.organisations["A"])}
    assert body["organisation"]["organisation_id"] == str(tenant.organisations["A"])
    assert body["authority"]["slug"] == tenant.slug
    assert body["authority"]["support_email"] == "support@council.example"
    assert [m["organisation_id"] for m in body["organisations"]] == [str(tenant.organisations["A"])]
    for secret in (PASSWORD, CODE, session_id, "password_hash", 'security_code"'):
        assert secret not in me.text
