"""The gateway's client of a service (here identity, served in-process on a real socket): the calls
that hash a password go a few at a time, as the service declares in its OpenAPI document or the call
says; the others never wait; what each call carries; and how a problem or a dead service comes back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request as StarletteRequest

from gateway.identity_client import BUSY, IdentityClient, IdentityError, MeCache
from gateway.lanes import LaneFull, LaneSize
from gateway.service_client import ServiceClient, Timeouts
from gateway.service_problems import ServiceError, lane_full
from shared.lanes import HASHING, lane
from shared.problems import PROBLEM_JSON
from tests.support.inprocess import dead_url, eventually, serve

SECRET = "the-gateway-secret"


class SlowIdentity:
    """An identity whose hashing calls answer only when released, counting how many are in flight."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.in_flight = 0
        self.most = 0
        self.heard: list[dict[str, str]] = []
        self.app = FastAPI()
        hashing = {"openapi_extra": lane(HASHING)}
        self.app.post("/internal/v1/identity/login")(self.slow)
        self.app.post("/api/v1/identity/me/password", **hashing)(self.slow)
        self.app.post("/api/v1/identity/me/security-code", **hashing)(self.slow)
        self.app.post("/council/v1/identity/users", **hashing)(self.slow)
        self.app.post("/council/v1/identity/users/{user_id}/password-reset", **hashing)(self.slow)
        self.app.post("/council/v1/identity/contact-requests/{request_id}/approve", **hashing)(self.slow)
        self.app.post("/internal/v1/identity/sessions/token")(self.token)
        self.app.get("/api/v1/identity/me")(self.token)
        self.app.post("/api/v1/identity/problem")(self.problem)
        self.app.get("/internal/v1/identity/authorities/a/logo")(self.logo)

    async def slow(self, request: Request) -> dict[str, str]:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await self.release.wait()
        finally:
            self.in_flight -= 1
        return {"step": "security_code_challenge"}

    async def token(self, request: Request) -> dict[str, object]:
        self.heard.append(dict(request.headers))
        return {"token": "t", "expires_in": 60}

    async def logo(self, request: Request) -> Response:
        self.heard.append(dict(request.headers))
        return Response(b"\x89PNG...", media_type="image/png")

    async def problem(self) -> JSONResponse:
        body = {
            "type": "about:blank",
            "title": "Conflict",
            "status": 409,
            "detail": "a request is already waiting",
        }
        return JSONResponse(body, status_code=409, media_type=PROBLEM_JSON, headers={"Retry-After": "7"})


@asynccontextmanager
async def identity_client(
    upstream: SlowIdentity, *, places: int = 2, wait: float = 15.0
) -> AsyncIterator[IdentityClient]:
    async with serve(upstream.app) as served:
        service = ServiceClient(
            "identity",
            str(served.base_url),
            timeouts=Timeouts(connect=1, read=5),
            secret=SECRET,
            lanes={HASHING: LaneSize(places=places, wait_seconds=wait)},
        )
        await service.start()
        try:
            yield IdentityClient(service, me_cache=MeCache(max_entries=10))
        finally:
            upstream.release.set()
            await service.close()


async def holding(identity: SlowIdentity, calls: int) -> None:
    """Until `calls` calls are held by the slow identity (a wait, not a fixed sleep: a loaded machine
    takes longer than any sleep to get them there)."""

    async def reached() -> bool:
        return identity.in_flight >= calls

    await eventually(reached, timeout=10, interval=0.02)


async def test_a_burst_of_logins_goes_two_at_a_time_and_a_cheap_call_passes_it():
    identity = SlowIdentity()
    async with identity_client(identity) as client:
        logins = [
            asyncio.create_task(client.start_login(authority="a", email=f"{n}@x", password="p", address=None))
            for n in range(10)
        ]
        changes = [
            asyncio.create_task(client.change_my_password(token="t", form={}, address=None)) for _ in range(3)
        ]
        await holding(identity, 2)
        await asyncio.sleep(0.2)  # time for a third to get in, were the lane to let it
        assert identity.in_flight == 2
        exchanged = await asyncio.wait_for(client.session_token(session_id="ps_x"), timeout=2)
        assert exchanged["token"] == "t"
        identity.release.set()
        answers = await asyncio.gather(*logins)
        await asyncio.gather(*changes)
    assert identity.most == 2
    assert all(a["step"] == "security_code_challenge" for a in answers)


async def _enters_at_once(service: ServiceClient, method: str, path: str) -> bool:
    async def enter() -> None:
        async with service.lane_for(method, path):
            pass

    try:
        await asyncio.wait_for(enter(), timeout=0.1)
    except TimeoutError:
        return False
    return True


async def test_the_operations_the_service_marks_share_the_lane_and_the_others_never_wait():
    identity = SlowIdentity()
    async with identity_client(identity) as client:
        logins = [
            asyncio.create_task(client.start_login(authority="a", email=f"{n}@x", password="p", address=None))
            for n in range(2)
        ]
        await holding(identity, 2)  # the lane is full
        for method, path in [
            ("POST", "/api/v1/identity/me/password"),
            ("POST", "/api/v1/identity/me/security-code"),
            ("POST", "/council/v1/identity/users"),
            ("POST", "/council/v1/identity/users/7f0c/password-reset"),
            ("POST", "/council/v1/identity/contact-requests/7f0c/approve"),
        ]:
            assert not await _enters_at_once(client.service, method, path), path
        for method, path in [
            ("GET", "/api/v1/identity/me"),
            ("GET", "/council/v1/identity/users"),
            ("POST", "/council/v1/identity/users/7f0c/unlock"),
            ("POST", "/council/v1/identity/contact-requests/7f0c/reject"),
            ("POST", "/council/v1/identity/users/7f0c/extra/password-reset"),
            ("POST", "/api/v1/identity/me/password/extra"),
        ]:
            assert await _enters_at_once(client.service, method, path), path
        identity.release.set()
        await asyncio.gather(*logins)


async def test_a_call_that_waits_too_long_for_the_lane_is_told_to_come_back():
    identity = SlowIdentity()
    async with identity_client(identity, places=1, wait=0.2) as client:
        first = asyncio.create_task(
            client.start_login(authority="a", email="1@x", password="p", address=None)
        )
        await holding(identity, 1)  # the lane is taken
        with pytest.raises(IdentityError) as refused:
            await client.start_login(authority="a", email="2@x", password="p", address=None)
        with pytest.raises(ServiceError) as proxied:
            async with client.service.lane_for("POST", "/api/v1/identity/me/password"):
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


async def test_a_call_carries_the_secret_only_to_the_internal_api_with_the_request_id_and_address():
    identity = SlowIdentity()
    async with identity_client(identity) as client:
        await client.service.call(
            "POST", "/internal/v1/identity/sessions/token", body={}, address="203.0.113.9"
        )
        await client.service.call("GET", "/api/v1/identity/me", token="tok")
    internal, public = identity.heard
    assert internal["x-gateway-secret"] == SECRET
    assert internal["x-forwarded-for"] == "203.0.113.9"
    assert "x-gateway-secret" not in public
    assert public["authorization"] == "Bearer tok"


async def test_a_problem_comes_back_as_the_service_gave_it_and_a_dead_service_as_503_naming_it():
    identity = SlowIdentity()
    async with identity_client(identity) as client:
        with pytest.raises(ServiceError) as problem:
            await client.service.call("POST", "/api/v1/identity/problem", body={})
    assert problem.value.status == 409
    assert problem.value.body["detail"] == "a request is already waiting"
    assert problem.value.headers == {"retry-after": "7"}
    dead = ServiceClient("payments", dead_url(), timeouts=Timeouts(connect=1, read=1))
    await dead.start()
    try:
        with pytest.raises(ServiceError) as down:
            await dead.call("GET", "/api/v1/payments/runs")
        assert not await dead.alive()
    finally:
        await dead.close()
    assert down.value.status == 503 and down.value.service == "payments"
    request = StarletteRequest(
        {"type": "http", "method": "GET", "path": "/api/v1/payments/runs", "headers": []}
    )
    answer = json.loads(down.value.response(request).body)
    assert answer["status"] == 503 and "payments service" in answer["detail"]


async def test_a_call_to_the_internal_api_without_a_secret_is_not_sent():
    identity = SlowIdentity()
    async with serve(identity.app) as served:
        service = ServiceClient("identity", str(served.base_url), timeouts=Timeouts(connect=1, read=1))
        await service.start()
        try:
            with pytest.raises(ServiceError) as refused:
                await service.call("POST", "/internal/v1/identity/sessions/token", body={})
        finally:
            await service.close()
    assert refused.value.status == 503
    assert identity.heard == []


def test_the_busy_answer_carries_retry_after_and_a_services_own_failure_does_not_leak():
    request = StarletteRequest(
        {"type": "http", "method": "POST", "path": "/api/v1/auth/login", "headers": []}
    )
    busy = lane_full(LaneFull(15.0), "identity").response(request)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "8"
    assert json.loads(busy.body)["type"] == BUSY
    inside = IdentityError(500, {"detail": "KeyError: 'password_hash'"}, service="identity").response(request)
    assert inside.status_code == 503
    assert "KeyError" not in inside.body.decode()
    assert "identity service" in json.loads(inside.body)["detail"]
    assert "retry-after" not in inside.headers


async def test_me_is_asked_once_per_token_and_never_served_for_another_token():
    identity = SlowIdentity()
    async with identity_client(identity) as client:
        token = _token(expires_in=60)
        other = _token(expires_in=60)
        assert await client.me(token=token) == {"token": "t", "expires_in": 60}
        await client.me(token=token)
        assert len(identity.heard) == 1, "the second page of the same token used the answer in hand"
        await client.me(token=other)
        assert len(identity.heard) == 2, "another token (another session) is asked for its own"
        client.me_cache.forget(token)
        await client.me(token=token)
        assert len(identity.heard) == 3, "a forgotten token (logged out) is asked again"
        expiring = _token(expires_in=3)  # within the margin: never kept
        await client.me(token=expiring)
        await client.me(token=expiring)
        assert len(identity.heard) == 5


def _token(*, expires_in: int) -> str:
    import time

    import jwt

    claims = {"sub": uuid.uuid4().hex, "exp": int(time.time()) + expires_in}
    return jwt.encode(claims, "not-verified-here-but-long-enough-for-hs256", algorithm="HS256")
