"""The whole login journey over HTTP through the gateway, against every service as a real process:
first login -> change password -> set code -> log out -> log in with the two-digit challenge ->
an authenticated call works -> log out -> the old cookie is refused."""

from __future__ import annotations

import httpx

from tests.support.identity import bearer, make_tenant

PASSWORD = "a long enough passphrase 7"
CODE = "580274"


def session_cookie(response: httpx.Response) -> str:
    header = response.headers["set-cookie"]
    assert header.startswith("portal_session="), header
    attributes = {a.strip().lower() for a in header.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes, header
    return header.split(";")[0].split("=", 1)[1]


async def test_the_whole_journey_through_the_gateway(stack):
    tenant = await make_tenant(stack.env)
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        created = await client.post(
            "/council/v1/identity/users",
            json={
                "email": "first.login@provider.example",
                "forename": "First",
                "surname": "Login",
                "grant": {
                    "organisation_id": str(tenant.organisations["A"]),
                    "role": "full",
                    "can_edit": True,
                },
            },
            headers=bearer(stack.env.council_token(tenant.authority_id)),
        )
        assert created.status_code == 201, created.text
        temporary = created.json()["temporary_password"]

        # First login: the temporary password must change, then a code is set.
        started = await client.post(
            "/api/v1/auth/login",
            json={"authority": tenant.slug, "email": "first.login@provider.example", "password": temporary},
        )
        assert started.status_code == 200, started.text
        assert started.json()["step"] == "change_password"
        jid = started.json()["journey_id"]
        skipped = await client.post(
            "/api/v1/auth/login/challenge", json={"journey_id": jid, "digits": ["1", "2"]}
        )
        assert skipped.status_code == 409 and skipped.headers["content-type"] == "application/problem+json"
        changed = await client.post(
            "/api/v1/auth/login/password",
            json={"journey_id": jid, "new_password": PASSWORD, "confirm_password": PASSWORD},
        )
        assert changed.json()["step"] == "set_security_code", changed.text
        refused = await client.post(
            "/api/v1/auth/login/security-code",
            json={"journey_id": jid, "new_code": "111112", "confirm_code": "111112"},
        )
        assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "digit_repeats"
        done = await client.post(
            "/api/v1/auth/login/security-code",
            json={"journey_id": jid, "new_code": CODE, "confirm_code": CODE},
        )
        assert done.status_code == 200 and done.json()["step"] == "done", done.text
        first_cookie = session_cookie(done)
        assert first_cookie not in done.text  # the id is only in the HttpOnly cookie
        assert "session_id" not in done.json()["session"]

        me = await client.get("/api/v1/identity/me")
        assert me.status_code == 200, me.text
        assert me.json()["user"]["email"] == "first.login@provider.example"

        out = await client.post("/api/v1/auth/logout")
        assert out.status_code == 204
        assert (
            "max-age=0" in out.headers["set-cookie"].lower()
            or "expires=" in out.headers["set-cookie"].lower()
        )
        assert (await client.get("/api/v1/identity/me")).status_code == 401

        # Later login: password, then two digits of the code.
        started = await client.post(
            "/api/v1/auth/login",
            json={"authority": tenant.slug, "email": "first.login@provider.example", "password": PASSWORD},
        )
        state = started.json()
        assert state["step"] == "security_code_challenge" and len(state["positions"]) == 2
        digits = [CODE[p - 1] for p in state["positions"]]
        done = await client.post(
            "/api/v1/auth/login/challenge", json={"journey_id": state["journey_id"], "digits": digits}
        )
        assert done.status_code == 200 and done.json()["step"] == "done", done.text
        second_cookie = session_cookie(done)
        assert second_cookie != first_cookie

        # An authenticated call works, to identity and to another service.
        assert (await client.get("/api/v1/identity/me")).status_code == 200
        actuals = await client.get("/api/v1/actuals/organisations")
        assert actuals.status_code == 200, actuals.text

        out = await client.post("/api/v1/auth/logout")
        assert out.status_code == 204
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as browser:  # replays the old cookies
        for cookie in (second_cookie, first_cookie):
            replay = {"cookie": f"portal_session={cookie}"}
            stale = await browser.get("/api/v1/identity/me", headers=replay)
            assert stale.status_code == 401, stale.text
            assert stale.json()["type"].endswith("session-ended")
            stale = await browser.get("/api/v1/actuals/organisations", headers=replay)
            assert stale.status_code == 401


async def test_wrong_password_and_unknown_email_look_alike_through_the_gateway(stack):
    tenant = await make_tenant(stack.env)
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        await client.post(
            "/council/v1/identity/users",
            json={
                "email": "known@provider.example",
                "forename": "K",
                "surname": "N",
                "grant": {
                    "organisation_id": str(tenant.organisations["A"]),
                    "role": "care",
                    "can_edit": False,
                },
            },
            headers=bearer(stack.env.council_token(tenant.authority_id)),
        )
        answers = []
        for email in ("known@provider.example", "unknown@provider.example"):
            r = await client.post(
                "/api/v1/auth/login", json={"authority": tenant.slug, "email": email, "password": "x"}
            )
            answers.append((r.status_code, {k: v for k, v in r.json().items() if k != "request_id"}))
        assert answers[0] == answers[1]
        assert answers[0][0] == 401


async def test_login_is_json_only(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        form = await client.post(
            "/api/v1/auth/login", data={"authority": "x", "email": "a@b.c", "password": "p"}
        )
        assert form.status_code == 422
        assert form.headers["content-type"] == "application/problem+json"


async def test_login_journey_endpoints_refuse_cross_site_callers(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        for path in ("/api/v1/auth/login", "/api/v1/auth/logout"):
            refused = await client.post(path, json={}, headers={"sec-fetch-site": "cross-site"})
            assert refused.status_code == 403, path
            assert refused.headers["content-type"] == "application/problem+json"
        evil_origin = await client.post("/api/v1/auth/logout", headers={"origin": "https://evil.example"})
        assert evil_origin.status_code == 403
