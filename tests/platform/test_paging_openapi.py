"""Every list endpoint of every service pages and says so in its OpenAPI: `limit` and `offset` query
parameters and the `Link` header of the next page (issue 9, 8g; docs/adr/0011-paging.md)."""

from __future__ import annotations

from shared.service import create_api
from tests.support.environment import definitions


def _lists(openapi: dict) -> dict[str, dict]:
    """The GET operations whose answer is a JSON array."""
    found = {}
    for path, operations in openapi["paths"].items():
        get = operations.get("get")
        content = (get or {}).get("responses", {}).get("200", {}).get("content", {})
        if content.get("application/json", {}).get("schema", {}).get("type") == "array":
            found[path] = get
    return found


def test_every_list_endpoint_documents_its_paging(env):
    lists = {}
    for definition in definitions():
        openapi = create_api(definition, env.settings(definition)).openapi()
        lists |= _lists(openapi)
    assert "/api/v1/identity/contacts" in lists and "/api/v1/reports/catalogue" in lists
    assert "/council/v1/identity/audit" in lists and "/api/v1/payments/organisations" in lists
    assert "/council/v1/actuals/operations/dead-letters" in lists
    unpaged = []
    for path, get in lists.items():
        params = {p["name"]: p for p in get.get("parameters", []) if p["in"] == "query"}
        limit = params.get("limit", {}).get("schema", {})
        if (
            limit.get("maximum") != 500
            or limit.get("default") != 50
            or "offset" not in params
            or "Link" not in get["responses"]["200"].get("headers", {})
        ):
            unpaged.append(path)
    assert unpaged == []
