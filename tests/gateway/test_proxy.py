"""The gateway's proxy: what it forwards, what it never forwards, and how it fails."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from fastapi import FastAPI, Request

from gateway.main import create_gateway
from tests.support.inprocess import gateway_in_front_of, gateway_settings, serve


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


async def test_a_verified_bearer_token_is_remembered_but_a_forged_twin_is_not(env, gateway):
    token = env.token(authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
    for _ in range(2):
        answer = await gateway.get("/api/v1/actuals/x", headers={"authorization": f"Bearer {token}"})
        assert answer.json()["headers"]["authorization"] == f"Bearer {token}"
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    refused = await gateway.get("/api/v1/actuals/x", headers={"authorization": f"Bearer {forged}"})
    assert refused.status_code == 401
    expired = env.token(authority_id=uuid.uuid4(), organisation_id=uuid.uuid4(), ttl_seconds=-30)
    refused = await gateway.get("/api/v1/actuals/x", headers={"authorization": f"Bearer {expired}"})
    assert refused.status_code == 401


async def test_slow_upstream_answers_504_and_a_dead_one_503_naming_it_while_the_others_work(gateway):
    slow = await gateway.get("/api/v1/payments/slow")
    assert slow.status_code == 504
    assert slow.json()["detail"] == "the payments service did not answer in time"
    dead = await gateway.get("/api/v1/claims/anything")
    assert dead.status_code == 503
    assert dead.headers["content-type"] == "application/problem+json"
    assert dead.json()["title"] == "Service Unavailable"
    assert "the claims service is not available" in dead.json()["detail"]
    assert (await gateway.get("/api/v1/actuals/x")).status_code == 200, "another service is not affected"


async def test_the_gateway_is_ready_while_services_are_down(gateway):
    # claims, identity and the others are not started here: their calls answer 503, the gateway stays in
    # rotation for the services that work.
    ready = await gateway.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"clients": True}}


async def test_a_service_that_stops_degrades_only_its_own_calls(env):
    async with serve(echo_upstream()) as actuals, contextlib.AsyncExitStack() as payments_running:
        payments = await payments_running.enter_async_context(serve(echo_upstream()))
        settings = gateway_settings(
            actuals_url=str(actuals.base_url).rstrip("/"),
            payments_url=str(payments.base_url).rstrip("/"),
            token_jwks_json=env.jwks,
        )
        async with serve(create_gateway(settings)) as gateway:
            assert (await gateway.get("/api/v1/payments/slow")).status_code == 200
            await payments_running.aclose()  # payments stops: its port refuses connections
            down = await gateway.get("/api/v1/payments/slow")
            assert down.status_code == 503, down.text
            assert "payments service" in down.json()["detail"]
            assert (await gateway.get("/api/v1/actuals/x")).status_code == 200
            assert (await gateway.get("/readyz")).status_code == 200


async def test_a_path_with_a_control_character_is_a_bad_request_not_a_500(gateway):
    response = await gateway.delete("/council/v1/identity/clients/I%1D%C3%BE")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "character" in response.json()["detail"]
