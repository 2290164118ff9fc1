"""A service that is down degrades only what needs it: its API calls answer 503 problem+json naming it,
its pages say it is temporarily unavailable, and the gateway stays ready, the other services' calls
going through. Here identity is down (nothing listens on its port) and actuals is up."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI, Request

from gateway.main import create_gateway
from tests.support.branding import demo_branding_source
from tests.support.inprocess import gateway_settings, serve

COOKIE = {"cookie": "portal_session=ps_a-session-identity-cannot-check-now"}


def actuals() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/actuals/{path:path}")
    async def echo(path: str, request: Request) -> dict:
        return {"path": path}

    return app


@pytest.fixture(scope="module")
async def gateway(env):
    async with serve(actuals()) as upstream:
        settings = gateway_settings(
            actuals_url=str(upstream.base_url).rstrip("/"),
            token_jwks_json=env.jwks,
            identity_secret="in-process-gateway-secret",
            cookie_secure=False,
        )
        app = create_gateway(settings)
        # The council's branding as the gateway knew it before identity went down (it keeps what it knew).
        app.state.web.branding = demo_branding_source()
        async with serve(app) as client:
            yield client


async def test_the_gateway_stays_ready_and_the_other_services_calls_go_through(env, gateway):
    assert (await gateway.get("/readyz")).status_code == 200
    token = env.token(authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
    answer = await gateway.get("/api/v1/actuals/weeks", headers={"authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json() == {"path": "weeks"}


async def test_an_api_call_that_needs_identity_answers_503_naming_it(env, gateway):
    token = env.token(authority_id=uuid.uuid4(), organisation_id=uuid.uuid4())
    calls = [
        gateway.get("/api/v1/identity/organisation", headers={"authorization": f"Bearer {token}"}),
        gateway.get("/api/v1/actuals/weeks", headers=COOKIE),  # the session cannot be checked
        gateway.post("/api/v1/auth/login", json={"authority": "x", "email": "a@b.example", "password": "p"}),
    ]
    for call in calls:
        answer = await call
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "the identity service is not available just now" in answer.json()["detail"]


async def test_a_page_that_needs_identity_says_it_is_temporarily_unavailable(gateway):
    page = await gateway.get("/telford-wrekin/home", headers=COOKIE)
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "Sorry, signing in and account details are temporarily unavailable" in page.text
    assert "Nothing you have done has been lost" in page.text
    assert "Telford" in page.text, "the authority's own header and way back"
