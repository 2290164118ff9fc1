"""Payment runs: computed from planned CPLIs, confirmed weeks of actuals and accepted claim items, with
VAT per contract; idempotent, resumable after a crash, and refused while the amendment window is open."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.payments.integration.run_harness import (
    AFTER,
    DURHAM,
    WEEK_1,
    payee,
    payment_lines,
    payments_of,
    payments_work,
    run_and_compute,
    schedule,
    snapshot,
    start,
)
from tests.payments.support import add_confirmed_week, payments_api, payments_conn


async def test_the_durham_period_is_paid_on_planned_as_the_seeds_show(env):
    who = await payee(env, costs=DURHAM)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await run_and_compute(api, env, who.authority_id, WEEK_1)
    [payment] = await payments_of(env, who.contract_id)
    assert (payment["period"], payment["status"], payment["excl_vat"], payment["vat"], payment["total"]) == (
        WEEK_1,
        "unconfirmed",
        Decimal("656.11"),
        Decimal("0.00"),
        Decimal("656.11"),
    )
    lines = await payment_lines(env, who.contract_id)
    assert sorted(
        (line["client_id"], line["total"], line["adjustment"], line["po_kind"]) for line in lines
    ) == sorted(
        [
            (who.client_ids[0], Decimal("353.08"), False, "client"),
            (who.client_ids[1], Decimal("303.03"), False, "client"),
        ]
    )
    assert {line["source_key"] for line in lines} == {f"planned:{c}:{WEEK_1}" for c in who.cpli_ids}
    assert all(line["po_number"].startswith("PO-2019-") for line in lines)


async def test_vat_at_twenty_per_cent_on_a_vat_registered_contract(env):
    who = await payee(env, costs=(Decimal("100.01"),), vat_registered=True)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await run_and_compute(api, env, who.authority_id, WEEK_1)
    [payment] = await payments_of(env, who.contract_id)
    assert (payment["excl_vat"], payment["vat"], payment["total"]) == (
        Decimal("100.01"),
        Decimal("20.00"),
        Decimal("120.01"),
    )


async def test_a_part_week_is_paid_by_days_rounded_at_the_line(env):
    # The CPLI starts on Thursday 3 October: 4 of the 7 days of the week of 30 September.
    who = await payee(env, costs=(Decimal("100.00"),), cpli_start=date(2019, 10, 3))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await run_and_compute(api, env, who.authority_id, WEEK_1)
    [line] = await payment_lines(env, who.contract_id)
    assert (line["total"], line["service_start"], line["service_end"]) == (
        Decimal("57.14"),
        date(2019, 10, 3),
        date(2019, 10, 6),
    )


async def test_actuals_are_paid_from_confirmed_weeks_only(env):
    who = await payee(env, payment_basis="actuals")
    async with payments_conn(env) as conn:
        week = await add_confirmed_week(
            conn, who, week_commencing=WEEK_1, totals=[Decimal("120.50"), Decimal("80.25")]
        )
        unconfirmed = await add_confirmed_week(
            conn, who, week_commencing=WEEK_1 - timedelta(days=7), totals=[Decimal("9.99")]
        )
        await conn.execute(
            "UPDATE payments.confirmed_week SET confirmed = false WHERE week_id = $1", unconfirmed
        )
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await run_and_compute(api, env, who.authority_id, WEEK_1)
    lines = await payment_lines(env, who.contract_id)
    assert sorted((line["total"], line["week_id"], line["source"], line["adjustment"]) for line in lines) == [
        (Decimal("80.25"), week, "actuals", False),
        (Decimal("120.50"), week, "actuals", False),
    ]
    [payment] = await payments_of(env, who.contract_id)
    assert payment["total"] == Decimal("200.75")


async def test_an_accepted_claim_item_is_paid_on_the_one_off_claims_order(env):
    who = await payee(env, costs=(Decimal("10.00"),))
    async with payments_conn(env) as conn:
        await conn.execute(
            """
            INSERT INTO payments.accepted_item
                   (item_id, claim_id, authority_id, organisation_id, client_id, client_reference,
                    service_level_id, service_level_reference, cost_code, financial_year, claim_date, amount,
                    decided_at, revision)
            VALUES ($1, $2, $3, $4, $5, 'C1', $6, 'IHF-MILEAGE', 'CC-1', '2019/2020', $7, 38.70, now(), 1)
            """,
            uuid.uuid4(),
            uuid.uuid4(),
            who.authority_id,
            who.organisation_id,
            who.client_ids[0],
            uuid.uuid4(),
            date(2019, 10, 2),
        )
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await run_and_compute(api, env, who.authority_id, WEEK_1)
    lines = await payment_lines(env, who.contract_id)
    claim = [line for line in lines if line["source"] == "claim"]
    assert [(line["total"], line["po_kind"], line["adjustment"]) for line in claim] == [
        (Decimal("38.70"), "one_off_claims", False)
    ]
    [payment] = await payments_of(env, who.contract_id)
    assert payment["total"] == Decimal("48.70")


async def test_running_a_period_again_changes_nothing(env):
    who = await payee(env, costs=DURHAM)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        run_id = await run_and_compute(api, env, who.authority_id, WEEK_1)
        before = await snapshot(env, who.authority_id)
        again = await start(api, env, who.authority_id, WEEK_1)
        assert again.status_code == 200, again.text
        assert again.json()["run"]["run_id"] == str(run_id)
        assert again.json()["run"]["total"] == "656.11"
        assert again.json()["job"]["state"] == "succeeded"
        from payments.handlers.runs import compute_run

        async with payments_work(env) as work:
            await compute_run(work, run_id=run_id, today=AFTER)
    assert await snapshot(env, who.authority_id) == before


async def test_a_crash_mid_run_is_finished_by_the_next_worker_with_the_same_totals(env):
    authority_id = uuid.uuid4()
    payees = [await payee(env, authority_id, costs=(Decimal(f"{n + 1}0.00"),)) for n in range(5)]
    async with payments_api(env) as api:
        for who in payees:
            await schedule(api, env, who)
        answer = await start(api, env, authority_id, WEEK_1)
        assert answer.status_code == 202, answer.text
        run_id = uuid.UUID(answer.json()["run"]["run_id"])

        from payments.handlers.runs import compute_run

        async def crash(chunk: int) -> None:
            if chunk == 2:
                raise RuntimeError("the worker died")

        async with payments_work(env) as work:
            with pytest.raises(RuntimeError):
                await compute_run(work, run_id=run_id, chunk_size=2, today=AFTER, after_chunk=crash)
            async with payments_conn(env) as conn:
                half = await conn.fetchval(
                    "SELECT count(*) FROM payments.scheduled_payment WHERE run_id = $1", run_id
                )
            assert half == 4  # two whole chunks of two contracts
            assert await compute_run(work, run_id=run_id, chunk_size=2, today=AFTER)
        answer = await api.get(
            f"/council/v1/payments/runs/{run_id}",
            headers={"authorization": f"Bearer {env.council_token(authority_id)}"},
        )
    body = answer.json()
    assert (body["run"]["status"], body["run"]["payments"], body["run"]["total"]) == ("computed", 5, "150.00")
    assert (body["job"]["state"], body["job"]["done"]) == ("succeeded", 5)
    async with payments_conn(env) as conn:
        lines = await conn.fetchval(
            "SELECT count(*) FROM payments.payment_line l JOIN payments.scheduled_payment sp USING (payment_id)"
            " WHERE sp.run_id = $1",
            run_id,
        )
    assert lines == 5


async def test_a_run_while_the_amendment_window_is_open_is_refused_and_changes_nothing(env):
    who = await payee(env)
    monday = date.today() - timedelta(days=date.today().weekday())
    async with payments_api(env) as api:
        await schedule(api, env, who, anchor=monday - timedelta(days=7))
        before = await snapshot(env, who.authority_id)
        answer = await start(api, env, who.authority_id, monday)
        assert answer.status_code == 422
        problem = answer.json()
        assert problem["type"].endswith(":amendment-window-open")
        assert str(monday + timedelta(days=6 + 2)) in problem["detail"]
        # No period starts that day; a bad frequency.
        none = await start(api, env, who.authority_id, monday + timedelta(days=1))
        assert none.status_code == 422 and none.json()["type"].endswith(":no-such-period")
        bad = await start(api, env, who.authority_id, monday, frequency="monthly")
        assert bad.status_code == 422 and "frequency" in bad.text
    assert await snapshot(env, who.authority_id) == before


async def test_a_worker_dying_inside_a_chunk_leaves_nothing_of_it_and_the_rerun_finishes(env, monkeypatch):
    from payments.handlers import runs as handlers
    from payments.handlers.runs import compute_run

    authority_id = uuid.uuid4()
    payees = [await payee(env, authority_id, costs=(Decimal("12.34"),)) for _ in range(3)]
    async with payments_api(env) as api:
        for who in payees:
            await schedule(api, env, who)
        run_id = uuid.UUID((await start(api, env, authority_id, WEEK_1)).json()["run"]["run_id"])
        real = handlers.compute.compute_chunk
        calls = 0

        async def dies_after_writing_the_second(conn, **kwargs):
            nonlocal calls
            calls += 1
            found = await real(conn, **kwargs)
            if calls == 2:
                raise ConnectionResetError("the worker was killed")  # its transaction rolls back
            return found

        monkeypatch.setattr(handlers.compute, "compute_chunk", dies_after_writing_the_second)
        async with payments_work(env) as work:
            with pytest.raises(ConnectionResetError):
                await compute_run(work, run_id=run_id, chunk_size=2, today=AFTER)
            async with payments_conn(env) as conn:
                written = await conn.fetchval(
                    "SELECT count(*) FROM payments.scheduled_payment WHERE run_id = $1", run_id
                )
                done = await conn.fetchval(
                    "SELECT contracts_done FROM payments.payment_run WHERE run_id = $1", run_id
                )
            assert (written, done) == (2, 2)  # the first chunk only
            monkeypatch.setattr(handlers.compute, "compute_chunk", real)
            assert await compute_run(work, run_id=run_id, chunk_size=2, today=AFTER)
    async with payments_conn(env) as conn:
        totals = await conn.fetch(
            "SELECT sp.total, count(l.*) AS lines FROM payments.scheduled_payment sp"
            " JOIN payments.payment_line l USING (payment_id) WHERE sp.run_id = $1 GROUP BY sp.payment_id",
            run_id,
        )
    assert sorted((t["total"], t["lines"]) for t in totals) == [(Decimal("12.34"), 1)] * 3
