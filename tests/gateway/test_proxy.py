"""The gateway's proxy: what it forwards, what it never forwards, and how it fails."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from fastapi import FastAPI, Request

from tests.support.inprocess import gateway_in_front_of


def echo_upstream() -> FastAPI:
    app = FastAPI()

    @app.api_route("/api/v1/actuals/{path:path}", methods=["GET", "POST"])
    async def echo(path: str, request: Request) -> dict:
        body = await request.body()
        return {
            "path": path,
            "query": request.url.query,
            "headers": dict(request.headers),
            "body": body.decode(),
        }

    @app.get("/api/v1/payments/slow")
    async def slow() -> dict:
        await asyncio.sleep(1.0)
        return {}

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    return app


@pytest.fixture
async def gateway(env):
    async with gateway_in_front_of(
        echo_upstream(),
        ("actuals", "payments"),
        upstream_read_timeout=0.3,
        token_jwks_json=env.jwks,
        log_json=True,
    ) as client:
        yield client


async def test_forwards_path_query_body_request_id_and_trace_context(gateway):
    response = await gateway.post(
        "/api/v1/actuals/weeks/2026-11-16?service=a&service=b",
        content=b'{"x": 1}',
        headers={"x-request-id": "rid-12345678", "content-type": "application/json"},
    )
    echoed = response.json()
    assert echoed["path"] == "weeks/2026-11-16" and echoed["query"] == "service=a&service=b"
    assert echoed["body"] == '{"x": 1}'
    assert echoed["headers"]["x-request-id"] == "rid-12345678"
    assert echoed["headers"]["traceparent"].startswith("00-")
    assert response.headers["x-request-id"] == "rid-12345678"


async def test_never_forwards_cookies_or_unverified_credentials(env, gateway):
    anonymous = await gateway.get("/api/v1/actuals/x", headers={"cookie": "theme=dark; csrf=abc"})
    assert "cookie" not in anonymous.json()["headers"]
    # A session cookie is exchanged with identity (absent here), never forwarded.
    session = await gateway.get(
        "/api/v1/actuals/x", headers={"cookie": "__Host-portal_session=secret-session"}
    )
    assert session.status_code in {401, 503} and "secret-session" not in session.text
    assert "authorization" not in anonymous.json()["headers"]
    token = env.token(authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
    verified = await gateway.get("/api/v1/actuals/x", headers={"authorization": f"Bearer {token}"})
    assert verified.json()["headers"]["authorization"] == f"Bearer {token}"
    refused = await gateway.get("/api/v1/actuals/x", headers={"authorization": "Bearer made.up.token"})
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


async def test_slow_upstream_answers_504_and_dead_upstream_502(gateway):
    slow = await gateway.get("/api/v1/payments/slow")
    assert slow.status_code == 504
    assert slow.json()["detail"] == "the payments service did not answer in time"
    dead = await gateway.get("/api/v1/claims/anything")
    assert dead.status_code == 502
    assert dead.json()["title"] == "Bad Gateway"


async def test_readiness_reflects_upstreams(gateway):
    ready = await gateway.get("/readyz")
    assert ready.status_code == 503  # claims (and the others not started here) are down
    assert ready.json()["checks"] == {"upstreams": False}


async def test_a_path_with_a_control_character_is_a_bad_request_not_a_500(gateway):
    response = await gateway.delete("/council/v1/identity/clients/I%1D%C3%BE")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "character" in response.json()["detail"]
