"""The web portal inside an in-process gateway (no other service needed)."""

from __future__ import annotations

import re

import pytest
from fastapi import Request
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from gateway.config import Settings
from gateway.cross_site import refuse_cross_site
from gateway.main import create_gateway
from gateway.web.account.home import render_home
from gateway.web.csrf import COOKIE
from gateway.web.form_text import require_text_fields
from gateway.web.rendering import page_router_dependencies, require_csrf
from gateway.web.session import look_up_viewer
from gateway.web.tasks import TaskId
from gateway.web.viewer import Viewer
from shared.auth import Role
from tests.support.branding import demo_branding_source
from tests.support.inprocess import no_upstreams


@pytest.fixture(scope="module")
def app():
    app = create_gateway(
        Settings(
            environment="test",
            identity_secret="in-process-gateway-talks-to-no-identity",
            metrics_port=0,
            **no_upstreams(),
        )
    )
    app.state.web.branding = demo_branding_source()

    @app.get("/{slug}/home")
    async def fake_home(slug: str, role: Role, request: Request):
        branding = await app.state.web.branding.get(slug)
        viewer = Viewer(
            name="Sam Provider",
            organisation_name="Purple Care Ltd",
            role=role,
            can_edit=False,
            authority_slug=slug,
        )
        return render_home(app.state.web, request, branding=branding, viewer=viewer)

    app.router.routes.insert(0, app.router.routes.pop())  # ahead of the real, logged-in home page

    @app.post("/{slug}/rotate-binding", dependencies=page_router_dependencies())
    async def rotate(slug: str, request: Request):
        response = PlainTextResponse("rotated")
        app.state.web.csrf.rotate(request, response)
        return response

    @app.get("/{slug}/broken/page")
    async def broken(slug: str):
        raise RuntimeError("deliberate")

    @app.get("/api/broken-deliberately")
    async def broken_api():
        raise RuntimeError("deliberate")

    return app


@pytest.fixture(scope="module")
def started(app):
    """The app started (its client of identity made), with identity not there: a form sent to it is
    answered with identity's absence, as a page."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(started):
    started.cookies.clear()
    return started


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def all_routes(routes):
    """Every APIRoute, looking inside included routers (FastAPI includes them lazily)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from all_routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_form_route_of_the_pages_requires_csrf(app):
    unsafe = [
        route
        for route in all_routes(app.routes)
        if route.methods - {"GET", "HEAD", "OPTIONS"}
        and (not route.path.startswith(("/api/", "/council/")) or route.path.startswith("/api/v1/auth/"))
    ]
    assert unsafe, "expected at least the forgotten-password form"
    for route in unsafe:
        calls = [d.call for d in route.dependant.dependencies]
        # JSON endpoints of the login journey carry no form token: they refuse cross-site callers.
        wanted = refuse_cross_site if route.path.startswith("/api/v1/auth/") else require_csrf
        assert wanted in calls, f"{route.path} accepts {route.methods} without CSRF protection"
        if wanted is require_csrf:  # and a form's text is UTF-8, checked before the CSRF check reads it
            assert calls.index(require_text_fields) < calls.index(require_csrf), route.path


def test_every_page_route_looks_up_who_is_logged_in(app):
    pages = [
        route
        for route in all_routes(app.routes)
        if route.endpoint.__module__.startswith("gateway.web.")  # not this test's own routes
        and not route.path.startswith("/assets/")
    ]
    assert len(pages) > 10
    for route in pages:
        assert look_up_viewer in [d.call for d in route.dependant.dependencies], route.path


def test_home_shows_only_the_built_tasks_of_the_role(client):
    admin = client.get("/telford-wrekin/home", params={"role": "admin"}).text
    assert "Pick a task..." in admin and "Access: Admin Functions (read only)" in admin
    cards = re.findall(r'class="govuk-link portal-card__link" href="([^"]+)">([^<]+)<', admin)
    assert cards == [
        ("/telford-wrekin/contacts", "Contacts"),
        ("/telford-wrekin/organisation-details", "Organisation Details"),
    ]
    assert 'action="/telford-wrekin/logout"' in admin and 'name="csrf_token"' in admin
    care = client.get("/durham-childrens/home", params={"role": "care"}).text
    assert re.findall(r'portal-card__link" href="([^"]+)"', care) == [
        "/durham-childrens/actions",
        "/durham-childrens/actuals",
        "/durham-childrens/care-package-line-items",
    ]
    # Finance's built tasks are Scheduled Payments, One-Off Claims (shown here as render_home is given
    # no hidden tasks: the real home page hides claims where the authority takes none,
    # tests/e2e/test_claims_pages.py), Purchase Orders, Reports and Invoices.
    finance = client.get("/durham-childrens/home", params={"role": "finance"}).text
    assert re.findall(r'portal-card__link" href="([^"]+)"', finance) == [
        "/durham-childrens/scheduled-payments",
        "/durham-childrens/one-off-claims",
        "/durham-childrens/purchase-orders",
        "/durham-childrens/reports",
        "/durham-childrens/invoices",
    ]


def test_the_landing_page_lists_only_built_features(client):
    landing = client.get("/telford-wrekin/").text
    features = re.findall(r'<li class="portal-benefit"><h3 class="govuk-heading-s">([^<]+)<', landing)
    assert features == [
        "Scheduled Payments",
        "Purchase Orders",
        "Reporting",
        "Actions and Change Requests",
        "Submit Actuals",
        "Care Package Line Items",
        "Contacts",
        "Organisation Details",
    ]
    for unbuilt in ("Invoice Management",):
        assert unbuilt not in landing


def test_every_task_is_built_and_anything_else_not_found(client):
    # Every task of the seeds' home pages is built now (Actions and Change Requests was the last, issue
    # 15): no address of a task answers "not available yet"; one that is no task is "Page not found".
    for task in TaskId:
        answer = client.get(f"/telford-wrekin/{task.value}", follow_redirects=False)
        assert "is not available yet" not in answer.text, task
    assert client.get("/telford-wrekin/action").status_code == 404


def test_the_help_page_has_the_authoritys_contact_rules_and_the_built_areas_questions(client):
    page = client.get("/telford-wrekin/help").text
    assert "Help with the Telford &amp; Wrekin Council Provider Portal" in page
    assert 'href="mailto:ECM@telford.gov.uk"' in page and "Monday to Friday, 9am to 5pm" in page
    assert "share contract and payment information" in page  # the council's own help text
    assert 'href="/telford-wrekin/forgotten-password"' in page
    assert "after 3 wrong passwords" in page and "at least 12 characters" in page
    assert "How do I get access for a colleague?" in page
    assert 'aria-current="page"' in page and ">Help</strong>" in page
    durham = client.get("/durham-childrens/help").text
    assert "Children&#39;s Services Finance Team" in durham and "mailto:" not in durham


def test_a_new_visitor_gets_an_httponly_binding_cookie_and_a_token_that_fits_it(client):
    first = client.get("/telford-wrekin/forgotten-password")
    cookie = first.cookies[COOKIE]
    assert (
        "httponly" in first.headers["set-cookie"].lower()
        and "samesite=lax" in first.headers["set-cookie"].lower()
    )
    again = client.get("/telford-wrekin/forgotten-password")
    assert COOKIE not in again.cookies  # kept, not reissued
    assert token_of(first.text) == token_of(again.text)
    assert client.cookies[COOKIE] == cookie


def test_csrf_refusals(app, client):
    mine, theirs = client, TestClient(app)
    my_token = token_of(mine.get("/telford-wrekin/forgotten-password").text)
    their_token = token_of(theirs.get("/telford-wrekin/forgotten-password").text)
    form = {"name": "", "organisation_name": "", "email": "", "telephone": ""}
    assert mine.post("/telford-wrekin/forgotten-password", data=form).status_code == 403
    assert (
        mine.post("/telford-wrekin/forgotten-password", data=form | {"csrf_token": their_token}).status_code
        == 403
    )
    no_cookie = TestClient(app)
    assert (
        no_cookie.post("/telford-wrekin/forgotten-password", data=form | {"csrf_token": my_token}).status_code
        == 403
    )
    accepted = mine.post("/telford-wrekin/forgotten-password", data=form | {"csrf_token": my_token})
    assert accepted.status_code == 200 and "There is a problem" in accepted.text
    assert "not possible just now" in accepted.text  # past the CSRF check, on to identity (absent here)


def test_rotating_the_binding_at_login_voids_every_earlier_token(client):
    before = token_of(client.get("/telford-wrekin/forgotten-password").text)
    assert client.post("/telford-wrekin/rotate-binding", data={"csrf_token": before}).status_code == 200
    form = {"csrf_token": before, "name": ""}
    assert client.post("/telford-wrekin/forgotten-password", data=form).status_code == 403
    after = token_of(client.get("/telford-wrekin/forgotten-password").text)
    assert after != before
    assert (
        client.post("/telford-wrekin/forgotten-password", data=form | {"csrf_token": after}).status_code
        == 200
    )


def gateway_at(public_url: str | None) -> TestClient:
    settings = Settings(environment="test", identity_secret="in-process-secret", public_url=public_url)
    return TestClient(create_gateway(settings), raise_server_exceptions=False)


def test_hsts_follows_the_configured_public_url_not_the_request():
    # TLS ends at the load balancer: the gateway itself is reached over http, and must still send HSTS.
    behind_tls = gateway_at("https://portal.council.example").get("/")
    assert behind_tls.headers["strict-transport-security"].startswith("max-age=")
    # A request claiming https (a forged X-Forwarded-Proto, or the scheme itself) turns nothing on.
    local = gateway_at("http://127.0.0.1:8000")
    assert "strict-transport-security" not in local.get("/", headers={"x-forwarded-proto": "https"}).headers
    assert (
        "strict-transport-security"
        not in TestClient(local.app, base_url="https://portal.example").get("/").headers
    )
    assert "strict-transport-security" not in gateway_at(None).get("/").headers


def test_500_page_has_the_request_id_and_the_security_headers(client):
    response = client.get("/telford-wrekin/broken/page", headers={"x-request-id": "support-ref-12345"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Sorry, there is a problem with the service" in response.text
    assert "support-ref-12345" in response.text and "ECM@telford.gov.uk" in response.text
    assert "deliberate" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-request-id"] == "support-ref-12345"
    assert response.headers["cache-control"] == "no-store"


def test_api_paths_keep_problem_json(client):
    response = client.get("/api/broken-deliberately")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_paths_get_the_404_page_in_the_authoritys_style(client):
    response = client.get("/worcestershire-adults/nothing-here")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Worcestershire County Council" in response.text


def test_production_refuses_to_start_without_a_csrf_secret(monkeypatch):
    with pytest.raises(ValueError, match="csrf_secret"):
        Settings(
            environment="production",
            identity_secret="from-the-vault",
            public_url="https://portal.council.example",
            metrics_port=0,
        )
