"""The council's bulk upserts and lists of clients, service levels and CPLIs, through actuals' API on the
real database: all or nothing, every fault named by item and field, each change published with its full
state and an unchanged item neither written nor published."""

from __future__ import annotations

import json
import uuid

from gateway.body_limit import BodyLimitMiddleware
from tests.actuals.integration.council_harness import (
    actuals_api_fixture,  # noqa: F401  (the `actuals_api` fixture)
    client_item,
    count,
    cpli_item,
    level_item,
    make_council,
    post,
    published,
)

CLIENT_EVENT = "actuals.client.upserted.v1"
LEVEL_EVENT = "actuals.service_level.upserted.v1"
CPLI_EVENT = "actuals.cpli.upserted.v1"


async def test_clients_are_created_changed_and_unchanged_ones_not_republished(env, actuals_api):
    council = await make_council(env)
    items = [client_item(n) for n in range(3)]
    first = await post(actuals_api, council, "clients", items)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0}
    events = await published(env, CLIENT_EVENT, council.authority_id)
    assert sorted(e["reference"] for e in events) == ["SS000000", "SS000001", "SS000002"]
    assert {e["revision"] for e in events} == {1}
    assert events[0]["name"].startswith("Client ") and events[0]["date_of_birth"] == "1940-03-01"

    items[1] = client_item(1, name="Mrs Penelope Portal")
    again = await post(actuals_api, council, "clients", items)
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 2}
    events = await published(env, CLIENT_EVENT, council.authority_id)
    assert len(events) == 4  # only the changed one again, with its full state and a new revision
    assert (events[-1]["reference"], events[-1]["name"], events[-1]["revision"]) == (
        "SS000001",
        "Mrs Penelope Portal",
        2,
    )
    assert events[-1]["date_of_birth"] == "1940-03-01"

    listed = await actuals_api.get("/council/v1/actuals/clients?limit=2", headers=council.headers)
    assert [c["reference"] for c in listed.json()] == ["SS000000", "SS000001"]
    assert 'rel="next"' in listed.headers["link"]
    rest = await actuals_api.get("/council/v1/actuals/clients?limit=2&offset=2", headers=council.headers)
    assert [c["reference"] for c in rest.json()] == ["SS000002"] and "link" not in rest.headers


async def test_a_service_level_s_rate_history_is_replaced_whole(env, actuals_api):
    council = await make_council(env)
    level = level_item(
        rates=[
            {"effective_from": "2026-04-01", "rate": "21.45"},
            {"effective_from": "2026-11-25", "rate": 22.1},  # a JSON number: read exactly, not as a float
        ]
    )
    assert (await post(actuals_api, council, "service-levels", [level])).json()["created"] == 1
    [event] = await published(env, LEVEL_EVENT, council.authority_id)
    assert event["rates"] == [
        {"effective_from": "2026-04-01", "rate": "21.4500"},
        {"effective_from": "2026-11-25", "rate": "22.1000"},
    ]
    assert (event["unit"], event["extras_payable"], event["revision"]) == ("Hours", True, 1)
    # The same history, in another order and written otherwise: unchanged, not published again.
    same = level_item(
        rates=[
            {"effective_from": "2026-11-25", "rate": "22.1000"},
            {"effective_from": "2026-04-01", "rate": "21.45"},
        ]
    )
    assert (await post(actuals_api, council, "service-levels", [same])).json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
    }
    assert len(await published(env, LEVEL_EVENT, council.authority_id)) == 1
    # A new history replaces the old one entirely.
    changed = level_item(rates=[{"effective_from": "2026-06-01", "rate": "23.0000"}])
    assert (await post(actuals_api, council, "service-levels", [changed])).json()["updated"] == 1
    last = (await published(env, LEVEL_EVENT, council.authority_id))[-1]
    assert last["rates"] == [{"effective_from": "2026-06-01", "rate": "23.0000"}] and last["revision"] == 2
    [listed] = (await actuals_api.get("/council/v1/actuals/service-levels", headers=council.headers)).json()
    assert listed["rates"] == [{"effective_from": "2026-06-01", "rate": "23.0000"}]


async def seed_reference(client, council, n: int = 3) -> None:
    assert (await post(client, council, "clients", [client_item(i) for i in range(n)])).status_code == 200
    weekly = level_item("B4-LT", name="Band 4 - Single Room - Long Term", unit="Weeks")
    weekly["rates"] = [{"effective_from": "2026-04-01", "rate": "646.06"}]
    assert (await post(client, council, "service-levels", [level_item(), weekly])).status_code == 200


async def test_cplis_take_their_organisation_and_contract_from_the_service_and_publish_full_state(
    env, actuals_api
):
    council = await make_council(env)
    await seed_reference(actuals_api, council)
    provider = council.providers[0]
    timetabled = cpli_item(
        0,
        provider.service_id,
        units_per_week=None,
        timetable=[
            {"weekday": 0, "start_time": "08:00", "minutes": 45, "carers": 2},
            {"weekday": 3, "start_time": "18:30", "minutes": 30},
        ],
    )
    weekly = cpli_item(
        1,
        provider.service_id,
        service_level_reference="B4-LT",
        cost="646.06",
        units_per_week="1",
        pricing="1 x Placement at £646.06 (Spot)",
        care_package_ref="M2872/Migr:735810",
    )
    answer = await post(actuals_api, council, "cplis", [timetabled, weekly])
    assert answer.json() == {"created": 2, "updated": 0, "unchanged": 0}, answer.text
    events = {e["reference"]: e for e in await published(env, CPLI_EVENT, council.authority_id)}
    first = events["CPLI-000000"]
    assert (first["organisation_id"], first["contract_id"], first["service_id"]) == (
        str(provider.organisation_id),
        str(provider.contract_id),
        str(provider.service_id),
    )
    assert first["client_reference"] == "SS000000" and first["units_per_week"] is None
    assert first["timetable"] == [
        {"weekday": 0, "start_time": "08:00:00", "minutes": 45, "carers": 2},
        {"weekday": 3, "start_time": "18:30:00", "minutes": 30, "carers": 1},
    ]
    second = events["CPLI-000001"]
    assert (second["cost"], second["frequency"], second["units_per_week"], second["timetable"]) == (
        "646.06",
        "Weekly",
        "1.00",
        [],
    )
    # Unchanged: nothing written, nothing published; a changed one gets revision 2.
    assert (await post(actuals_api, council, "cplis", [timetabled, weekly])).json()["unchanged"] == 2
    weekly["authorised"] = False
    assert (await post(actuals_api, council, "cplis", [timetabled, weekly])).json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
    }
    all_events = await published(env, CPLI_EVENT, council.authority_id)
    assert len(all_events) == 3
    assert (all_events[-1]["reference"], all_events[-1]["authorised"], all_events[-1]["revision"]) == (
        "CPLI-000001",
        False,
        2,
    )
    listed = (
        await actuals_api.get(
            f"/council/v1/actuals/cplis?service_id={provider.service_id}", headers=council.headers
        )
    ).json()
    assert [c["reference"] for c in listed] == ["CPLI-000000", "CPLI-000001"]
    assert listed[0]["timetable"][0] == {"weekday": 0, "start_time": "08:00", "minutes": 45, "carers": 2}
    assert listed[1]["service_level_reference"] == "B4-LT" and listed[1]["cost"] == "646.06"


async def test_every_bad_item_is_listed_by_index_and_field_and_nothing_is_written(env, actuals_api):
    council = await make_council(env)
    other = await make_council(env)
    await seed_reference(actuals_api, council)
    service = council.service_id
    before = await count(env, "cpli", council.authority_id)
    items = [
        cpli_item(0, service),  # good: written with the rest or not at all
        cpli_item(1, service, cost="12.345"),
        cpli_item(2, service, start_date="2026-02-30"),
        cpli_item(0, service),  # duplicate reference
        cpli_item(1, service, reference="CPLI-X1", end_date="2025-12-31"),
        cpli_item(
            2, service, reference="CPLI-X2", timetable=[{"weekday": 1, "start_time": "09:00", "minutes": 30}]
        ),
        cpli_item(2, service, reference="CPLI-X3", units_per_week=None),
        cpli_item(2, service, reference="CPLI-X4", client_reference="NOBODY"),
        cpli_item(2, service, reference="CPLI-X5", service_level_reference="NO-LEVEL"),
        cpli_item(2, other.service_id, reference="CPLI-X6"),  # a service of another authority
        cpli_item(2, uuid.uuid4(), reference="CPLI-X7"),
        cpli_item(
            2,
            service,
            reference="CPLI-X8",
            units_per_week=None,
            service_level_reference="B4-LT",
            timetable=[{"weekday": 1, "start_time": "09:00", "minutes": 30}],
        ),
        cpli_item(
            2,
            service,
            reference="CPLI-X9",
            units_per_week=None,
            timetable=[
                {"weekday": 1, "start_time": "09:00", "minutes": 30},
                {"weekday": 1, "start_time": "09:00", "minutes": 45},
            ],
        ),
        cpli_item(2, service, reference="CPLI-X10", colour="blue"),
        "not an object",
        cpli_item(2, service, reference="CPLI-X11", units_per_week="-1"),
        cpli_item(2, service, reference="CPLI-X12", cost="£12"),
        cpli_item(
            2,
            service,
            reference="CPLI-X13",
            units_per_week=None,
            timetable=[{"weekday": 1, "start_time": "09:00+01:00", "minutes": 30}],
        ),
    ]
    answer = await post(actuals_api, council, "cplis", items)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    found = {(e["index"], e["field"]) for e in answer.json()["errors"]}
    assert found == {
        (1, "cost"),
        (2, "start_date"),
        (3, "reference"),
        (4, "end_date"),
        (5, "units_per_week"),
        (6, "units_per_week"),
        (7, "client_reference"),
        (8, "service_level_reference"),
        (9, "service_id"),
        (10, "service_id"),
        (11, "timetable"),
        (12, "timetable.1"),
        (13, "colour"),
        (14, ""),
        (15, "units_per_week"),
        (16, "cost"),
        (17, "timetable.0.start_time"),
    }
    messages = {(e["index"], e["field"]): e["message"] for e in answer.json()["errors"]}
    assert "NOBODY" in messages[(7, "client_reference")]
    assert "NO-LEVEL" in messages[(8, "service_level_reference")]
    assert str(other.service_id) in messages[(9, "service_id")]
    assert "also item 0" in messages[(3, "reference")]
    assert await count(env, "cpli", council.authority_id) == before
    assert await published(env, CPLI_EVENT, council.authority_id) == []
    assert await count(env, "cpli", other.authority_id) == 0


async def test_bad_clients_and_service_levels_are_named_and_nothing_is_written(env, actuals_api):
    council = await make_council(env)
    clients = [
        client_item(0),
        client_item(1, name=""),
        client_item(2, date_of_birth="1 March 1940"),
        {"name": "x"},
        client_item(4, date_of_birth="2999-01-01"),
        client_item(5, name="Two\nlines"),
    ]
    answer = await post(actuals_api, council, "clients", clients)
    assert answer.status_code == 422
    assert {(e["index"], e["field"]) for e in answer.json()["errors"]} == {
        (1, "name"),
        (2, "date_of_birth"),
        (3, "reference"),
        (4, "date_of_birth"),
        (5, "name"),
    }
    assert await count(env, "client", council.authority_id) == 0
    levels = [
        level_item("A", unit="Days"),
        level_item("B", rates=[]),
        level_item("C", rates=[{"effective_from": "2026-04-01", "rate": "1.23456"}]),
        level_item(
            "D",
            rates=[
                {"effective_from": "2026-04-01", "rate": "1"},
                {"effective_from": "2026-04-01", "rate": "2"},
            ],
        ),
        level_item("E", rates=[{"effective_from": "2026-04-01", "rate": "-1"}]),
        level_item("F"),
    ]
    answer = await post(actuals_api, council, "service-levels", levels)
    assert answer.status_code == 422
    assert {(e["index"], e["field"]) for e in answer.json()["errors"]} == {
        (0, "unit"),
        (1, "rates"),
        (2, "rates.0.rate"),
        (3, "rates"),
        (4, "rates"),
    }
    assert await count(env, "service_level", council.authority_id) == 0


async def test_dates_at_the_calendars_ends_are_refused_naming_the_range(env, actuals_api):
    """asyncpg keeps 0001-01-01 and 9999-12-31 as PostgreSQL's -infinity and infinity, which the reports'
    SQL cannot read: a business date is 2000 to 2099 (shared.dates), a date of birth from 1900; a
    council's "no end" of 9999-12-31 is sent as null."""
    council = await make_council(env)
    await seed_reference(actuals_api, council)
    service = council.service_id
    before = await count(env, "cpli", council.authority_id)
    items = [
        cpli_item(0, service, reference="CPLI-E0", start_date="0001-01-01"),
        cpli_item(1, service, reference="CPLI-E1", end_date="9999-12-31"),
        cpli_item(2, service, reference="CPLI-E2", start_date="2000-01-01", end_date="2099-12-31"),
    ]
    answer = await post(actuals_api, council, "cplis", items)
    assert answer.status_code == 422, answer.text
    messages = {(e["index"], e["field"]): e["message"] for e in answer.json()["errors"]}
    assert messages == {
        (0, "start_date"): "must be from 2000-01-01 to 2099-12-31 (it is 0001-01-01)",
        (1, "end_date"): "must be from 2000-01-01 to 2099-12-31 (it is 9999-12-31);"
        " leave it null for a line with no end",
    }
    assert await count(env, "cpli", council.authority_id) == before
    clients = [client_item(0, date_of_birth="0001-01-01"), client_item(1, date_of_birth="1900-01-01")]
    answer = await post(actuals_api, council, "clients", clients)
    assert answer.status_code == 422, answer.text
    assert [(e["index"], e["field"], e["message"]) for e in answer.json()["errors"]] == [
        (0, "date_of_birth", "must be on or after 1900-01-01 (it is 0001-01-01)")
    ]
    levels = [level_item("Z", rates=[{"effective_from": "0001-01-01", "rate": "1"}])]
    answer = await post(actuals_api, council, "service-levels", levels)
    assert answer.status_code == 422, answer.text
    assert [(e["index"], e["field"], e["message"]) for e in answer.json()["errors"]] == [
        (0, "rates", "effective_from must be from 2000-01-01 to 2099-12-31 (it is 0001-01-01)")
    ]


async def test_ndjson_is_accepted_and_a_broken_line_is_named(env, actuals_api):
    council = await make_council(env)
    answer = await post(actuals_api, council, "clients", [client_item(n) for n in range(5)], ndjson=True)
    assert answer.json() == {"created": 5, "updated": 0, "unchanged": 0}, answer.text
    broken = await actuals_api.post(
        "/council/v1/actuals/clients",
        content=b'{"reference": "SS1", "name": "A"}\n\n{"reference": "SS2", "name": \n[1, 2\n',
        headers={**council.headers, "content-type": "application/x-ndjson"},
    )
    assert broken.status_code == 422
    # Every broken line, by its item index (blank lines are not items) and its line number.
    assert [(e["index"], e["message"][:7]) for e in broken.json()["errors"]] == [
        (1, "line 3 "),
        (2, "line 4 "),
    ]
    assert await count(env, "client", council.authority_id) == 5


async def test_bodies_that_are_not_a_list_of_items_are_refused(env, actuals_api):
    council = await make_council(env)
    for body in (b'{"reference": "SS1"}', b"not json", b"[]", b"\xff\xfe"):
        answer = await actuals_api.post(
            "/council/v1/actuals/clients",
            content=body,
            headers={**council.headers, "content-type": "application/json"},
        )
        assert answer.status_code == 422, body
        assert answer.json()["errors"][0]["field"] in {"body", "items"}
    # JSON nested a thousand deep overflows the parser's stack: refused as not JSON, not a 500
    for content_type in ("application/json", "application/x-ndjson"):
        deep = await actuals_api.post(
            "/council/v1/actuals/clients",
            content=b"[" * 1000 + b"]" * 1000,
            headers={**council.headers, "content-type": content_type},
        )
        assert deep.status_code == 422, deep.text
        assert "nested too deeply" in deep.json()["errors"][0]["message"]
    assert await count(env, "client", council.authority_id) == 0


async def test_more_than_10000_items_are_refused_naming_the_limit(env, actuals_api):
    council = await make_council(env)
    items = [client_item(n) for n in range(10_001)]
    for ndjson in (False, True):
        answer = await post(actuals_api, council, "clients", items, ndjson=ndjson)
        assert answer.status_code == 422
        assert "10,000" in answer.json()["detail"]
    assert await count(env, "client", council.authority_id) == 0


async def test_only_the_council_may_use_it_and_read_only_council_access_cannot_write(env, actuals_api):
    council = await make_council(env)
    provider = council.providers[0]
    provider_token = env.token(authority_id=council.authority_id, organisation_id=provider.organisation_id)
    for path in ("clients", "service-levels", "cplis"):
        read = await actuals_api.get(
            f"/council/v1/actuals/{path}", headers={"authorization": f"Bearer {provider_token}"}
        )
        assert read.status_code == 403
        write = await actuals_api.post(
            f"/council/v1/actuals/{path}", json=[], headers={"authorization": f"Bearer {provider_token}"}
        )
        assert write.status_code == 403
    read_only = env.council_token(council.authority_id, can_edit=False)
    answer = await actuals_api.post(
        "/council/v1/actuals/clients", json=[client_item(1)], headers={"authorization": f"Bearer {read_only}"}
    )
    assert answer.status_code == 403
    assert (
        await actuals_api.get("/council/v1/actuals/clients", headers={"authorization": f"Bearer {read_only}"})
    ).status_code == 200
    assert (await actuals_api.get("/council/v1/actuals/clients")).status_code == 401


def test_the_gateway_lets_the_bulk_routes_carry_10000_items():
    """10,000 CPLIs are several MB: the gateway gives these three routes the upload limit, not 1 MiB."""
    limits = BodyLimitMiddleware(None, default=1024 * 1024, upload=50 * 1024 * 1024)  # type: ignore[arg-type]
    for path in (
        "/council/v1/actuals/clients",
        "/council/v1/actuals/service-levels",
        "/council/v1/actuals/cplis",
    ):
        assert limits.limit_for(path) == 50 * 1024 * 1024
    assert limits.limit_for("/council/v1/actuals/weeks/x/unlock") == 1024 * 1024


async def test_a_service_level_with_timetabled_cplis_keeps_its_unit_in_hours(env, actuals_api):
    """Visits are counted in hours: a level whose CPLIs have a timetable cannot move to Weeks or Nights
    (its CPLIs' planned figures would mean nothing). A level without timetabled CPLIs may change unit."""
    council = await make_council(env)
    await seed_reference(actuals_api, council)
    provider = council.providers[0]
    timetabled = cpli_item(
        0,
        provider.service_id,
        units_per_week=None,
        timetable=[{"weekday": 0, "start_time": "08:00", "minutes": 45}],
    )
    assert (await post(actuals_api, council, "cplis", [timetabled])).status_code == 200
    before = await published(env, LEVEL_EVENT, council.authority_id)

    answer = await post(actuals_api, council, "service-levels", [level_item(unit="Weeks")])
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {
            "index": 0,
            "field": "unit",
            "message": "1 care package line with a timetable of visits uses this service level: its unit"
            " stays Hours while they do",
        }
    ]
    assert await published(env, LEVEL_EVENT, council.authority_id) == before
    [kept] = [
        level
        for level in (
            await actuals_api.get("/council/v1/actuals/service-levels", headers=council.headers)
        ).json()
        if level["reference"] == "HC-STD"
    ]
    assert kept["unit"] == "Hours"

    changed = await post(actuals_api, council, "service-levels", [level_item("B4-LT", unit="Nights")])
    assert changed.json() == {"created": 0, "updated": 1, "unchanged": 0}, changed.text


async def test_half_a_surrogate_pair_in_an_item_is_named_by_index_and_field_and_nothing_is_written(
    env, actuals_api
):
    """JSON can carry half a UTF-16 pair ("\\ud800"), which PostgreSQL cannot store: named at its item and
    field with the code point, as JSON or NDJSON, and nothing written. A whole pair (an emoji) is kept.
    (post() json.dumps NDJSON, which writes the escapes; the JSON array is written the same way here.)"""
    council = await make_council(env)
    items = [client_item(0), client_item(1, name="Client \ud800")]
    message = "contains half of a UTF-16 surrogate pair (U+D800), which is not a character: remove it"
    for ndjson in (False, True):
        if ndjson:
            answer = await post(actuals_api, council, "clients", items, ndjson=True)
        else:
            answer = await actuals_api.post(
                "/council/v1/actuals/clients",
                content=json.dumps(items),
                headers={**council.headers, "content-type": "application/json"},
            )
        assert answer.status_code == 422, answer.text
        assert answer.json()["type"] == "urn:provider-portal:problem:invalid-items"
        assert answer.json()["errors"] == [{"index": 1, "field": "name", "message": message}]
    assert await count(env, "client", council.authority_id) == 0

    items[1] = client_item(1, name="Client \U0001f600")
    kept = await post(actuals_api, council, "clients", items, ndjson=True)
    assert kept.json() == {"created": 2, "updated": 0, "unchanged": 0}, kept.text
    listed = await actuals_api.get("/council/v1/actuals/clients", headers=council.headers)
    assert [c["name"] for c in listed.json()] == ["Client 0", "Client \U0001f600"]
