"""The app factory of every service: probes, metrics, request ids, problem+json, token verification."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest

from actuals.main import DEFINITION as ACTUALS
from shared.auth import SigningKey
from shared.service import create_api
from tests.support.inprocess import serve


@pytest.fixture(scope="module")
async def actuals_app(env):
    return create_api(ACTUALS, env.settings(ACTUALS))


@pytest.fixture(scope="module")
async def actuals_api(actuals_app):
    async with serve(actuals_app) as client:
        yield client


async def test_health_and_readiness(actuals_api):
    assert (await actuals_api.get("/healthz")).json() == {"status": "ok"}
    ready = await actuals_api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"database": True, "broker": True}}


async def test_metrics_count_requests_on_the_internal_port_only(actuals_api, actuals_app):
    await actuals_api.get("/api/v1/actuals/organisations")
    assert (await actuals_api.get("/metrics")).status_code == 404
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{actuals_app.state.internal_port}/metrics")).text
    assert 'http_requests_total{method="GET",route="/api/v1/actuals/organisations",status="401"}' in text
    assert "http_request_duration_seconds_bucket" in text


async def test_request_id_is_generated_or_kept(actuals_api):
    generated = await actuals_api.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    kept = await actuals_api.get("/healthz", headers={"x-request-id": "req-12345678"})
    assert kept.headers["x-request-id"] == "req-12345678"
    unsafe = await actuals_api.get("/healthz", headers={"x-request-id": "bad id <script>"})
    assert unsafe.headers["x-request-id"] != "bad id <script>"


async def test_missing_token_is_a_401_problem(actuals_api):
    response = await actuals_api.get("/api/v1/actuals/organisations")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert body["request_id"] == response.headers["x-request-id"]


def forged(env, **changes) -> str:
    now = int(time.time())
    claims = {
        "sub": "u1",
        "kind": "user",
        "authority": str(uuid.uuid4()),
        "org": str(uuid.uuid4()),
        "role": "full",
        "edit": True,
        "scope": "organisation",
        "scope_id": None,
        "iss": "portal-identity",
        "aud": "portal-services",
        "iat": now,
        "exp": now + 60,
    }
    key = changes.pop("key", env.signing_key)
    claims.update(changes)
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


@pytest.mark.parametrize(
    ("case", "expected_detail"),
    [
        ("expired", "expired"),
        ("wrong_key", "unknown key"),
        ("wrong_audience", "not valid"),
        ("wrong_issuer", "not valid"),
        ("garbage", "malformed"),
        ("hs256", "accepted algorithm"),
    ],
)
async def test_bad_tokens_are_refused(env, actuals_api, case, expected_detail):
    now = int(time.time())
    token = {
        "expired": lambda: forged(env, iat=now - 600, exp=now - 300),
        "wrong_key": lambda: forged(env, key=SigningKey.generate()),
        "wrong_audience": lambda: forged(env, aud="someone-else"),
        "wrong_issuer": lambda: forged(env, iss="evil"),
        "garbage": lambda: "not-a-jwt",
        "hs256": lambda: jwt.encode(
            {"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": env.signing_key.kid}
        ),
    }[case]()
    response = await actuals_api.get(
        "/api/v1/actuals/organisations", headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert expected_detail in response.json()["detail"]


async def test_valid_token_sees_only_its_own_organisation(env, actuals_api, authority):
    from shared import db

    own, other = uuid.uuid4(), uuid.uuid4()
    conn = await db.connect(env.dsn("actuals"))
    try:
        for org_id, name in ((own, "Own Org"), (other, "Other Org")):
            await conn.execute(
                "INSERT INTO actuals.organisation VALUES ($1, $2, $3, 'R', true, 1, now())",
                org_id,
                authority,
                name,
            )
    finally:
        await conn.close()
    provider = await actuals_api.get(
        "/api/v1/actuals/organisations",
        headers={"authorization": f"Bearer {env.token(authority_id=authority, organisation_id=own)}"},
    )
    assert provider.status_code == 200
    assert [o["name"] for o in provider.json()] == ["Own Org"]
    council = await actuals_api.get(
        "/api/v1/actuals/organisations", headers={"authorization": f"Bearer {env.council_token(authority)}"}
    )
    assert [o["name"] for o in council.json()] == ["Other Org", "Own Org"]
    stranger = await actuals_api.get(
        "/api/v1/actuals/organisations",
        headers={"authorization": f"Bearer {env.council_token(uuid.uuid4())}"},
    )
    assert stranger.json() == []
