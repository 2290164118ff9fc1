"""Finalising a run: payments finalised, a remittance per payment with payable lines, the events once each;
and what the next run owes: late-confirmed weeks, back-dated rate changes, held disputed lines, money
taken back with a credit note."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from tests.payments.integration.run_harness import (
    DURHAM,
    WEEK_1,
    WEEK_2,
    WEEK_3,
    council,
    finalise,
    outbox,
    payee,
    payment_lines,
    payments_of,
    run_and_compute,
    schedule,
    snapshot,
)
from tests.payments.integration.scheduled import finance
from tests.payments.support import API, add_confirmed_week, bearer, payments_api, payments_conn


async def dispute_second_client(env, who, reason: str) -> None:
    """The second client's line of the computed payment disputed (as a provider's dispute leaves it)."""
    async with payments_conn(env) as conn:
        await conn.execute(
            "UPDATE payments.payment_line SET status = 'disputed', dispute_reason = $3"
            " WHERE contract_id = $1 AND client_id = $2",
            who.contract_id,
            who.client_ids[1],
            reason,
        )


async def test_finalising_fixes_the_payments_issues_remittances_and_announces_the_weeks_once(env):
    who = await payee(env, payment_basis="actuals")
    async with payments_conn(env) as conn:
        week = await add_confirmed_week(
            conn, who, week_commencing=WEEK_1, totals=[Decimal("120.50"), Decimal("80.25")]
        )
    async with payments_api(env) as api:
        await schedule(api, env, who)
        run_id = await run_and_compute(api, env, who.authority_id, WEEK_1)
        answer = await finalise(api, env, who.authority_id, run_id)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["total"]) == ("finalised", "200.75")
        before = await snapshot(env, who.authority_id)
        twice = await finalise(api, env, who.authority_id, run_id)
        assert twice.status_code == 200 and twice.json()["status"] == "finalised"
    assert await snapshot(env, who.authority_id) == before
    [payment] = await payments_of(env, who.contract_id)
    assert (payment["status"], payment["total"]) == ("finalised", Decimal("200.75"))
    async with payments_conn(env) as conn:
        remittances = await conn.fetch(
            "SELECT * FROM payments.remittance WHERE contract_id = $1", who.contract_id
        )
    assert [(r["payment_id"], r["total"], r["pay_date"]) for r in remittances] == [
        (payment["payment_id"], Decimal("200.75"), date(2019, 10, 15))
    ]
    issued = await outbox(env, "payments.remittance.issued.v1", who.authority_id)
    assert [(e["payment_id"], e["total"], len(e["lines"])) for e in issued] == [
        (str(payment["payment_id"]), "200.75", 2)
    ]
    async with payments_conn(env) as conn:
        actions = await conn.fetch(
            "SELECT action, subject_id FROM payments.audit_event WHERE authority_id = $1 ORDER BY audit_id",
            who.authority_id,
        )
    assert [a["action"] for a in actions] == [
        "payment_schedules_upserted",
        "payment_run_started",
        "payment_run_finalised",
    ]
    assert actions[2]["subject_id"] == actions[1]["subject_id"]
    [run] = await outbox(env, "payments.payment_run.finalised.v1", who.authority_id)
    assert [w["week_id"] for w in run["weeks"]] == [str(week)]
    assert (run["frequency"], run["period_start"], run["total"], len(run["payments"])) == (
        "weekly",
        str(WEEK_1),
        "200.75",
        1,
    )


async def test_a_late_confirmed_week_is_paid_next_run_as_an_adjustment_tied_to_its_week(env):
    who = await payee(env, payment_basis="actuals")
    async with payments_conn(env) as conn:
        await add_confirmed_week(conn, who, week_commencing=WEEK_1, totals=[Decimal("10.00")])
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        async with payments_conn(env) as conn:
            late = await add_confirmed_week(
                conn, who, week_commencing=date(2019, 9, 23), totals=[Decimal("7.77")]
            )
            await add_confirmed_week(conn, who, week_commencing=WEEK_2, totals=[Decimal("10.00")])
        await run_and_compute(api, env, who.authority_id, WEEK_2)
    lines = [line for line in await payment_lines(env, who.contract_id) if line["period"] == WEEK_2]
    assert sorted((line["total"], line["adjustment"], line["service_start"]) for line in lines) == [
        (Decimal("7.77"), True, date(2019, 9, 23)),
        (Decimal("10.00"), False, WEEK_2),
    ]
    assert [line["week_id"] for line in lines if line["adjustment"]] == [late]


async def test_a_back_dated_rate_change_is_an_adjustment_and_a_cut_takes_back_with_a_credit_note(env):
    who = await payee(env, costs=(Decimal("100.00"),))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        async with payments_conn(env) as conn:  # back-dated to April: 100.00 -> 90.00 a week
            await conn.execute(
                "UPDATE payments.cpli SET cost = 90.00, updated_at = now() WHERE cpli_id = $1",
                who.cpli_ids[0],
            )
        second = await run_and_compute(api, env, who.authority_id, WEEK_2)
        lines = [line for line in await payment_lines(env, who.contract_id) if line["period"] == WEEK_2]
        assert sorted((line["total"], line["adjustment"], line["source_key"]) for line in lines) == [
            (Decimal("-10.00"), True, f"planned:{who.cpli_ids[0]}:{WEEK_1}"),
            (Decimal("90.00"), False, f"planned:{who.cpli_ids[0]}:{WEEK_2}"),
        ]
        assert (await finalise(api, env, who.authority_id, second)).status_code == 200
    async with payments_conn(env) as conn:
        notes = await conn.fetch("SELECT * FROM payments.invoice WHERE contract_id = $1", who.contract_id)
    payment_2 = (await payments_of(env, who.contract_id))[1]
    assert [(n["kind"], n["total"], n["credits_payment_id"], n["status"]) for n in notes] == [
        ("credit_note", Decimal("-10.00"), payment_2["payment_id"], "issued")
    ]
    [event] = await outbox(env, "payments.credit_note.issued.v1", who.authority_id)
    assert (event["total"], event["credits_payment_id"]) == ("-10.00", str(payment_2["payment_id"]))
    # each line names the service period it takes back, so a ledger posts it against that period
    assert [(x["total"], x["service_start"], x["service_end"]) for x in event["lines"]] == [
        ("-10.00", str(WEEK_1), str(WEEK_1 + timedelta(days=6)))
    ]
    async with payments_api(env) as api:  # the provider's view of it, and the backfill's, say the same
        read = await api.get(f"{API}/invoices/{notes[0]['invoice_id']}", headers=finance(env, who))
    assert [(x["service_start"], x["service_end"]) for x in read.json()["lines"]] == [
        (str(WEEK_1), str(WEEK_1 + timedelta(days=6)))
    ]


async def test_a_held_line_is_not_paid_again_until_its_source_is_corrected(env):
    """An approved dispute's line is held at finalising; the next run pays nothing for it while its CPLI
    is as it was, and pays the corrected amount once the council changes the CPLI."""
    who = await payee(env, costs=DURHAM)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        await dispute_second_client(env, who, "left")
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        [paid] = await payments_of(env, who.contract_id)
        assert paid["total"] == Decimal("353.08")
        second = await run_and_compute(api, env, who.authority_id, WEEK_2)
        lines = await payment_lines(env, who.contract_id)
        assert [
            (line["period"], line["total"], line["status"], line["adjustment"])
            for line in lines
            if line["client_id"] == who.client_ids[1]
        ] == [
            (WEEK_1, Decimal("303.03"), "held", False),
            (WEEK_2, Decimal("303.03"), "payable", False),  # this week's; the held week is not paid
        ]
        assert (await finalise(api, env, who.authority_id, second)).status_code == 200
        # The council corrects the CPLI (here its cost, from the first week): the next run pays the
        # held week at the corrected cost, and the second week's difference.
        async with payments_conn(env) as conn:
            await conn.execute(
                "UPDATE payments.cpli SET cost = 280.00, revision = revision + 1, updated_at = now()"
                " WHERE cpli_id = $1",
                who.cpli_ids[1],
            )
        await run_and_compute(api, env, who.authority_id, WEEK_3)
    adjustments = [
        (line["source_key"], line["total"])
        for line in await payment_lines(env, who.contract_id)
        if line["period"] == WEEK_3 and line["adjustment"]
    ]
    assert sorted(adjustments) == [
        (f"planned:{who.cpli_ids[1]}:{WEEK_1}", Decimal("280.00")),
        (f"planned:{who.cpli_ids[1]}:{WEEK_2}", Decimal("-23.03")),
    ]


async def test_a_week_with_a_held_line_stays_open_until_corrected_then_is_paid_and_locked(env):
    """A held line of actuals: its week is not announced for locking (the council can unlock it for the
    provider to correct), the next run pays nothing for it, and once the week is confirmed again with the
    line corrected the run pays the corrected amount and the week is locked."""
    who = await payee(env, payment_basis="actuals")
    async with payments_conn(env) as conn:
        week_1 = await add_confirmed_week(
            conn, who, week_commencing=WEEK_1, totals=[Decimal("120.50"), Decimal("80.25")]
        )
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        await dispute_second_client(env, who, "wrong hours")
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        async with payments_conn(env) as conn:
            week_2 = await add_confirmed_week(conn, who, week_commencing=WEEK_2, totals=[Decimal("120.50")])
        second = await run_and_compute(api, env, who.authority_id, WEEK_2)
        assert (await finalise(api, env, who.authority_id, second)).status_code == 200
        # The provider corrects the week (unlocked by the council) and confirms it again.
        async with payments_conn(env) as conn:
            await conn.execute(
                "UPDATE payments.confirmed_line SET total = 60.00 WHERE week_id = $1 AND client_id = $2",
                week_1,
                who.client_ids[1],
            )
            await conn.execute(
                "UPDATE payments.confirmed_week SET total = 180.50, revision = 2, confirmed_at = now()"
                " WHERE week_id = $1",
                week_1,
            )
        third = await run_and_compute(api, env, who.authority_id, WEEK_3)
        assert (await finalise(api, env, who.authority_id, third)).status_code == 200
    finalised = await outbox(env, "payments.payment_run.finalised.v1", who.authority_id)
    assert [[w["week_id"] for w in event["weeks"]] for event in finalised] == [
        [],  # the week with the held line stays open
        [str(week_2)],
        [str(week_1)],  # paid once corrected, then locked
    ]
    lines = await payment_lines(env, who.contract_id)
    assert [
        (line["period"], line["excl_vat"], line["status"])
        for line in lines
        if line["client_id"] == who.client_ids[1]
    ] == [(WEEK_1, Decimal("80.25"), "held"), (WEEK_3, Decimal("60.00"), "payable")]


async def test_a_line_held_on_a_pending_dispute_is_paid_once_the_council_rejects_it(env):
    """The provider disputes a line through its API; the run finalises with the dispute pending (held).
    The next run pays nothing for it; the council then rejects the dispute (the line was right), and the
    run after pays the amount held."""
    who = await payee(env, costs=DURHAM)
    provider = bearer(env.token(authority_id=who.authority_id, organisation_id=who.organisation_id))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        [payment] = await payments_of(env, who.contract_id)
        [line_id] = [
            str(line["line_id"])
            for line in await payment_lines(env, who.contract_id)
            if line["client_id"] == who.client_ids[1]
        ]
        disputed = await api.post(
            f"/api/v1/payments/scheduled-payments/{payment['payment_id']}/dispute",
            json={"version": 1, "reason": "not delivered", "line_ids": [line_id]},
            headers=provider,
        )
        assert disputed.status_code == 200, disputed.text
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        second = await run_and_compute(api, env, who.authority_id, WEEK_2)
        assert (await finalise(api, env, who.authority_id, second)).status_code == 200
        [request_id] = [
            line["dispute_request_id"]
            for line in await payment_lines(env, who.contract_id)
            if line["dispute_request_id"] is not None
        ]
        rejected = await api.post(
            f"/council/v1/payments/disputes/{request_id}/decision",
            json={"decision": "reject", "reason": "the visits were made"},
            headers=council(env, who.authority_id),
        )
        assert rejected.status_code == 200, rejected.text
        await run_and_compute(api, env, who.authority_id, WEEK_3)
    assert [
        (line["period"], line["total"], line["status"], line["adjustment"])
        for line in await payment_lines(env, who.contract_id)
        if line["client_id"] == who.client_ids[1]
    ] == [
        (WEEK_1, Decimal("303.03"), "held", False),
        (WEEK_2, Decimal("303.03"), "payable", False),  # the held week waits for the decision
        (WEEK_3, Decimal("303.03"), "payable", True),  # rejected: the week held is paid
        (WEEK_3, Decimal("303.03"), "payable", False),
    ]


async def test_finalising_before_the_date_or_another_authoritys_run_is_refused_and_changes_nothing(env):
    who = await payee(env)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        run_id = await run_and_compute(api, env, who.authority_id, WEEK_1)
        async with payments_conn(env) as conn:
            period_id = await conn.fetchval(
                "SELECT period_id FROM payments.period WHERE contract_id = $1 AND start_date = $2",
                who.contract_id,
                WEEK_1,
            )
        moved = await api.patch(
            f"/council/v1/payments/periods/{period_id}",
            json={
                "last_amendment_date": "2019-10-08",
                "finalisation_date": "2099-01-01",
                "pay_date": "2099-01-02",
            },
            headers=council(env, who.authority_id),
        )
        assert moved.status_code == 200, moved.text
        before = await snapshot(env, who.authority_id)
        early = await finalise(api, env, who.authority_id, run_id)
        assert early.status_code == 409 and early.json()["type"].endswith(":not-yet-finalisation-date")
        assert "2099-01-01" in early.json()["detail"]
        other = await finalise(api, env, uuid.uuid4(), run_id)
        assert other.status_code == 404
        read = await api.get(f"/council/v1/payments/runs/{run_id}", headers=council(env, uuid.uuid4()))
        assert read.status_code == 404
    assert await snapshot(env, who.authority_id) == before
    assert await outbox(env, "payments.payment_run.finalised.v1", who.authority_id) == []
