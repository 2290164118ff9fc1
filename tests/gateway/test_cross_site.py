"""Unsafe requests authenticated by the session cookie are refused when the browser says they come from
another site (Sec-Fetch-Site cross-site, or a foreign Origin): the same check for the pages, the JSON
login journey and both proxies. Only the __Host- cookie counts when cookies are Secure."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI, Request

from gateway.main import create_gateway
from identity.main import DEFINITION as IDENTITY
from shared.service import create_api
from tests.support.identity import Journey, create_user, make_tenant
from tests.support.inprocess import gateway_settings, serve
from tests.support.secrets import remember

HEARD: list[str] = []
CROSS_SITE = [
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site"},
    {"origin": "https://evil.example"},
]


def echo_upstream() -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "DELETE"])
    async def anything(path: str, request: Request) -> dict:
        HEARD.append(path)
        return {"authorization": request.headers.get("authorization")}

    return app


@pytest.fixture(scope="module")
async def edge(env):
    """(gateway client, a live session id): a real identity, an echo as actuals."""
    async with (
        serve(create_api(IDENTITY, env.settings(IDENTITY))) as identity,
        serve(echo_upstream()) as upstream,
    ):
        tenant = await make_tenant(env)
        user, temporary = await create_user(identity, env, tenant)
        session_id = await Journey(identity, env).first_login(tenant, user["email"], temporary)
        remember(session_id)
        settings = gateway_settings(
            identity_url=str(identity.base_url).rstrip("/"),
            actuals_url=str(upstream.base_url).rstrip("/"),
            identity_secret=env.gateway_secret,
            public_url="https://portal.council.example",
            token_cache_seconds=0,
        )
        async with serve(create_gateway(settings)) as gateway:
            yield gateway, session_id


def cookie(session_id: str, name: str = "__Host-portal_session") -> dict[str, str]:
    return {"cookie": f"{name}={session_id}"}


@pytest.mark.parametrize("path", ["/api/v1/actuals/weeks/1/confirm", "/council/v1/actuals/cplis/1/unlock"])
async def test_the_proxies_refuse_a_cross_site_write_with_the_cookie(edge, path):
    gateway, session_id = edge
    HEARD.clear()
    for headers in CROSS_SITE:
        refused = await gateway.post(path, headers=cookie(session_id) | headers)
        assert refused.status_code == 403, headers
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == "cross-site requests are refused"
    assert HEARD == []
    # From the portal itself, the write goes through with the session's token.
    same = {"sec-fetch-site": "same-origin", "origin": "https://portal.council.example"}
    allowed = await gateway.post(path, headers=cookie(session_id) | same)
    assert allowed.status_code == 200 and allowed.json()["authorization"].startswith("Bearer ")
    # Reading is not a write (a top-level navigation from elsewhere is a GET).
    read = await gateway.get(path, headers=cookie(session_id) | CROSS_SITE[0])
    assert read.status_code == 200


async def test_machine_credentials_are_not_refused_for_their_headers(env, edge):
    gateway, _ = edge
    token = env.token(authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
    answer = await gateway.post(
        "/api/v1/actuals/x",
        headers={"authorization": f"Bearer {token}", "origin": "https://elsewhere.example"},
    )
    assert answer.status_code == 200


async def test_the_json_journey_refuses_cross_site_writes(edge):
    gateway, session_id = edge
    for headers in CROSS_SITE:
        for path in ("/api/v1/auth/logout", "/api/v1/auth/login"):
            refused = await gateway.post(path, json={}, headers=cookie(session_id) | headers)
            assert refused.status_code == 403, (path, headers)
            assert refused.headers["content-type"] == "application/problem+json"


async def test_the_pages_refuse_cross_site_posts(edge):
    gateway, session_id = edge
    for headers in CROSS_SITE:
        refused = await gateway.post(
            "/telford-wrekin/logout", data={"csrf_token": "x"}, headers=cookie(session_id) | headers
        )
        assert refused.status_code == 403, headers


async def test_only_the_host_prefixed_cookie_counts_when_cookies_are_secure(edge):
    gateway, session_id = edge
    same = {"sec-fetch-site": "same-origin"}
    plain = await gateway.post("/api/v1/actuals/x", headers=cookie(session_id, "portal_session") | same)
    assert plain.status_code == 200 and plain.json()["authorization"] is None
    prefixed = await gateway.post("/api/v1/actuals/x", headers=cookie(session_id) | same)
    assert prefixed.json()["authorization"].startswith("Bearer ")
