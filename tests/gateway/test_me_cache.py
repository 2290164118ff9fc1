"""The pages ask identity who is logged in (GET /me) once per internal token, not on every page: each
session gets its own answer, and none is served after logging out. A real identity, in-process,
counting the /me calls it answers."""

from __future__ import annotations

import collections

import pytest

from gateway.main import create_gateway
from identity.main import DEFINITION as IDENTITY
from shared.service import create_api
from tests.support.identity import Journey, create_user, portal_tenant
from tests.support.inprocess import gateway_settings, serve
from tests.support.secrets import remember

ME = "/api/v1/identity/me"
HEARD: collections.Counter[str] = collections.Counter()


class Counting:
    """Counts the requests identity serves, by path."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            HEARD[scope["path"]] += 1
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
async def portal(env):
    """(gateway client, two live sessions of different people in different organisations)."""
    identity_app = create_api(IDENTITY, env.settings(IDENTITY))
    identity_app.add_middleware(Counting)
    async with serve(identity_app) as identity:
        tenant = await portal_tenant(env, organisations=("A", "B"))
        sessions = []
        for organisation in ("A", "B"):
            user, temporary = await create_user(identity, env, tenant, organisation=organisation)
            sessions.append(await Journey(identity, env).first_login(tenant, user["email"], temporary))
            remember(sessions[-1])
        settings = gateway_settings(
            identity_url=str(identity.base_url).rstrip("/"),
            identity_secret=env.gateway_secret,
            cookie_secure=False,
            token_cache_seconds=30,
        )
        async with serve(create_gateway(settings)) as gateway:
            yield gateway, sessions


def cookie(session_id: str) -> dict[str, str]:
    return {"cookie": f"portal_session={session_id}"}


async def test_pages_of_one_session_ask_for_me_once_and_another_session_gets_its_own(portal):
    gateway, (first, second) = portal
    HEARD.clear()
    pages = [await gateway.get("/telford-wrekin/home", headers=cookie(first)) for _ in range(3)]
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert HEARD[ME] == 1, "one /me for three pages of the same token"
    other = await gateway.get("/telford-wrekin/home", headers=cookie(second))
    assert other.status_code == 200
    assert HEARD[ME] == 2, "another session is asked for itself"
    assert "Provider B" in other.text and "Provider B" not in pages[0].text


async def test_after_logging_out_no_page_is_served_from_what_was_kept(portal):
    gateway, (_, second) = portal
    assert (await gateway.get("/telford-wrekin/home", headers=cookie(second))).status_code == 200
    logout = await gateway.post("/api/v1/auth/logout", headers=cookie(second))
    assert logout.status_code == 204
    after = await gateway.get("/telford-wrekin/home", headers=cookie(second))
    assert after.status_code == 303 and after.headers["location"] == "/telford-wrekin/login"
