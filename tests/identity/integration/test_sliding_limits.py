"""Limits slide (issue 9, 8h and 8d): no fixed block boundary lets twice the limit through, and the
council's token endpoint is limited per client id and per address."""

from __future__ import annotations

import asyncio
import time

from identity.main import DEFINITION as IDENTITY
from shared.service import create_api
from tests.support.identity import Journey, bearer, make_tenant
from tests.support.inprocess import serve

WINDOW = 4


async def _until_phase(phase: float) -> None:
    """Sleep until `phase` seconds into a WINDOW-aligned block of the clock (where fixed blocks start)."""
    await asyncio.sleep((phase - time.time() % WINDOW) % WINDOW)


async def test_login_limits_slide_across_a_fixed_window_boundary(env):
    settings = env.settings(
        IDENTITY, login_limit_per_account=100, login_limit_per_address=3, login_limit_window_seconds=WINDOW
    )
    tenant = await make_tenant(env)
    async with serve(create_api(IDENTITY, settings)) as client:
        journey = Journey(client, env)
        here = {"x-forwarded-for": "203.0.113.40"}

        async def attempt(i: int) -> int:
            response = await journey.start(tenant, f"s{i}@provider.example", "guess", **here)
            return response.status_code

        await _until_phase(WINDOW - 1.2)  # late in one fixed block
        assert [await attempt(i) for i in range(3)] == [401, 401, 401]
        await _until_phase(0.3)  # just after the boundary: a fixed block would start counting again
        crossing = await journey.start(tenant, "s9@provider.example", "guess", **here)
        assert crossing.status_code == 429, crossing.text
        assert 1 <= int(crossing.headers["retry-after"]) <= WINDOW
        await asyncio.sleep(WINDOW + 0.2)  # every attempt has left the window
        assert await attempt(10) == 401


async def test_the_token_endpoint_is_limited_per_client_and_per_address(env):
    settings = env.settings(
        IDENTITY, token_limit_per_client=3, token_limit_per_address=5, token_limit_window_seconds=60
    )
    tenant = await make_tenant(env)
    async with serve(create_api(IDENTITY, settings)) as client:
        council = bearer(env.council_user_token(tenant.authority_id))
        made = await client.post("/council/v1/identity/clients", json={"name": "Ledger"}, headers=council)
        assert made.status_code == 201, made.text
        form = {
            "grant_type": "client_credentials",
            "client_id": made.json()["client_id"],
            "client_secret": made.json()["client_secret"],
        }
        here = {"x-forwarded-for": "203.0.113.41"}
        statuses = [
            (await client.post("/council/v1/identity/token", data=form, headers=here)).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        limited = await client.post("/council/v1/identity/token", data=form, headers=here)
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1
        # Guessing other clients' secrets from one address: the address limit (5) answers.
        guess = {**form, "client_id": "cc_guess", "client_secret": "x"}
        elsewhere = {"x-forwarded-for": "198.51.100.41"}
        assert (await client.post("/council/v1/identity/token", data=guess, headers=here)).status_code == 429
        assert (
            await client.post("/council/v1/identity/token", data=guess, headers=elsewhere)
        ).status_code == 401
        # The client itself stays limited from any address.
        assert (
            await client.post("/council/v1/identity/token", data=form, headers=elsewhere)
        ).status_code == 429
