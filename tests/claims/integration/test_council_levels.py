"""The council's claimable service levels: a bulk upsert by reference (JSON array or NDJSON, up to 1,000,
all or nothing, every fault by index and field) and their list; who may change them."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tests.claims.integration.council_harness import (
    audit_actions,
    claims_api_fixture,  # noqa: F401  (the `claims_api` fixture)
    level_item,
    level_rows,
    make_council,
    put_levels,
)


async def test_levels_are_upserted_by_reference_and_listed_with_their_providers(env, claims_api):
    council = await make_council(env, providers=2)
    first, second = (p.organisation_id for p in council.providers)
    items = [
        level_item("IHF-MILEAGE"),
        level_item(
            "FC-PARKING",
            name="In-House Foster Carer - Parking",
            kind="provider",
            unit="Each",
            unit_cost=None,
            cost_code=None,
            effective_to="2027-03-31",
            providers=[str(second), str(first)],
        ),
    ]
    answer = await put_levels(claims_api, council.headers, items)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"upserted": 2}
    rows = await level_rows(env, council.authority_id)
    assert [(r["reference"], r["kind"], r["unit_cost"], r["all_providers"], r["revision"]) for r in rows] == [
        ("FC-PARKING", "provider", None, False, 1),
        ("IHF-MILEAGE", "client", "0.3870", True, 1),
    ]
    assert rows[0]["providers"] == sorted([first, second])
    assert rows[0]["effective_to"] == date(2027, 3, 31)

    # The same references again, as NDJSON: changed in place (a new revision), providers replaced.
    again = [
        level_item("IHF-MILEAGE", unit_cost="0.45", providers=[str(first)]),
        {**items[1], "providers": "all"},
    ]
    answer = await put_levels(claims_api, council.headers, again, ndjson=True)
    assert answer.status_code == 200, answer.text
    rows = await level_rows(env, council.authority_id)
    assert [
        (r["reference"], r["unit_cost"], r["all_providers"], r["providers"], r["revision"]) for r in rows
    ] == [
        ("FC-PARKING", None, True, [], 2),
        ("IHF-MILEAGE", "0.4500", False, [first], 2),
    ]
    listed = await claims_api.get("/council/v1/claims/service-levels", headers=council.headers)
    assert listed.status_code == 200
    assert [(lv["reference"], lv["unit_cost"], lv["providers"]) for lv in listed.json()] == [
        ("FC-PARKING", None, "all"),
        ("IHF-MILEAGE", "0.4500", [str(first)]),
    ]
    paged = await claims_api.get("/council/v1/claims/service-levels?limit=1", headers=council.headers)
    assert [lv["reference"] for lv in paged.json()] == ["FC-PARKING"]
    assert 'rel="next"' in paged.headers["link"]
    assert await audit_actions(env, council.authority_id) == ["claimable_levels_upserted"] * 2


BAD_ROWS = [
    ({"kind": "mileage"}, "kind"),
    ({"unit_cost": "abc"}, "unit_cost"),
    ({"unit_cost": "0"}, "unit_cost"),
    ({"unit_cost": "-0.39"}, "unit_cost"),
    ({"unit_cost": "0.38701"}, "unit_cost"),  # 5 decimal places: a unit cost is kept to 4
    ({"effective_from": "2026-04-01", "effective_to": "2026-03-31"}, "effective_to"),
    ({"effective_from": "1 April 2026"}, "effective_from"),
    ({"providers": []}, "providers"),
    ({"providers": "some"}, "providers"),
    ({"providers": ["not-an-id"]}, "providers"),
    ({"name": ""}, "name"),
    ({"reference": "bad\nref"}, "reference"),
    ({"colour": "red"}, "colour"),
    ({"name": "Mileage \ud800"}, "name"),  # half a UTF-16 pair: PostgreSQL cannot store it
    ({"unit": "\udfff"}, "unit"),
    ({"cost_code": "FC\udc00"}, "cost_code"),
]


@pytest.mark.parametrize(("change", "field"), BAD_ROWS, ids=[f for _, f in BAD_ROWS])
async def test_each_bad_row_is_named_by_index_and_field_and_nothing_is_written(
    env, claims_api, change, field
):
    council = await make_council(env)
    items = [level_item("GOOD-1"), {**level_item("BAD"), **change}, level_item("GOOD-2")]
    answer = await put_levels(claims_api, council.headers, items)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert errors and {e["index"] for e in errors} == {1}, errors
    assert [e["field"] for e in errors] == [field], errors
    assert all(e["message"] for e in errors)
    assert await level_rows(env, council.authority_id) == []
    assert await audit_actions(env, council.authority_id) == []


async def test_an_organisation_not_of_the_authority_is_refused(env, claims_api):
    council = await make_council(env)
    other = await make_council(env)  # an organisation of another authority, and one of nobody
    mine = str(council.providers[0].organisation_id)
    theirs, nobody = str(other.providers[0].organisation_id), str(uuid.uuid4())
    answer = await put_levels(
        claims_api,
        council.headers,
        [level_item("A", providers=[mine]), level_item("B", providers=[mine, theirs, nobody])],
    )
    assert answer.status_code == 422
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [
        (1, "providers.1"),
        (1, "providers.2"),
    ]
    assert theirs in answer.json()["errors"][0]["message"]
    assert await level_rows(env, council.authority_id) == []


async def test_a_reference_twice_in_one_call_is_refused(env, claims_api):
    council = await make_council(env)
    answer = await put_levels(
        claims_api, council.headers, [level_item("SAME"), level_item("OTHER"), level_item("SAME")]
    )
    assert answer.status_code == 422
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [(2, "reference")]
    assert await level_rows(env, council.authority_id) == []


@pytest.mark.parametrize("ndjson", [False, True], ids=["json", "ndjson"])
async def test_more_than_1000_items_are_refused_whole(env, claims_api, ndjson):
    council = await make_council(env)
    items = [level_item(f"L{n:04d}") for n in range(1001)]
    answer = await put_levels(claims_api, council.headers, items, ndjson=ndjson)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "items"
    assert "1,000" in answer.json()["errors"][0]["message"]
    assert await level_rows(env, council.authority_id) == []
    assert (await put_levels(claims_api, council.headers, items[:1000])).json() == {"upserted": 1000}


async def test_a_body_that_is_not_a_list_is_refused(env, claims_api):
    council = await make_council(env)
    answer = await claims_api.put(
        "/council/v1/claims/service-levels", json=level_item(), headers=council.headers
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "body"
    broken = await claims_api.put(
        "/council/v1/claims/service-levels",
        content=b'{"reference": "X"\nnot json\n',
        headers={**council.headers, "content-type": "application/x-ndjson"},
    )
    assert broken.status_code == 422
    assert [e["index"] for e in broken.json()["errors"]] == [0, 1]


async def test_read_only_councils_and_providers_cannot_change_levels(env, claims_api):
    council = await make_council(env)
    read_only = {"authorization": f"Bearer {env.council_token(council.authority_id, can_edit=False)}"}
    answer = await put_levels(claims_api, read_only, [level_item()])
    assert answer.status_code == 403
    assert (await claims_api.get("/council/v1/claims/service-levels", headers=read_only)).status_code == 200
    provider = council.provider_headers(env)
    assert (await put_levels(claims_api, provider, [level_item()])).status_code == 403
    assert (await claims_api.get("/council/v1/claims/service-levels", headers=provider)).status_code == 403
    assert await level_rows(env, council.authority_id) == []
