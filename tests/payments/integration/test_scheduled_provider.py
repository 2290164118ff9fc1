"""A provider's scheduled payments through the payments API: the pick lists, the periods with their
status and CURRENT flag, a payment with its lines, confirm, dispute (a line, the whole payment), the
home summary; and every bad input refused precisely with nothing changed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from payments.handlers.access import today as uk_today
from tests.payments.integration.scheduled import (
    CONFIRMED,
    DISPUTED,
    REQUEST,
    finance,
    payee_with_payment,
    published,
    requests_of,
    rows_of,
)
from tests.payments.support import API, payments_api, payments_conn, seed_payment

SP = f"{API}/scheduled-payments"


@pytest.fixture(scope="module")
async def api(env):
    async with payments_api(env) as client:
        yield client


async def test_periods_newest_first_with_status_and_the_current_one(api, env):
    payee, older = await payee_with_payment(env, period_start=date(2019, 9, 23), status="finalised")
    async with payments_conn(env) as conn:
        current = await seed_payment(conn, payee, period_start=date(2019, 9, 30), amounts=[Decimal("353.08")])
        later = await seed_payment(conn, payee, period_start=date(2019, 10, 7), amounts=[Decimal("10.00")])
        last_year = await seed_payment(
            conn, payee, period_start=date(2019, 3, 25), amounts=[Decimal("1.00")], status="finalised"
        )
    auth = finance(env, payee)

    options = (await api.get(f"{SP}/options", headers=auth)).json()
    assert {"2019/2020", "2018/2019"} <= set(options["financial_years"])
    assert options["financial_years"] == sorted(options["financial_years"], reverse=True)
    assert options["contracts"] == [{"contract_id": str(payee.contract_id), "name": payee.contract_name}]

    answer = await api.get(SP, params={"financial_year": "2019/2020"}, headers=auth)
    assert answer.status_code == 200, answer.text
    rows = [(r["payment_id"], r["status"], r["total"], r["current"]) for r in answer.json()]
    assert rows == [
        (str(later.payment_id), "unconfirmed", "10.00", False),
        (str(current.payment_id), "unconfirmed", "353.08", True),
        (str(older.payment_id), "finalised", "656.11", False),
    ]
    assert (
        answer.json()[1]["period_end"] == "2019-10-06"
        and answer.json()[1]["contract_name"] == payee.contract_name
    )
    currents = [
        (await api.get(f"{SP}/{p.payment_id}", headers=auth)).json()["current"]
        for p in (later, current, older)
    ]
    assert currents == [False, True, False]
    earlier = (await api.get(SP, params={"financial_year": "2018/2019"}, headers=auth)).json()
    assert [r["payment_id"] for r in earlier] == [str(last_year.payment_id)]
    other_contract = await api.get(
        SP, params={"financial_year": "2019/2020", "contract_id": str(uuid.uuid4())}, headers=auth
    )
    assert other_contract.json() == []


async def test_a_payment_opens_with_its_header_and_lines(api, env):
    payee, paid = await payee_with_payment(env, vat_rate=Decimal("0.2"))
    answer = await api.get(f"{SP}/{paid.payment_id}", headers=finance(env, payee))
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert (got["status"], got["excl_vat"], got["vat"], got["total"], got["payable_total"]) == (
        "unconfirmed",
        "656.11",
        "131.23",
        "787.34",
        "787.34",
    )
    assert (got["period_start"], got["period_end"], got["pay_date"]) == (
        "2019-09-30",
        "2019-10-06",
        "2019-10-15",
    )
    assert (got["version"], got["can_confirm"], got["can_dispute"], got["current"]) == (1, True, True, True)
    assert [(line["client_name"], line["excl_vat"], line["vat"], line["total"]) for line in got["lines"]] == [
        (payee.client_names[0], "353.08", "70.62", "423.70"),
        (payee.client_names[1], "303.03", "60.61", "363.64"),
    ]
    read_only = (await api.get(f"{SP}/{paid.payment_id}", headers=finance(env, payee, can_edit=False))).json()
    assert (read_only["can_confirm"], read_only["can_dispute"]) == (False, False)


async def test_confirm_publishes_the_payments_full_state(api, env):
    payee, paid = await payee_with_payment(env)
    answer = await api.post(
        f"{SP}/{paid.payment_id}/confirm", json={"version": 1}, headers=finance(env, payee)
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["version"], answer.json()["can_confirm"]) == (
        "confirmed",
        2,
        False,
    )
    head, _ = await rows_of(env, paid.payment_id)
    assert (head["status"], head["version"]) == ("confirmed", 2) and head["confirmed_by"]
    [event] = await published(env, CONFIRMED, paid.payment_id)
    assert (event["status"], event["total"], event["revision"]) == ("confirmed", "656.11", 2)
    assert {line["line_id"] for line in event["lines"]} == {str(i) for i in paid.line_ids}
    assert event["authority_id"] == str(payee.authority_id)


async def test_disputing_a_line_leaves_the_others_payable(api, env):
    payee, paid = await payee_with_payment(env)
    auth = finance(env, payee)
    bart, lisa = paid.line_ids
    answer = await api.post(
        f"{SP}/{paid.payment_id}/dispute",
        json={"version": 1, "reason": "Bart left on 3 October", "line_ids": [str(bart)]},
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert (got["status"], got["version"], got["payable_total"], got["total"]) == (
        "disputed",
        2,
        "303.03",
        "656.11",
    )
    assert (got["can_confirm"], got["can_dispute"]) == (False, True)
    status = {line["line_id"]: (line["status"], line["dispute_reason"]) for line in got["lines"]}
    assert status == {str(bart): ("disputed", "Bart left on 3 October"), str(lisa): ("payable", None)}
    [request] = await requests_of(env, payee.organisation_id)
    assert request["status"] == "pending"
    [event] = await published(env, DISPUTED, paid.payment_id)
    assert event["disputed_line_ids"] == [str(bart)] and event["whole_payment"] is False
    assert event["reason"] == "Bart left on 3 October" and event["request_id"] == str(request["request_id"])
    assert [e["status"] for e in await published(env, REQUEST, request["request_id"])] == ["pending"]

    # the rest of the payment, later: every line still payable (Lisa's)
    whole = await api.post(
        f"{SP}/{paid.payment_id}/dispute",
        json={"version": 2, "reason": "Lisa too", "line_ids": []},
        headers=auth,
    )
    assert whole.status_code == 200, whole.text
    assert whole.json()["payable_total"] == "0.00" and whole.json()["can_dispute"] is False
    assert (await published(env, DISPUTED, paid.payment_id))[1]["disputed_line_ids"] == [str(lisa)]


async def test_the_summary_names_the_next_payment_and_counts_the_unconfirmed(api, env):
    payee, paid = await payee_with_payment(env, period_start=date(2019, 9, 30))
    async with payments_conn(env) as conn:
        await seed_payment(
            conn, payee, period_start=date(2019, 10, 7), amounts=[Decimal("5.00")], status="confirmed"
        )
        await seed_payment(
            conn, payee, period_start=date(2019, 9, 23), amounts=[Decimal("9.00")], status="finalised"
        )
    answer = await api.get(f"{SP}/summary", headers=finance(env, payee))
    assert answer.json() == {"next_payment": {"pay_date": "2019-10-15", "total": "656.11"}, "unconfirmed": 1}
    # A disputed line is not paid: the next payment is what is still payable, as its page says.
    disputed = await api.post(
        f"{SP}/{paid.payment_id}/dispute",
        json={"version": 1, "reason": "Bart left on 3 October", "line_ids": [str(paid.line_ids[0])]},
        headers=finance(env, payee),
    )
    assert disputed.status_code == 200 and disputed.json()["payable_total"] == "303.03"
    answer = await api.get(f"{SP}/summary", headers=finance(env, payee))
    assert answer.json() == {"next_payment": {"pay_date": "2019-10-15", "total": "303.03"}, "unconfirmed": 0}
    nobody, _ = await payee_with_payment(env, status="finalised")
    assert (await api.get(f"{SP}/summary", headers=finance(env, nobody))).json() == {
        "next_payment": None,
        "unconfirmed": 0,
    }


async def test_the_next_payment_includes_a_finalised_one_not_paid_yet_and_skips_one_paying_nothing(api, env):
    """A finalised payment is paid on its pay date: until then (today included) it is the next payment
    when its pay date is the earliest; once its pay date has passed it is paid and not next. A payment
    of which nothing is payable (wholly disputed) pays nothing: the next payment is the one after it."""
    today = uk_today()  # a weekly period's pay date is its start + 15 days (tests/payments/support.py)
    payee, paid = await payee_with_payment(env, period_start=today - timedelta(days=30), status="finalised")
    async with payments_conn(env) as conn:
        due_today = await seed_payment(
            conn,
            payee,
            period_start=today - timedelta(days=15),
            amounts=[Decimal("7.00")],
            status="finalised",
        )
        later = await seed_payment(
            conn, payee, period_start=today + timedelta(days=7), amounts=[Decimal("5.00")]
        )
    answer = await api.get(f"{SP}/summary", headers=finance(env, payee))
    assert answer.json() == {
        "next_payment": {"pay_date": today.isoformat(), "total": "7.00"},
        "unconfirmed": 1,
    }
    assert due_today.payment_id != paid.payment_id
    other, first = await payee_with_payment(env, period_start=today + timedelta(days=7))
    async with payments_conn(env) as conn:
        await seed_payment(conn, other, period_start=today + timedelta(days=14), amounts=[Decimal("5.00")])
    whole = await api.post(
        f"{SP}/{first.payment_id}/dispute",
        json={"version": 1, "reason": "Nobody was cared for", "line_ids": []},
        headers=finance(env, other),
    )
    assert whole.status_code == 200 and whole.json()["payable_total"] == "0.00"
    answer = await api.get(f"{SP}/summary", headers=finance(env, other))
    pay_date = (today + timedelta(days=14 + 15)).isoformat()
    assert answer.json() == {"next_payment": {"pay_date": pay_date, "total": "5.00"}, "unconfirmed": 1}
    assert later.payment_id


async def test_two_confirmations_at_once_one_wins_the_other_is_stale(api, env):
    import asyncio

    payee, paid = await payee_with_payment(env)
    auth = finance(env, payee)
    answers = await asyncio.gather(
        *(api.post(f"{SP}/{paid.payment_id}/confirm", json={"version": 1}, headers=auth) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["type"].endswith(":payment-confirmed") or refused["type"].endswith(":stale-version")
    assert len(await published(env, CONFIRMED, paid.payment_id)) == 1
    head, _ = await rows_of(env, paid.payment_id)
    assert (head["status"], head["version"]) == ("confirmed", 2)
