"""One request id end to end: the gateway's id goes to identity, which logs and answers with it, so a
problem relayed by the gateway shows the same id in its body as in the x-request-id header."""

from __future__ import annotations

import pytest

from gateway.main import create_gateway
from identity.main import DEFINITION as IDENTITY
from shared.service import create_api
from tests.support.identity import make_tenant
from tests.support.inprocess import gateway_settings, serve


@pytest.fixture(scope="module")
async def gateway(env):
    async with serve(create_api(IDENTITY, env.settings(IDENTITY))) as identity:
        settings = gateway_settings(
            identity_url=str(identity.base_url).rstrip("/"),
            identity_secret=env.gateway_secret,
            token_jwks_json=env.jwks,
        )
        async with serve(create_gateway(settings)) as client:
            yield client


async def test_a_relayed_login_problem_carries_the_gateways_request_id(env, gateway):
    tenant = await make_tenant(env)
    body = {"authority": tenant.slug, "email": "nobody@provider.example", "password": "a wrong guess 1"}
    answer = await gateway.post("/api/v1/auth/login", json=body)
    assert answer.status_code == 401
    assert answer.json()["request_id"] == answer.headers["x-request-id"]
    # A caller's own well-formed id is kept all the way.
    mine = await gateway.post("/api/v1/auth/login", json=body, headers={"x-request-id": "support-ref-0001"})
    assert mine.headers["x-request-id"] == "support-ref-0001" == mine.json()["request_id"]


async def test_a_proxied_problem_carries_the_gateways_request_id(gateway):
    answer = await gateway.get("/api/v1/identity/me")
    assert answer.status_code == 401
    assert answer.json()["request_id"] == answer.headers["x-request-id"]


async def test_a_malformed_incoming_id_is_replaced_everywhere(gateway):
    answer = await gateway.get("/api/v1/identity/me", headers={"x-request-id": "bad id\\with junk"})
    assert answer.headers["x-request-id"] != "bad id\\with junk"
    assert answer.json()["request_id"] == answer.headers["x-request-id"]
