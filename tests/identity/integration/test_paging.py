"""Every list pages (issue 9, 8g): `limit` (default 50, at most 500) and `offset`, the next page in a
`Link` header, a stable order so that walking the pages gives each row once, and a 422 naming the bad
parameter (docs/adr/0011-paging.md)."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.support.identity import bearer

CONTRACTS = "/council/v1/identity/contracts"
NEXT = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


async def _contracts(identity_api, env, tenant, count: int) -> set[str]:
    council = bearer(env.council_token(tenant.authority_id))
    made = set()
    for n in range(count):
        response = await identity_api.put(
            CONTRACTS,
            json={
                "reference": f"P-{uuid.uuid4().hex[:8]}",
                "organisation_id": str(tenant.organisations["A"]),
                "name": "Same name" if n % 2 else f"Contract {n % 5}",  # ties: the id breaks them
                "payment_basis": "actuals",
                "frequency": "weekly",
            },
            headers=council,
        )
        assert response.status_code == 200, response.text
        made.add(response.json()["contract_id"])
    return made


async def test_pages_follow_the_next_link_with_no_duplicates_or_gaps(identity_api, env, tenant):
    made = await _contracts(identity_api, env, tenant, 7)
    council = bearer(env.council_token(tenant.authority_id))
    seen: list[str] = []
    url: str | None = f"{CONTRACTS}?limit=3"
    sizes = []
    while url is not None:
        page = await identity_api.get(url, headers=council)
        assert page.status_code == 200, page.text
        sizes.append(len(page.json()))
        seen += [c["contract_id"] for c in page.json()]
        link = page.headers.get("link")
        url = NEXT.match(link)["url"] if link else None  # type: ignore[index]
    assert sizes == [3, 3, 1]
    assert len(seen) == len(set(seen)) and set(seen) == made
    whole = await identity_api.get(f"{CONTRACTS}?limit=500", headers=council)
    assert [c["contract_id"] for c in whole.json()] == seen, "pages keep the list's order"
    assert "link" not in whole.headers


async def test_the_default_page_is_50_and_the_limit_at_most_500(identity_api, env, tenant):
    await _contracts(identity_api, env, tenant, 52)
    council = bearer(env.council_token(tenant.authority_id))
    first = await identity_api.get(CONTRACTS, headers=council)
    assert len(first.json()) == 50
    assert first.headers["link"] == f'<{CONTRACTS}?limit=50&offset=50>; rel="next"'
    rest = await identity_api.get(f"{CONTRACTS}?offset=50", headers=council)
    assert len(rest.json()) == 2 and "link" not in rest.headers
    assert len((await identity_api.get(f"{CONTRACTS}?limit=500", headers=council)).json()) == 52


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
    ],
)
async def test_a_bad_limit_or_offset_is_a_problem_naming_it(identity_api, env, tenant, query, field):
    response = await identity_api.get(
        f"{CONTRACTS}?{query}", headers=bearer(env.council_token(tenant.authority_id))
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [(e["source"], e["field"]) for e in response.json()["errors"]] == [("query", field)]
