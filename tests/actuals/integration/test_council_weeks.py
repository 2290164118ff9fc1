"""The council's weeks: unlocking a confirmed week (a locked or open one is refused), the history of
confirmations, the late weeks per service, and payments' finalised run locking the weeks it paid (the
event published through payments' real outbox and the broker to actuals' real consumer)."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from actuals.domain.weeks import week_commencing
from actuals.main import DEFINITION as ACTUALS
from payments.main import DEFINITION as PAYMENTS
from shared import db
from shared.bus import Outbox
from shared.events import PaidWeek, PaymentRunFinalised, make_envelope
from shared.service import run_worker
from tests.actuals.integration.council_harness import (
    Council,
    actuals_api_fixture,  # noqa: F401  (the `actuals_api` fixture)
    client_item,
    cpli_item,
    level_item,
    make_council,
    post,
    published,
)
from tests.support.inprocess import eventually

THIS_WEEK = week_commencing(datetime.now(ZoneInfo("Europe/London")).date())  # as the API counts weeks
CLIENT_NUMBERS = itertools.count(1)


async def add_week(
    env, council: Council, week: date, *, state: str = "confirmed", provider: int = 0, version: int = 3
) -> uuid.UUID:
    """A week of the provider's service as the provider side leaves it, with one line of £214.50."""
    p = council.providers[provider]
    week_id = uuid.uuid4()
    conn = await db.connect(env.dsn("actuals"))
    try:
        await conn.execute(
            "INSERT INTO actuals.actual_week (week_id, authority_id, organisation_id, contract_id, service_id,"
            " week_commencing, state, version, confirmed_at, confirmed_by, locked_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            week_id,
            council.authority_id,
            p.organisation_id,
            p.contract_id,
            p.service_id,
            week,
            state,
            version,
            datetime.now(UTC) if state != "open" else None,
            "provider-user" if state != "open" else None,
            datetime(2026, 1, 1, tzinfo=UTC) if state == "locked" else None,
        )
        cpli = await conn.fetchrow(
            "SELECT cpli_id, client_id FROM actuals.cpli WHERE service_id = $1 LIMIT 1", p.service_id
        )
        if cpli is not None:
            await conn.execute(
                "INSERT INTO actuals.actual_line (line_id, week_id, authority_id, organisation_id, contract_id,"
                " service_id, cpli_id, client_id, actual, planned, total, planned_total, entered)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 10, 10, 214.50, 214.50, true)",
                uuid.uuid4(),
                week_id,
                council.authority_id,
                p.organisation_id,
                p.contract_id,
                p.service_id,
                cpli["cpli_id"],
                cpli["client_id"],
            )
    finally:
        await conn.close()
    return week_id


async def week_row(env, week_id: uuid.UUID) -> dict[str, Any]:
    conn = await db.connect(env.dsn("actuals"))
    try:
        row = await conn.fetchrow("SELECT * FROM actuals.actual_week WHERE week_id = $1", week_id)
        history = await conn.fetch(
            "SELECT action, by_subject, reason, lines, total FROM actuals.confirmation WHERE week_id = $1"
            " ORDER BY at",
            week_id,
        )
    finally:
        await conn.close()
    return {**dict(row), "history": [dict(h) for h in history]}


async def with_care(
    client, council: Council, *, start: date, authorised: bool = True, provider: int = 0
) -> None:
    """One client with an authorised (or not) CPLI of the provider's service from `start`."""
    n = next(CLIENT_NUMBERS)
    assert (await post(client, council, "clients", [client_item(n)])).status_code == 200
    assert (await post(client, council, "service-levels", [level_item()])).status_code == 200
    item = cpli_item(
        n, council.providers[provider].service_id, start_date=start.isoformat(), authorised=authorised
    )
    answer = await post(client, council, "cplis", [item])
    assert answer.status_code == 200, answer.text


async def test_the_council_unlocks_a_confirmed_week_and_the_provider_may_correct_it(env, actuals_api):
    council = await make_council(env)
    await with_care(actuals_api, council, start=THIS_WEEK - timedelta(weeks=4))
    week_id = await add_week(env, council, THIS_WEEK - timedelta(weeks=2), version=3)
    answer = await actuals_api.post(
        f"/council/v1/actuals/weeks/{week_id}/unlock",
        json={"reason": "Mrs Smith's hours on Tuesday were recorded twice"},
        headers=council.headers,
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["version"]) == ("open", 4)
    row = await week_row(env, week_id)
    assert (row["state"], row["version"], row["confirmed_at"]) == ("open", 4, None)
    [history] = row["history"]
    assert history.pop("by_subject").startswith("user-")  # the council token's subject
    assert history == {
        "action": "unlocked",
        "reason": "Mrs Smith's hours on Tuesday were recorded twice",
        "lines": 1,
        "total": Decimal("214.50"),
    }
    [event] = await published(env, "actuals.week.unlocked.v1", council.authority_id)
    assert (event["week_id"], event["revision"], event["service_id"]) == (
        str(week_id),
        4,
        str(council.service_id),
    )
    assert event["reason"] == "Mrs Smith's hours on Tuesday were recorded twice"
    assert event["week_commencing"] == (THIS_WEEK - timedelta(weeks=2)).isoformat()

    again = await actuals_api.post(
        f"/council/v1/actuals/weeks/{week_id}/unlock", json={"reason": "again"}, headers=council.headers
    )
    assert again.status_code == 409 and "not confirmed" in again.json()["detail"]
    assert (await week_row(env, week_id))["version"] == 4


async def test_a_locked_week_cannot_be_unlocked_and_a_reason_is_required(env, actuals_api):
    council = await make_council(env)
    locked = await add_week(env, council, THIS_WEEK - timedelta(weeks=3), state="locked", version=7)
    answer = await actuals_api.post(
        f"/council/v1/actuals/weeks/{locked}/unlock", json={"reason": "a correction"}, headers=council.headers
    )
    assert answer.status_code == 409
    assert "locked" in answer.json()["detail"] and "payment run" in answer.json()["detail"]
    row = await week_row(env, locked)
    assert (row["state"], row["version"], row["history"]) == ("locked", 7, [])
    confirmed = await add_week(env, council, THIS_WEEK - timedelta(weeks=2))
    blank = await actuals_api.post(
        f"/council/v1/actuals/weeks/{confirmed}/unlock", json={"reason": "   "}, headers=council.headers
    )
    assert blank.status_code == 422
    assert (await week_row(env, confirmed))["state"] == "confirmed"
    unknown = await actuals_api.post(
        f"/council/v1/actuals/weeks/{uuid.uuid4()}/unlock", json={"reason": "x"}, headers=council.headers
    )
    assert unknown.status_code == 404
    read_only = env.council_token(council.authority_id, can_edit=False)
    refused = await actuals_api.post(
        f"/council/v1/actuals/weeks/{confirmed}/unlock",
        json={"reason": "x"},
        headers={"authorization": f"Bearer {read_only}"},
    )
    assert refused.status_code == 403
    assert await published(env, "actuals.week.unlocked.v1", council.authority_id) == []


async def test_confirmations_newest_first_filtered_by_organisation_and_service(env, actuals_api):
    council = await make_council(env, providers=2)
    first = await add_week(env, council, THIS_WEEK - timedelta(weeks=3))
    second = await add_week(env, council, THIS_WEEK - timedelta(weeks=2))
    other = await add_week(env, council, THIS_WEEK - timedelta(weeks=2), provider=1)
    for week_id in (first, second, other):
        answer = await actuals_api.post(
            f"/council/v1/actuals/weeks/{week_id}/unlock",
            json={"reason": f"r{week_id}"},
            headers=council.headers,
        )
        assert answer.status_code == 200
    everything = (await actuals_api.get("/council/v1/actuals/confirmations", headers=council.headers)).json()
    assert [c["week_id"] for c in everything] == [str(other), str(second), str(first)]
    assert everything[0]["service_name"] == "Service 2" and everything[0]["action"] == "unlocked"
    p = council.providers[0]
    mine = (
        await actuals_api.get(
            f"/council/v1/actuals/confirmations?organisation_id={p.organisation_id}", headers=council.headers
        )
    ).json()
    assert [c["week_id"] for c in mine] == [str(second), str(first)]
    by_service = await actuals_api.get(
        f"/council/v1/actuals/confirmations?service_id={p.service_id}&limit=1", headers=council.headers
    )
    assert [c["week_id"] for c in by_service.json()] == [str(second)] and "link" in by_service.headers


async def test_late_weeks_are_the_past_weeks_with_authorised_care_not_confirmed(env, actuals_api):
    council = await make_council(env, providers=3)
    # Provider 1: care from 5 weeks before this one; one of those weeks confirmed, one locked, one open.
    await with_care(actuals_api, council, start=THIS_WEEK - timedelta(weeks=5) + timedelta(days=3))
    await add_week(env, council, THIS_WEEK - timedelta(weeks=4), state="confirmed")
    await add_week(env, council, THIS_WEEK - timedelta(weeks=3), state="locked")
    await add_week(env, council, THIS_WEEK - timedelta(weeks=2), state="open")
    await add_week(env, council, THIS_WEEK, state="open")  # the current week is never late
    # Provider 2: only an unauthorised CPLI: nothing is due.
    await with_care(actuals_api, council, start=THIS_WEEK - timedelta(weeks=5), authorised=False, provider=1)
    # Provider 3: care for 30 weeks: only the last 12 count.
    await with_care(actuals_api, council, start=THIS_WEEK - timedelta(weeks=30), provider=2)
    late = (await actuals_api.get("/council/v1/actuals/late-weeks", headers=council.headers)).json()
    by_service = {row["service_id"]: row for row in late}
    first, second, third = council.providers
    assert set(by_service) == {str(first.service_id), str(third.service_id)}
    expected = [THIS_WEEK - timedelta(weeks=w) for w in (5, 2, 1)]
    assert by_service[str(first.service_id)]["weeks"] == [d.isoformat() for d in expected]
    assert by_service[str(first.service_id)]["unconfirmed_weeks"] == 3
    assert by_service[str(third.service_id)]["unconfirmed_weeks"] == 12
    only = (
        await actuals_api.get(
            f"/council/v1/actuals/late-weeks?organisation_id={third.organisation_id}", headers=council.headers
        )
    ).json()
    assert [row["service_id"] for row in only] == [str(third.service_id)]
    assert str(second.service_id) not in by_service


async def publish_from_payments(env, event: PaymentRunFinalised) -> uuid.UUID:
    """The event in payments' outbox, as payments' handler will write it (its relay publishes it)."""
    envelope = make_envelope(event, aggregate_id=event.payment_run_id, authority_id=event.authority_id)
    conn = await db.connect(env.dsn("payments"))
    try:
        async with conn.transaction():
            await Outbox("payments").add(conn, envelope)
    finally:
        await conn.close()
    return envelope.event_id


async def processed(env, event_id: uuid.UUID) -> bool:
    conn = await db.connect(env.dsn("actuals"))
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM actuals.inbox WHERE event_id = $1", event_id))
    finally:
        await conn.close()


async def test_a_finalised_payment_run_locks_the_weeks_it_paid_for_good(env, actuals_api):
    council = await make_council(env)
    stranger = await make_council(env)
    await with_care(actuals_api, council, start=THIS_WEEK - timedelta(weeks=6))
    paid = await add_week(env, council, THIS_WEEK - timedelta(weeks=3), version=2)
    already = await add_week(env, council, THIS_WEEK - timedelta(weeks=4), state="locked", version=6)
    theirs = await add_week(env, stranger, THIS_WEEK - timedelta(weeks=3), version=2)
    # Unlocked by the council after the run was computed: the provider is correcting it.
    reopened = await add_week(env, council, THIS_WEEK - timedelta(weeks=5), state="open", version=5)
    before_already = await week_row(env, already)
    before_reopened = await week_row(env, reopened)
    finalised_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    event = PaymentRunFinalised(
        payment_run_id=uuid.uuid4(),
        authority_id=council.authority_id,
        reference="PR-2026-11-4",
        weeks=[
            PaidWeek(week_id=w, service_id=council.service_id, week_commencing=THIS_WEEK - timedelta(weeks=3))
            for w in (paid, already, theirs, reopened)
        ],
        finalised_by="finance-officer-1",
        finalised_at=finalised_at,
    )
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(run_worker(PAYMENTS, env.settings(PAYMENTS), stop=stop, consume=False)),
        asyncio.create_task(run_worker(ACTUALS, env.settings(ACTUALS), stop=stop, relay=False)),
    ]
    try:
        first = await publish_from_payments(env, event)
        await eventually(lambda: processed(env, first), timeout=30)
        row = await week_row(env, paid)
        assert (row["state"], row["version"], row["locked_at"]) == ("locked", 3, finalised_at)
        assert row["history"] == [
            {
                "action": "locked",
                "by_subject": "finance-officer-1",
                "reason": "paid in payment run PR-2026-11-4",
                "lines": 1,
                "total": Decimal("214.50"),
            }
        ]
        # A week locked before stays exactly as it was; another authority's week is not touched.
        assert await week_row(env, already) == before_already
        their_row = await week_row(env, theirs)
        assert (their_row["state"], their_row["version"], their_row["history"]) == ("confirmed", 2, [])
        # An open week is not locked: its correction is confirmed, then paid and locked by a later run.
        assert await week_row(env, reopened) == before_reopened
        # The same run in a new event (payments re-publishing it): nothing changes. (A redelivery of the
        # same event is dropped by the inbox before it reaches the handler: the kit's own tests.)
        repeat = await publish_from_payments(env, event)
        await eventually(lambda: processed(env, repeat), timeout=30)
        assert await week_row(env, paid) == row
    finally:
        stop.set()
        await asyncio.gather(*workers)
