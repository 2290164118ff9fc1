"""The portal's pages through the real gateway process: security headers on every kind of response,
HTML errors for people and problem+json for the API, long-cached assets."""

from __future__ import annotations

import re

import httpx
import pytest

REQUIRED = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=()",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/telford-wrekin/",
        "/telford-wrekin/no-such-page",
        "/api/v1/nosuch/x",
        "/api/openapi.json",
        "/healthz",
    ],
)
async def test_every_response_carries_the_security_headers(stack, path):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        response = await client.get(path)
    for name, fragment in REQUIRED.items():
        assert fragment in response.headers.get(name, ""), (path, name)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "strict-transport-security" not in response.headers  # plain http: see the unit test for https


async def test_pages_are_not_cached_and_assets_are_cached_for_a_year(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        page = await client.get("/telford-wrekin/")
        assert page.headers["cache-control"] == "no-store"
        css = re.search(r'href="(/assets/[0-9a-f]{12}/dist/portal\.css)"', page.text).group(1)
        asset = await client.get(css)
        assert asset.status_code == 200 and asset.headers["content-type"].startswith("text/css")
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "GDS Transport" not in asset.text and "woff" not in asset.text and "url(" not in asset.text
        brand = await client.get("/assets/brand/telford-wrekin.css")
        assert "--portal-brand-colour:#00594f" in brand.text
        assert (await client.get("/assets/0/../../pyproject.toml")).status_code == 404


async def test_errors_are_pages_for_people_and_problem_json_for_the_api(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        page = await client.get("/nosuch/page")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert page.headers["x-request-id"] in page.text
        api = await client.get("/api/v1/nosuch/thing")
        assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
