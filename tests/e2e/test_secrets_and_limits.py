"""Through the gateway: login and reset are rate limited (429 with Retry-After), and no password,
security code, session id, token or key ever reaches a log of any process."""

from __future__ import annotations

import asyncio

import httpx

from devtools import demo_councils
from tests.support.identity import CODE, PASSWORD, bearer, make_tenant
from tests.support.secrets import find_leaks, remember, remember_fields, run_log
from tests.support.tenants import PASSWORD as TENANT_PASSWORD


def hooked(stack) -> httpx.AsyncClient:
    """A client that remembers every secret it sends or receives."""

    async def on_request(request: httpx.Request) -> None:
        if request.headers.get("content-type", "").startswith("application/json") and request.content:
            import json

            remember_fields(json.loads(request.content))
        for header in ("x-api-key", "authorization", "cookie"):
            if header in request.headers:
                remember(request.headers[header].split(" ", 1)[-1].split("=", 1)[-1])

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        if response.headers.get("content-type", "").startswith("application/json"):
            remember_fields(response.json())
        if "set-cookie" in response.headers:
            remember(response.headers["set-cookie"].split(";")[0].split("=", 1)[1])

    return httpx.AsyncClient(
        base_url=stack.url, timeout=15, event_hooks={"request": [on_request], "response": [on_response]}
    )


async def test_login_and_reset_are_rate_limited_through_the_gateway(stack):
    tenant = await make_tenant(stack.env)
    async with hooked(stack) as client:
        body = {"authority": tenant.slug, "email": "flood@provider.example", "password": "guessing hard"}
        statuses = [(await client.post("/api/v1/auth/login", json=body)).status_code for _ in range(11)]
        assert statuses[:3] == [401, 401, 403] and statuses[3:10] == [403] * 7 and statuses[10] == 429
        limited = await client.post("/api/v1/auth/login", json=body)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert limited.headers["content-type"] == "application/problem+json"

        form = {
            "authority": tenant.slug,
            "name": "N",
            "organisation_name": "O",
            "email": "r@provider.example",
            "phone": "01234 567890",
        }
        resets = [
            (await client.post("/api/v1/auth/password-reset-requests", json=form)).status_code
            for _ in range(4)
        ]
        assert resets == [202, 202, 202, 429]


async def test_no_secret_reaches_any_log(stack):
    """A whole scenario with every kind of secret, then every log of the run so far is scanned (and
    the stack fixture scans the whole run again when it stops)."""
    remember(PASSWORD, CODE, TENANT_PASSWORD, demo_councils.SECURITY_CODE)
    remember(*(u.password for c in demo_councils.COUNCILS for u in c.users))
    tenant = await make_tenant(stack.env)
    council = bearer(stack.env.council_token(tenant.authority_id))
    async with hooked(stack) as client:
        made = await client.post(
            "/council/v1/identity/users",
            json={
                "email": "secretive@provider.example",
                "forename": "S",
                "surname": "T",
                "grant": {
                    "organisation_id": str(tenant.organisations["A"]),
                    "role": "full",
                    "can_edit": True,
                },
            },
            headers=council,
        )
        temporary = made.json()["temporary_password"]
        await client.post(
            "/api/v1/auth/login",
            json={
                "authority": tenant.slug,
                "email": "secretive@provider.example",
                "password": "a wrong guess 1",
            },
        )
        jid = (
            await client.post(
                "/api/v1/auth/login",
                json={"authority": tenant.slug, "email": "secretive@provider.example", "password": temporary},
            )
        ).json()["journey_id"]
        new = "never log this passphrase 5"
        await client.post(
            "/api/v1/auth/login/password",
            json={"journey_id": jid, "new_password": "short", "confirm_password": "other"},
        )
        await client.post(
            "/api/v1/auth/login/password",
            json={"journey_id": jid, "new_password": new, "confirm_password": new},
        )
        await client.post(
            "/api/v1/auth/login/security-code",
            json={"journey_id": jid, "new_code": "123456", "confirm_code": "123456"},
        )
        done = await client.post(
            "/api/v1/auth/login/security-code",
            json={"journey_id": jid, "new_code": "319753", "confirm_code": "319753"},
        )
        assert done.json()["step"] == "done"
        await client.post(
            "/api/v1/identity/me/security-code",
            json={"current_password": new, "new_code": "864209", "confirm_code": "864209"},
        )
        key = (
            await client.post(
                "/api/v1/identity/api-keys", json={"name": "k", "role": "care", "can_edit": False}
            )
        ).json()["api_key"]
        await client.get("/api/v1/identity/me", headers={"x-api-key": key})
        await client.get("/api/v1/identity/me", headers={"x-api-key": key + "x"})
        clients = (
            await client.post(
                "/council/v1/identity/clients",
                json={"name": "c"},
                headers=bearer(stack.env.council_user_token(tenant.authority_id)),
            )
        ).json()
        await client.post(
            "/council/v1/identity/token",
            data={
                "grant_type": "client_credentials",
                "client_id": clients["client_id"],
                "client_secret": clients["client_secret"],
            },
        )
        remember(clients["client_secret"])
        await client.post(
            "/council/v1/identity/token",
            data={
                "grant_type": "client_credentials",
                "client_id": clients["client_id"],
                "client_secret": "a-wrong-client-secret",
            },
        )
        await client.post(
            "/api/v1/auth/password-reset-requests",
            json={
                "authority": tenant.slug,
                "name": "S",
                "organisation_name": "O",
                "email": "secretive@provider.example",
                "phone": "01234 567890",
            },
        )
        await client.post("/api/v1/auth/logout")
        await client.get("/api/v1/identity/me", headers={"cookie": "portal_session=ps_" + "z" * 43})
    remember("a wrong guess 1", "a-wrong-client-secret", "319753", "864209")
    await asyncio.sleep(1.0)  # let every process flush its last lines
    text = stack.all_logs() + run_log()
    assert "login_succeeded" in text and "request_finished" in text  # the logs are really there
    assert find_leaks(text) == []
