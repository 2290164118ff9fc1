"""The merged OpenAPI document at /api/openapi.json has the gateway's own API (the JSON login journey,
the documents themselves) beside the services', and none of the HTML pages or probes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gateway.config import SERVICES, Settings
from gateway.main import create_gateway
from tests.support.inprocess import free_port


def test_the_gateways_own_routes_are_in_the_merged_document():
    dead = {f"{name}_url": f"http://127.0.0.1:{free_port()}" for name in SERVICES}
    app = create_gateway(Settings(environment="test", identity_secret="in-process-secret", **dead))
    with TestClient(app) as client:
        document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/login/state",
        "/api/v1/auth/login/password",
        "/api/v1/auth/login/security-code",
        "/api/v1/auth/login/challenge",
        "/api/v1/auth/logout",
        "/api/v1/auth/organisation",
        "/api/v1/auth/password-reset-requests",
        "/api/openapi.json",
        "/api/asyncapi.json",
    ):
        assert path in paths, path
    assert "post" in paths["/api/v1/auth/login"]
    assert "SwitchOrganisation" in document["components"]["schemas"]
    assert not [p for p in paths if not p.startswith("/api/")]  # no pages, no probes
    assert "/api/docs" not in paths  # an HTML page
    assert document["x-unavailable-services"] == list(SERVICES)
