"""The visits of a timetabled line through the API: the plan shown before any is saved, a replacement
deriving the line's figures and cost, the comment rule, bad visits, and a line whose figures come from
its visits refusing other quantities."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actuals.domain.weeks import week_commencing
from actuals.handlers.week_access import today
from shared.auth import Role
from tests.actuals.support import actuals_api, actuals_conn, bearer, build_provider

LAST_WEEK = week_commencing(today()) - timedelta(weeks=1)


@pytest.fixture(scope="module")
async def api(env):
    async with actuals_api(env) as client:
        yield client


async def generated(api, env):
    import uuid

    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with actuals_conn(env) as conn:
        package = await build_provider(
            conn, authority_id=authority_id, organisation_id=organisation_id, clients=2
        )
    auth = bearer(env.token(authority_id=authority_id, organisation_id=organisation_id, role=Role.care))
    base = f"/api/v1/actuals/services/{package.service_id}/weeks/{LAST_WEEK.isoformat()}"
    week = (await api.post(f"{base}/generate", headers=auth)).json()
    timetabled = next(line for line in week["lines"] if line["timetabled"])
    other = next(line for line in week["lines"] if not line["timetabled"])
    return base, auth, week, timetabled, other


def visit(day_offset, status="delivered", minutes=45, start="08:00", carers=1):
    return {
        "visit_date": (LAST_WEEK + timedelta(days=day_offset)).isoformat(),
        "start_time": start,
        "minutes": minutes,
        "carers": carers,
        "status": status,
    }


async def test_before_any_is_saved_the_timetable_is_shown_as_delivered(api, env):
    base, auth, week, line, _ = await generated(api, env)
    answer = await api.get(f"{base}/lines/{line['line_id']}/visits", headers=auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["version"] == week["version"]
    assert [(v["visit_date"], v["status"], v["visit_id"]) for v in body["visits"]] == [
        ((LAST_WEEK + timedelta(days=d)).isoformat(), "delivered", None) for d in (0, 2, 4)
    ]
    assert body["visits"][2]["carers"] == 2


async def test_replacing_visits_derives_the_figures_and_the_cost(api, env):
    base, auth, week, line, _ = await generated(api, env)
    path = f"{base}/lines/{line['line_id']}/visits"
    visits = [
        visit(0),
        visit(2, "missed"),
        visit(4, "frustrated"),
        visit(5, "extra", minutes=60, start="18:00"),
    ]
    no_comment = await api.put(path, json={"version": week["version"], "visits": visits}, headers=auth)
    assert no_comment.status_code == 422 and no_comment.json()["errors"][0]["field"] == "comment"

    saved = await api.put(
        path, json={"version": week["version"], "visits": visits, "comment": "Missed Wednesday"}, headers=auth
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    figures = body["line"]
    # delivered 45 + extra 60 minutes = 1.75 hours; missed 0.75; frustrated 0.75; extra 1; 2 visits
    assert (
        figures["actual"],
        figures["missed"],
        figures["frustrated"],
        figures["extra"],
        figures["visits"],
    ) == (
        "1.75",
        "0.75",
        "0.75",
        "1",
        2,
    )
    assert figures["total"] == "32.45"  # 1.75 x 18.54 = 32.445, half up (not paying frustrated)
    assert figures["comment"] == "Missed Wednesday" and figures["state"] == "intermittent"
    assert body["version"] == week["version"] + 1
    assert len(body["visits"]) == 4 and all(v["visit_id"] for v in body["visits"])

    again = (await api.get(path, headers=auth)).json()
    assert [v["status"] for v in again["visits"]] == ["delivered", "missed", "frustrated", "extra"]

    # the figures come from the visits now: a save may change the comment only
    same = {k: figures[k] for k in ("actual", "frustrated", "missed", "extra", "visits")}
    changed = await api.put(
        f"{base}/lines/{line['line_id']}",
        json={"version": body["version"], **same, "actual": "3", "comment": "x"},
        headers=auth,
    )
    assert changed.status_code == 422 and changed.json()["errors"][0]["field"] == "actual"
    comment_only = await api.put(
        f"{base}/lines/{line['line_id']}",
        json={"version": body["version"], **same, "comment": "Missed Wednesday: carer ill"},
        headers=auth,
    )
    assert comment_only.status_code == 200, comment_only.text


async def test_bad_visits_are_named_by_their_place_and_change_nothing(api, env):
    base, auth, week, line, _ = await generated(api, env)
    path = f"{base}/lines/{line['line_id']}/visits"
    bad = [visit(0), visit(9), visit(1, minutes=0), visit(2, carers=12), visit(0)]
    answer = await api.put(
        path, json={"version": week["version"], "visits": bad, "comment": "x"}, headers=auth
    )
    assert answer.status_code == 422
    fields = [e["field"] for e in answer.json()["errors"]]
    assert fields == ["visits[1].visit_date", "visits[2].minutes", "visits[3].carers", "visits[4].start_time"]
    unknown_status = await api.put(
        path,
        json={"version": week["version"], "visits": [visit(0, "cancelled")], "comment": "x"},
        headers=auth,
    )
    assert unknown_status.status_code == 422
    still = (await api.get(path, headers=auth)).json()
    assert still["version"] == week["version"] and all(v["visit_id"] is None for v in still["visits"])


async def test_every_fault_of_a_visits_save_is_named_in_one_answer(api, env):
    """A date, a time, a number or a status that cannot be read, a visit outside the week, a comment too
    long: one answer names them all, as the line form does; a missing comment is named with a visit's
    rule when every visit could be read. Nothing is saved."""
    base, auth, week, line, _ = await generated(api, env)
    path = f"{base}/lines/{line['line_id']}/visits"
    unreadable = [
        {**visit(0), "visit_date": "2026-02-31"},
        visit(1, start="25:00"),
        {**visit(2), "minutes": "forty"},
        visit(3, "cancelled"),
        visit(9),
        {**visit(4), "carers": "2.5"},
    ]
    answer = await api.put(
        path, json={"version": week["version"], "visits": unreadable, "comment": "x" * 1001}, headers=auth
    )
    assert answer.status_code == 422, answer.text
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert list(errors) == [
        "visits[0].visit_date",
        "visits[1].start_time",
        "visits[2].minutes",
        "visits[3].status",
        "visits[4].visit_date",
        "visits[5].carers",
        "comment",
    ], errors
    assert errors["visits[0].visit_date"] == "must be a date as YYYY-MM-DD (not '2026-02-31')"
    assert errors["visits[1].start_time"] == "must be a time as HH:MM (not '25:00')"
    assert errors["visits[2].minutes"] == "must be a whole number of minutes (not 'forty')"
    assert errors["visits[3].status"] == "must be delivered, frustrated, missed or extra (not 'cancelled')"
    assert errors["visits[5].carers"] == "must be a whole number of carers (not '2.5')"
    assert errors["comment"].startswith("must be 1,000 characters or fewer")

    # Every visit read, one outside the week and the plan not met: both named at once.
    readable = [visit(0, "missed"), visit(8)]
    answer = await api.put(path, json={"version": week["version"], "visits": readable}, headers=auth)
    assert [e["field"] for e in answer.json()["errors"]] == ["visits[1].visit_date", "comment"], answer.text
    still = (await api.get(path, headers=auth)).json()
    assert still["version"] == week["version"] and all(v["visit_id"] is None for v in still["visits"])


async def test_visits_need_the_current_version_and_a_line_in_hours(api, env):
    base, auth, week, line, other = await generated(api, env)
    stale = await api.put(
        f"{base}/lines/{line['line_id']}/visits",
        json={"version": week["version"] - 1, "visits": []},
        headers=auth,
    )
    assert stale.status_code == 409
    assert other["unit"] == "Weeks"  # a care home place has no visits
    weeks = await api.put(
        f"{base}/lines/{other['line_id']}/visits",
        json={"version": week["version"], "visits": []},
        headers=auth,
    )
    assert weeks.status_code == 422 and weeks.json()["errors"][0]["field"] == "visits"
