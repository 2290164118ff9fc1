"""The gateway's client of identity: calls that hash a password go a few at a time; others never wait."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from starlette.requests import Request

from gateway.identity_client import BUSY, IdentityClient, IdentityError, lane_full

HASHING = {"/internal/v1/identity/login", "/api/v1/identity/me/password"}


class SlowIdentity:
    """Answers the hashing calls only when released, counting how many are in flight at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.in_flight = 0
        self.most = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path not in HASHING:
            return httpx.Response(200, json={"token": "t", "expires_in": 60})
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await self.release.wait()
        self.in_flight -= 1
        return httpx.Response(200, json={"step": "security_code_challenge"})


async def test_a_burst_of_logins_goes_two_at_a_time_and_a_cheap_call_passes_it():
    identity = SlowIdentity()
    async with httpx.AsyncClient(transport=httpx.MockTransport(identity)) as http:
        client = IdentityClient(http, base_url="http://identity", secret="s", hashing_lane=2)
        logins = [
            asyncio.create_task(client.start_login(authority="a", email=f"{n}@x", password="p", address=None))
            for n in range(10)
        ]
        changes = [
            asyncio.create_task(client.change_my_password(token="t", form={}, address=None)) for _ in range(3)
        ]
        await asyncio.sleep(0.05)
        assert identity.in_flight == 2
        exchanged = await asyncio.wait_for(client.session_token(session_id="ps_x"), timeout=1)
        assert exchanged["token"] == "t"
        identity.release.set()
        answers = await asyncio.gather(*logins)
        await asyncio.gather(*changes)
    assert identity.most == 2
    assert all(a["step"] == "security_code_challenge" for a in answers)


async def _enters_at_once(client: IdentityClient, method: str, path: str) -> bool:
    async def enter() -> None:
        async with client.lane_for(method, path):
            pass

    try:
        await asyncio.wait_for(enter(), timeout=0.1)
    except TimeoutError:
        return False
    return True


async def test_proxied_calls_that_hash_share_the_lane_and_the_others_never_wait():
    identity = SlowIdentity()
    async with httpx.AsyncClient(transport=httpx.MockTransport(identity)) as http:
        client = IdentityClient(http, base_url="http://identity", secret="s", hashing_lane=2)
        logins = [
            asyncio.create_task(client.start_login(authority="a", email=f"{n}@x", password="p", address=None))
            for n in range(2)
        ]
        await asyncio.sleep(0.05)  # the lane is full
        for method, path in [
            ("POST", "/api/v1/identity/me/password"),
            ("POST", "/api/v1/identity/me/security-code"),
            ("POST", "/council/v1/identity/users"),
            ("POST", "/council/v1/identity/users/7f0c/password-reset"),
            ("POST", "/council/v1/identity/contact-requests/7f0c/approve"),
        ]:
            assert not await _enters_at_once(client, method, path), path
        for method, path in [
            ("GET", "/api/v1/identity/me"),
            ("GET", "/council/v1/identity/users"),
            ("POST", "/council/v1/identity/users/7f0c/unlock"),
            ("POST", "/council/v1/identity/contact-requests/7f0c/reject"),
            ("PUT", "/council/v1/identity/organisations"),
            ("POST", "/api/v1/identity/me/password/extra"),
        ]:
            assert await _enters_at_once(client, method, path), path
        identity.release.set()
        await asyncio.gather(*logins)


async def test_a_call_that_waits_too_long_for_the_lane_is_told_to_come_back():
    identity = SlowIdentity()
    async with httpx.AsyncClient(transport=httpx.MockTransport(identity)) as http:
        client = IdentityClient(
            http, base_url="http://identity", secret="s", hashing_lane=1, hashing_wait_seconds=0.1
        )
        first = asyncio.create_task(
            client.start_login(authority="a", email="1@x", password="p", address=None)
        )
        await asyncio.sleep(0.02)  # the lane is taken
        with pytest.raises(IdentityError) as refused:
            await client.start_login(authority="a", email="2@x", password="p", address=None)
        with pytest.raises(IdentityError) as proxied:
            async with client.lane_for("POST", "/api/v1/identity/me/password"):
                pass
        identity.release.set()
        await first
        answer = await client.start_login(authority="a", email="3@x", password="p", address=None)
    for exc in (refused.value, proxied.value):
        assert exc.status == 503
        assert exc.type == BUSY
        assert int(exc.headers["retry-after"]) >= 1
    assert answer["step"] == "security_code_challenge", "the lane is free again once the first is done"
    assert identity.most == 1


def test_the_busy_answer_carries_retry_after_and_identitys_own_failure_does_not_leak():
    request = Request({"type": "http", "method": "POST", "path": "/api/v1/auth/login", "headers": []})
    busy = lane_full(15.0).response(request)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "8"
    assert json.loads(busy.body)["type"] == BUSY
    inside = IdentityError(500, {"detail": "KeyError: 'password_hash'"}).response(request)
    assert inside.status_code == 503
    assert "KeyError" not in inside.body.decode()
    assert "retry-after" not in inside.headers
