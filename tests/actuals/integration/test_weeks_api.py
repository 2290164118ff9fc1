"""A week of actuals through the actuals API with real tokens: read, Generate Actuals, save a line,
confirm; the refusals of each (stale version, confirmed and locked weeks, future weeks, read-only
roles, bad quantities, a missing comment)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from actuals.domain.weeks import week_commencing
from actuals.handlers.week_access import today
from shared.auth import Role
from tests.actuals.support import actuals_api, actuals_conn, bearer, build_provider

LAST_WEEK = week_commencing(today()) - timedelta(weeks=1)
BASE = "/api/v1/actuals/services/{service}/weeks/{week}"


@pytest.fixture(scope="module")
async def api(env):
    async with actuals_api(env) as client:
        yield client


async def provider(env, *, role=Role.care, can_edit=True, **options):
    """A fresh provider (its own authority and organisation) with its package and a user's token."""
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with actuals_conn(env) as conn:
        package = await build_provider(
            conn, authority_id=authority_id, organisation_id=organisation_id, **options
        )
    token = env.token(
        authority_id=authority_id, organisation_id=organisation_id, role=role, can_edit=can_edit
    )
    return package, bearer(token)


def url(package, week=LAST_WEEK, tail=""):
    return BASE.format(service=package.service_id, week=week.isoformat()) + tail


async def test_a_week_not_started_lists_every_authorised_cpli_as_unplanned(api, env):
    package, auth = await provider(env, clients=5)
    answer = await api.get(url(package), headers=auth)
    assert answer.status_code == 200, answer.text
    week = answer.json()
    assert (week["state"], week["version"], week["week_id"]) == ("not_started", 0, None)
    assert week["week_commencing"] == LAST_WEEK.isoformat()
    assert week["line_count"] == 5 and len(week["lines"]) == 5
    assert {line["state"] for line in week["lines"]} == {"unplanned"}
    assert all(line["line_id"] is None for line in week["lines"])
    assert (week["total"], week["planned_total"]) == ("0.00", "0.00")
    assert week["can_edit"] and week["can_confirm"]


async def test_any_date_stands_for_its_week(api, env):
    package, auth = await provider(env, clients=1)
    thursday = LAST_WEEK + timedelta(days=3)
    answer = await api.get(url(package, thursday), headers=auth)
    assert answer.json()["week_commencing"] == LAST_WEEK.isoformat()


async def test_generate_makes_each_line_once_with_its_plan_and_costs(api, env):
    package, auth = await provider(env, clients=5)  # 0, 2, 4 timetabled; 1 in weeks; 3 weekly hours
    first = await api.post(url(package, tail="/generate"), headers=auth)
    assert first.status_code == 200, first.text
    week = first.json()
    assert week["state"] == "open" and week["line_count"] == 5
    by_client = {line["client_id"]: line for line in week["lines"]}
    timetabled = by_client[str(package.client_ids[0])]
    # 3 visits of 45 minutes: 2.25 hours at £18.54 = £41.715, half up to £41.72; delivered as planned
    assert (timetabled["planned"], timetabled["actual"], timetabled["visits"]) == ("2.25", "2.25", 3)
    assert (timetabled["total"], timetabled["planned_total"], timetabled["state"]) == (
        "41.72",
        "41.72",
        "planned",
    )
    assert timetabled["timetabled"] is True and timetabled["unit_rate"] == "18.5400"
    weeks_line = by_client[str(package.client_ids[1])]
    assert (weeks_line["unit"], weeks_line["planned"], weeks_line["total"]) == ("Weeks", "1", "646.06")
    hours_line = by_client[str(package.client_ids[3])]
    assert (hours_line["planned"], hours_line["total"], hours_line["visits"]) == ("10", "185.40", None)
    assert (
        week["total"]
        == week["planned_total"]
        == str(Decimal("41.72") * 3 + Decimal("646.06") + Decimal("185.40"))
    )

    again = await api.post(url(package, tail="/generate"), headers=auth)
    assert again.status_code == 200
    assert again.json()["version"] == week["version"]  # nothing made, nothing changed
    async with actuals_conn(env) as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM actuals.actual_line WHERE service_id = $1", package.service_id
        )
    assert count == 5


async def test_generate_skips_unauthorised_and_ended_cplis_and_pro_rates_a_start_mid_week(api, env):
    from tests.actuals.support import CpliSpec, add_clients, add_cplis

    package, auth = await provider(env, clients=1, timetable_every=0)
    async with actuals_conn(env) as conn:
        clients = await add_clients(
            conn, authority_id=package.authority_id, names=["Z late", "Z unauth", "Z ended"]
        )
        await add_cplis(
            conn,
            authority_id=package.authority_id,
            organisation_id=package.organisation_id,
            contract_id=package.contract_id,
            service_id=package.service_id,
            specs=[
                # starts on Thursday: 4 of 7 days of 7 hours = 4 hours
                CpliSpec(
                    clients[0],
                    package.hours_level_id,
                    LAST_WEEK + timedelta(days=3),
                    units_per_week=Decimal(7),
                ),
                CpliSpec(
                    clients[1], package.hours_level_id, LAST_WEEK, units_per_week=Decimal(7), authorised=False
                ),
                CpliSpec(
                    clients[2],
                    package.hours_level_id,
                    LAST_WEEK - timedelta(days=30),
                    LAST_WEEK - timedelta(days=1),
                ),
            ],
        )
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    assert week["line_count"] == 2
    late = next(line for line in week["lines"] if line["client_id"] == str(clients[0]))
    assert late["planned"] == "4"


async def test_saving_a_line_checks_quantities_comment_and_version(api, env):
    package, auth = await provider(env, clients=4, timetable_every=0)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    line = next(line for line in week["lines"] if line["unit"] == "Hours")
    path = url(package, tail=f"/lines/{line['line_id']}")
    body = {"version": week["version"], "actual": "9.5", "frustrated": 0, "missed": "0.5", "extra": 0}

    no_comment = await api.put(path, json=body, headers=auth)
    assert no_comment.status_code == 422
    assert [e["field"] for e in no_comment.json()["errors"]] == ["comment"]

    for field, value, says in (
        ("actual", "0.3", "steps of 0.25"),
        ("missed", "-1", "negative"),
        ("extra", "x", "not a number"),
        ("actual", "99999", "must be at most 168 in a week (it is 99999)"),
    ):
        bad = await api.put(path, json={**body, field: value, "comment": "Carer ill"}, headers=auth)
        assert bad.status_code == 422, (field, bad.text)
        error = bad.json()["errors"][0]
        assert error["field"] == field and says in error["message"], bad.text

    for comment, says in (("a\x00b", "NUL"), ("x" * 1001, "must be 1,000 characters or fewer")):
        bad = await api.put(path, json={**body, "comment": comment}, headers=auth)
        assert bad.status_code == 422 and says in bad.json()["errors"][0]["message"], bad.text
        assert bad.json()["errors"][0]["field"] == "comment"

    saved = await api.put(path, json={**body, "comment": "Carer ill on Friday"}, headers=auth)
    assert saved.status_code == 200, saved.text
    result = saved.json()
    assert result["version"] == week["version"] + 1
    assert result["line"]["state"] == "intermittent"
    assert (result["line"]["actual"], result["line"]["missed"]) == ("9.5", "0.5")
    assert result["line"]["total"] == "176.13"  # 9.5 x 18.54
    assert result["line"]["planned"] == "10" and result["line"]["planned_total"] == "185.40"

    stale = await api.put(path, json={**body, "actual": "8", "comment": "late edit"}, headers=auth)
    assert stale.status_code == 409
    assert "reload" in stale.json()["detail"]
    again = (await api.get(url(package), headers=auth)).json()
    kept = next(shown for shown in again["lines"] if shown["line_id"] == line["line_id"])
    assert kept["actual"] == "9.5"
    assert again["total"] == str(Decimal(week["total"]) - Decimal("185.40") + Decimal("176.13"))


async def test_every_fault_of_a_line_is_named_in_one_answer(api, env):
    """A figure that is not a number, a count of visits that is not one, a quarter-unit rule broken and a
    comment rule broken: one 422 lists them all, in the form's order, and nothing is saved. A rule whose
    figure could not be read is left out (the comment rule, when no figure read differs from plan)."""
    package, auth = await provider(env, clients=4, timetable_every=0)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    line = next(line for line in week["lines"] if line["unit"] == "Hours")  # planned 10
    path = url(package, tail=f"/lines/{line['line_id']}")
    body = {"version": week["version"], "actual": "9.3", "frustrated": "x", "visits": "many"}

    refused = await api.put(path, json={**body, "comment": ""}, headers=auth)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
        ("actual", "goes in steps of 0.25 (9.3 is not one)"),
        ("frustrated", "'x' is not a number (write digits, e.g. 58.05)"),
        ("visits", "must be a whole number from 0 to 1000 (not 'many')"),
        ("comment", "is required when delivery differs from plan"),
    ]

    too_long = await api.put(path, json={**body, "actual": "10", "comment": "y" * 2001}, headers=auth)
    assert too_long.status_code == 422, too_long.text
    assert [e["field"] for e in too_long.json()["errors"]] == ["frustrated", "visits", "comment"]
    assert "must be 1,000 characters or fewer (it has 2,001)" in too_long.json()["errors"][2]["message"]

    # Only the unreadable figure could show a variance: the comment rule cannot be judged, so is not said.
    unjudged = await api.put(
        path, json={"version": week["version"], "actual": "10", "extra": "?"}, headers=auth
    )
    assert [e["field"] for e in unjudged.json()["errors"]] == ["extra"]

    kept = (await api.get(url(package), headers=auth)).json()
    assert kept["version"] == week["version"]


async def test_a_line_of_another_week_or_an_unknown_line_is_not_found(api, env):
    package, auth = await provider(env, clients=1)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    line_id = week["lines"][0]["line_id"]
    body = {"version": week["version"], "actual": "1", "comment": "x"}
    earlier = LAST_WEEK - timedelta(weeks=1)
    (await api.post(url(package, earlier, tail="/generate"), headers=auth)).raise_for_status()
    wrong_week = await api.put(url(package, earlier, tail=f"/lines/{line_id}"), json=body, headers=auth)
    assert wrong_week.status_code == 404
    unknown = await api.put(url(package, tail=f"/lines/{uuid.uuid4()}"), json=body, headers=auth)
    assert unknown.status_code == 404


async def test_confirm_publishes_every_line_and_then_the_week_is_read_only(api, env):
    package, auth = await provider(env, clients=3)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    stale = await api.post(url(package, tail="/confirm"), json={"version": week["version"] - 1}, headers=auth)
    assert stale.status_code == 409

    confirmed = await api.post(url(package, tail="/confirm"), json={"version": week["version"]}, headers=auth)
    assert confirmed.status_code == 200, confirmed.text
    after = confirmed.json()
    assert after["state"] == "confirmed" and after["version"] == week["version"] + 1
    assert not after["can_edit"] and not after["can_confirm"]

    async with actuals_conn(env) as conn:
        row = await conn.fetchrow(
            "SELECT state, confirmed_at, confirmed_by FROM actuals.actual_week WHERE week_id = $1",
            uuid.UUID(week["week_id"]),
        )
        history = await conn.fetchrow(
            "SELECT action, lines, total FROM actuals.confirmation WHERE week_id = $1",
            uuid.UUID(week["week_id"]),
        )
        bodies = await conn.fetch(
            "SELECT body FROM actuals.outbox WHERE routing_key = 'actuals.week.confirmed.v1'"
        )
    assert row["state"] == "confirmed" and row["confirmed_at"] is not None and row["confirmed_by"]
    assert (history["action"], history["lines"], str(history["total"])) == ("confirmed", 3, week["total"])
    events = [json.loads(b["body"]) for b in bodies]
    mine = [e for e in events if e["payload"]["week_id"] == week["week_id"]]
    assert len(mine) == 1
    payload = mine[0]["payload"]
    assert payload["total"] == week["total"] and payload["payment_basis"] == "actuals"
    assert payload["revision"] == after["version"]
    assert len(payload["lines"]) == 3
    sent = payload["lines"][0]
    assert {"client_reference", "unit", "unit_rate", "total", "planned_total", "actual", "planned"} <= set(
        sent
    )
    assert sent["client_reference"].startswith("A2")

    line_id = week["lines"][0]["line_id"]
    for method, tail, body in (
        ("put", f"/lines/{line_id}", {"version": after["version"], "actual": "1", "comment": "x"}),
        ("post", "/generate", None),
        ("post", "/confirm", {"version": after["version"]}),
        ("put", f"/lines/{line_id}/visits", {"version": after["version"], "visits": []}),
    ):
        refused = await api.request(method, url(package, tail=tail), json=body, headers=auth)
        assert refused.status_code == 409, (tail, refused.text)
        assert "confirmed" in refused.json()["detail"]


async def test_a_locked_week_shows_locked_lines_and_refuses_every_write(api, env):
    package, auth = await provider(env, clients=2)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    async with actuals_conn(env) as conn:
        await conn.execute(
            "UPDATE actuals.actual_week SET state = 'locked', locked_at = now() WHERE week_id = $1",
            uuid.UUID(week["week_id"]),
        )
    shown = (await api.get(url(package), headers=auth)).json()
    assert shown["state"] == "locked" and {line["state"] for line in shown["lines"]} == {"locked"}
    only_locked = (await api.get(url(package), params={"state": "locked"}, headers=auth)).json()
    assert only_locked["line_count"] == 2
    refused = await api.put(
        url(package, tail=f"/lines/{week['lines'][0]['line_id']}"),
        json={"version": shown["version"], "actual": "1", "comment": "x"},
        headers=auth,
    )
    assert refused.status_code == 409 and "locked" in refused.json()["detail"]


async def test_confirm_refuses_a_week_with_clients_not_generated_and_confirms_an_empty_one(api, env):
    package, auth = await provider(env, clients=2)
    missing = await api.post(url(package, tail="/confirm"), json={"version": 0}, headers=auth)
    assert missing.status_code == 409
    assert missing.json()["detail"] == (
        "2 clients with an authorised care package this week have no line yet: generate actuals first,"
        " then confirm"
    )
    single, single_auth = await provider(env, clients=1)
    one = await api.post(url(single, tail="/confirm"), json={"version": 0}, headers=single_auth)
    assert one.json()["detail"].startswith("1 client with an authorised care package this week has no line")

    empty, empty_auth = await provider(env, clients=0)
    done = await api.post(url(empty, tail="/confirm"), json={"version": 0}, headers=empty_auth)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "confirmed" and done.json()["line_count"] == 0


async def test_a_future_week_is_refused_naming_week(api, env):
    package, auth = await provider(env, clients=1)
    future = week_commencing(today()) + timedelta(weeks=1)
    for method, tail, body in (
        ("get", "", None),
        ("post", "/generate", None),
        ("post", "/confirm", {"version": 0}),
    ):
        refused = await api.request(method, url(package, future, tail), json=body, headers=auth)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "week"
    current = await api.get(url(package, today()), headers=auth)
    assert current.status_code == 200


async def test_read_only_roles_see_the_week_but_cannot_change_it(api, env):
    package, _ = await provider(env, clients=2)
    writer = bearer(
        env.token(authority_id=package.authority_id, organisation_id=package.organisation_id, role=Role.care)
    )
    reader = bearer(
        env.token(
            authority_id=package.authority_id,
            organisation_id=package.organisation_id,
            role=Role.care,
            can_edit=False,
        )
    )
    week = (await api.post(url(package, tail="/generate"), headers=writer)).json()
    shown = await api.get(url(package), headers=reader)
    assert shown.status_code == 200 and not shown.json()["can_edit"]
    line_id = week["lines"][0]["line_id"]
    for method, tail, body in (
        ("post", "/generate", None),
        ("put", f"/lines/{line_id}", {"version": week["version"], "actual": "1", "comment": "x"}),
        ("put", f"/lines/{line_id}/visits", {"version": week["version"], "visits": []}),
        ("post", "/confirm", {"version": week["version"]}),
    ):
        refused = await api.request(method, url(package, tail=tail), json=body, headers=reader)
        assert refused.status_code == 403, (tail, refused.text)
    finance = bearer(
        env.token(
            authority_id=package.authority_id, organisation_id=package.organisation_id, role=Role.finance
        )
    )
    assert (await api.get(url(package), headers=finance)).status_code == 403


async def test_filters_states_and_pages_with_whole_week_totals(api, env):
    package, auth = await provider(env, clients=7, timetable_every=0)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    first = week["lines"][0]
    (
        await api.put(
            url(package, tail=f"/lines/{first['line_id']}"),
            json={"version": week["version"], "actual": first["planned"], "comment": ""},
            headers=auth,
        )
    ).raise_for_status()

    entered = (await api.get(url(package), params={"with_actuals": "true"}, headers=auth)).json()
    assert entered["line_count"] == 1 and entered["lines"][0]["state"] == "intermittent"
    assert entered["total"] == week["total"]  # the whole week's, not the filtered lines'
    planned = (await api.get(url(package), params={"state": "planned"}, headers=auth)).json()
    assert planned["line_count"] == 6
    weeks_only = (
        await api.get(url(package), params={"service_level_id": str(package.weeks_level_id)}, headers=auth)
    ).json()
    assert {line["unit"] for line in weeks_only["lines"]} == {"Weeks"} and weeks_only["line_count"] == 2
    one = (await api.get(url(package), params={"client_id": str(package.client_ids[3])}, headers=auth)).json()
    assert [line["client_id"] for line in one["lines"]] == [str(package.client_ids[3])]

    seen = []
    next_url: str | None = url(package) + "?limit=3"
    while next_url:
        page = await api.get(next_url, headers=auth)
        body = page.json()
        assert body["line_count"] == 7 and len(body["lines"]) <= 3
        seen += [line["cpli_id"] for line in body["lines"]]
        link = page.headers.get("link")
        next_url = link[1 : link.index(">")] if link else None
    assert sorted(seen) == sorted(str(c) for c in package.cpli_ids) and len(seen) == 7
    past_end = (await api.get(url(package), params={"offset": 50}, headers=auth)).json()
    assert past_end["lines"] == [] and past_end["line_count"] == 7

    bad = await api.get(url(package), params={"state": "nonsense"}, headers=auth)
    assert bad.status_code == 422


async def test_a_service_outside_the_callers_scope_is_not_found(api, env):
    package, _ = await provider(env, clients=1)
    _, other_auth = await provider(env, clients=1)
    assert (await api.get(url(package), headers=other_auth)).status_code == 404
    assert (await api.post(url(package, tail="/generate"), headers=other_auth)).status_code == 404


async def test_a_rate_change_inside_the_week_is_pro_rated_and_marked_averaged(api, env):
    from datetime import date

    thursday = LAST_WEEK + timedelta(days=3)
    rates = ((date(2020, 1, 6), Decimal("14.0000")), (thursday, Decimal("21.0000")))
    package, auth = await provider(env, clients=4, timetable_every=0, hours_rates=rates)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    hours = next(line for line in week["lines"] if line["unit"] == "Hours")
    # 3 days at 14 and 4 at 21: 10 hours x (42 + 84) / 7 = 180.00; shown rate 18.0000 "(avg price)"
    assert (hours["averaged"], hours["unit_rate"], hours["total"]) == (True, "18.0000", "180.00")
    weeks_line = next(line for line in week["lines"] if line["unit"] == "Weeks")
    assert weeks_line["averaged"] is False


async def test_a_service_level_without_a_rate_refuses_generate_and_changes_nothing(api, env):
    package, auth = await provider(env, clients=2, timetable_every=0, hours_rates=())
    refused = await api.post(url(package, tail="/generate"), headers=auth)
    assert refused.status_code == 409, refused.text
    assert "Home Care - Standard" in refused.json()["detail"] and "no rate" in refused.json()["detail"]
    after = (await api.get(url(package), headers=auth)).json()
    assert after["state"] == "not_started" and {line["state"] for line in after["lines"]} == {"unplanned"}


async def test_council_staff_read_a_providers_week_but_do_not_record_it(api, env):
    package, auth = await provider(env, clients=1)
    (await api.post(url(package, tail="/generate"), headers=auth)).raise_for_status()
    council = bearer(env.council_user_token(package.authority_id))
    shown = await api.get(url(package), headers=council)
    assert shown.status_code == 200 and not shown.json()["can_edit"]
    assert (await api.post(url(package, tail="/generate"), headers=council)).status_code == 403
    stranger = bearer(env.council_user_token(uuid.uuid4()))
    assert (await api.get(url(package), headers=stranger)).status_code == 404


async def test_half_a_surrogate_pair_in_a_comment_is_refused_naming_it_and_an_emoji_is_kept(api, env):
    """JSON can carry half a UTF-16 pair ("\\udc00"), which PostgreSQL cannot store: a 422 at the comment
    naming the code point, not a 500, and the line is not saved. A whole pair (an emoji) is a character.
    The bodies are json.dumps'd (it writes the escapes): httpx's json= cannot encode half a pair."""
    package, auth = await provider(env, clients=4, timetable_every=0)
    week = (await api.post(url(package, tail="/generate"), headers=auth)).json()
    line = next(line for line in week["lines"] if line["unit"] == "Hours")
    path = url(package, tail=f"/lines/{line['line_id']}")
    body = {"version": week["version"], "actual": "9.5", "frustrated": 0, "missed": "0.5", "extra": 0}
    headers = {**auth, "content-type": "application/json"}

    refused = await api.put(
        path, content=json.dumps({**body, "comment": "Carer ill \udc00"}), headers=headers
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {
            "source": "body",
            "field": "comment",
            "message": "contains half of a UTF-16 surrogate pair (U+DC00), which is not a character: remove it",
        }
    ]
    assert (await api.get(url(package), headers=auth)).json()["version"] == week["version"]

    saved = await api.put(
        path, content=json.dumps({**body, "comment": "Carer ill \U0001f912"}), headers=headers
    )
    assert saved.status_code == 200, saved.text
    async with actuals_conn(env) as conn:
        stored = await conn.fetchval(
            "SELECT comment FROM actuals.actual_line WHERE line_id = $1", uuid.UUID(line["line_id"])
        )
    assert stored == "Carer ill \U0001f912"
