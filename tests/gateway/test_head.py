"""HEAD gets what GET gets, without the body: the health check, a council's login page, a file, a
proxied call and an unknown path (a monitor's or a load balancer's HEAD got 405 before)."""

from __future__ import annotations

from tests.gateway.test_request_id import gateway as request_id_gateway
from tests.support.identity import make_tenant

# The gateway in front of a real identity, as the request id tests have it.
gateway = request_id_gateway


async def test_head_answers_as_get_without_a_body(env, gateway):
    tenant = await make_tenant(env)
    login_page = await gateway.get(f"/{tenant.slug}/")
    assert login_page.status_code == 200, login_page.text[:300]
    stylesheet = next(
        p for p in login_page.text.split('"') if p.startswith("/assets/") and p.endswith(".css")
    )
    paths = {
        "/healthz": 200,
        f"/{tenant.slug}/": 200,
        stylesheet: 200,
        "/api/v1/identity/me": 401,  # proxied: the service's own refusal
        "/no-such-page": 404,
    }
    for path, status in paths.items():
        got = await gateway.get(path)
        head = await gateway.head(path)
        assert (got.status_code, head.status_code) == (status, status), path
        assert got.content and head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == str(len(got.content)), path


async def test_other_methods_are_still_refused_where_only_get_is_answered(gateway):
    assert (await gateway.put("/healthz")).status_code == 405
