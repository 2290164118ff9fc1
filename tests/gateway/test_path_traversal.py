"""The proxy refuses a path that could leave /api/v1/<service>/ or /council/v1/<service>/ upstream:
dot segments and encoded slashes or backslashes, however they are encoded (400 problem+json), and
the upstream never hears of it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request

from tests.support.inprocess import gateway_in_front_of
from tests.support.raw_http import raw_request

HEARD: list[str] = []


def recording_upstream() -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def anything(path: str, request: Request) -> dict:
        HEARD.append(request.scope["raw_path"].decode())
        return {"path": path}

    return app


@pytest.fixture(scope="module")
async def gateway(env):
    async with gateway_in_front_of(
        recording_upstream(),
        ("identity", "actuals"),
        token_jwks_json=env.jwks,
        identity_secret="in-process-gateway-secret",
    ) as client:
        yield str(client.base_url).rstrip("/")


TRAVERSALS = [
    "/api/v1/identity/%2e%2e/%2e%2e/%2e%2e/metrics",
    "/api/v1/identity/%2E%2E/%2E%2E/%2E%2E/metrics",
    "/api/v1/identity/.%2e/.%2e/.%2e/internal/v1/identity/authorities",
    "/api/v1/identity/%252e%252e/%252e%252e/%252e%252e/metrics",
    "/api/v1/identity/..%2f..%2f..%2fmetrics",
    "/api/v1/identity/..%2F..%2F..%2Fmetrics",
    "/api/v1/identity/..%5c..%5c..%5cmetrics",
    "/api/v1/identity/..\\..\\..\\metrics",
    "/api/v1/identity/../../../metrics",
    "/api/v1/identity/./me",
    "/api/v1/identity/%2e/me",
    "/api/v1/../identity/me",
    "/api/v1/identity/me/..",
    "/council/v1/identity/%2e%2e/%2e%2e/%2e%2e/internal/v1/identity/authorities",
    "/council/v1/identity/../../../metrics",
    "/council/v1/actuals/x%252fy",
]


@pytest.mark.parametrize("target", TRAVERSALS)
async def test_a_path_that_could_leave_the_service_is_refused(gateway, target):
    HEARD.clear()
    for method in ("GET", "POST"):
        response = await raw_request(gateway, method, target, body=b"{}" if method == "POST" else b"")
        assert response.status == 400, (target, response.body)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["title"] == "Bad Request"
        assert "path" in problem["detail"]
    assert HEARD == []


async def test_ordinary_paths_still_pass(gateway):
    HEARD.clear()
    for target in (
        "/api/v1/identity/me",
        "/api/v1/actuals/weeks/2026-11-16?service=a",
        "/api/v1/actuals/clients/O%27Brien",
        "/council/v1/identity/users/abc...def",
    ):
        response = await raw_request(gateway, "GET", target)
        assert response.status != 400, (target, response.body)
    assert HEARD == [
        "/api/v1/identity/me",
        "/api/v1/actuals/weeks/2026-11-16",
        "/api/v1/actuals/clients/O%27Brien",
        "/council/v1/identity/users/abc...def",
    ]
