"""The run's worker side: the worker takes computing runs; a run is safe while providers confirm payments
it already wrote; finalising after a crash mid-way finishes with each event exactly once; four-weekly
periods; a withdrawn authorisation taken back."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.payments.integration.run_harness import (
    AFTER,
    WEEK_1,
    WEEK_2,
    council,
    finalise,
    outbox,
    payee,
    payment_lines,
    payments_of,
    payments_work,
    run_and_compute,
    schedule,
    start,
)
from tests.payments.support import COUNCIL_API, payments_api, payments_conn


async def test_the_worker_takes_the_computing_run_and_reports_its_progress(env):
    from payments.handlers.runs import process_next

    who = await payee(env, costs=(Decimal("70.00"),))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        answer = await start(api, env, who.authority_id, WEEK_1)
        assert answer.status_code == 202, answer.text
        assert (answer.json()["run"]["status"], answer.json()["job"]["state"]) == ("computing", "queued")
        run_id = answer.json()["run"]["run_id"]
        async with payments_work(env) as work:
            # Only this test's authority: a parallel test's run must stay as that test leaves it.
            assert await process_next(work, today=AFTER, authority_id=who.authority_id) == uuid.UUID(run_id)
            assert await process_next(work, today=AFTER, authority_id=who.authority_id) is None
        read = await api.get(f"{COUNCIL_API}/runs/{run_id}", headers=council(env, who.authority_id))
        listed = await api.get(f"{COUNCIL_API}/runs", headers=council(env, who.authority_id))
    body = read.json()
    assert (body["run"]["status"], body["run"]["payments"], body["run"]["total"]) == ("computed", 1, "70.00")
    assert (body["job"]["state"], body["job"]["done"], body["job"]["total"], body["job"]["percent"]) == (
        "succeeded",
        1,
        1,
        100,
    )
    assert [r["run_id"] for r in listed.json()] == [run_id]


async def test_a_run_leaves_alone_a_payment_a_provider_confirms_while_it_computes(env):
    from payments.handlers.runs import compute_run

    authority_id = uuid.uuid4()
    payees = [await payee(env, authority_id, costs=(Decimal("10.00"),)) for _ in range(3)]
    async with payments_api(env) as api:
        for who in payees:
            await schedule(api, env, who)
        run_id = uuid.UUID((await start(api, env, authority_id, WEEK_1)).json()["run"]["run_id"])

        async def provider_confirms(chunk: int) -> None:
            async with payments_conn(env) as conn:
                await conn.execute(
                    "UPDATE payments.scheduled_payment SET status = 'confirmed', confirmed_by = 'provider',"
                    " version = version + 1 WHERE run_id = $1 AND status = 'unconfirmed'",
                    run_id,
                )

        async with payments_work(env) as work:
            assert await compute_run(
                work, run_id=run_id, chunk_size=1, today=AFTER, after_chunk=provider_confirms
            )
            assert await compute_run(work, run_id=run_id, chunk_size=1, today=AFTER)  # again: nothing
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT status, version, total FROM payments.scheduled_payment WHERE run_id = $1", run_id
        )
    assert (
        sorted((r["status"], r["version"], r["total"]) for r in rows)
        == [("confirmed", 2, Decimal("10.00"))] * 3
    )


async def test_finalising_after_a_crash_mid_way_finishes_with_each_event_once(env, monkeypatch):
    from payments.handlers import finalise as finalising

    authority_id = uuid.uuid4()
    payees = [await payee(env, authority_id, costs=(Decimal("25.00"),)) for _ in range(3)]
    async with payments_api(env) as api:
        for who in payees:
            await schedule(api, env, who)
        run_id = await run_and_compute(api, env, authority_id, WEEK_1)
        remit = finalising._remit
        calls = 0

        async def dies_on_the_second(*args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == 2:
                raise RuntimeError("the API process died")
            await remit(*args, **kwargs)

        monkeypatch.setattr(finalising, "_remit", dies_on_the_second)
        with pytest.raises(RuntimeError):
            from payments.handlers.finalise import finalise_run
            from shared.auth import Principal, PrincipalKind, Role, ScopeType
            from shared.uow import Actor, Caller

            principal = Principal(
                subject="council",
                kind=PrincipalKind.council_client,
                authority_id=authority_id,
                organisation_id=None,
                role=Role.council,
                can_edit=True,
                scope_type=ScopeType.authority,
                scope_id=None,
            )
            async with payments_work(env) as work:
                await finalise_run(
                    Caller(principal, Actor.of(principal, address=None, request_id=None)),
                    work,
                    run_id=run_id,
                    today=AFTER,
                )
        monkeypatch.setattr(finalising, "_remit", remit)
        statuses = sorted([p["status"] for who in payees for p in await payments_of(env, who.contract_id)])
        assert statuses == ["finalised", "unconfirmed", "unconfirmed"]  # the second one's rolled back
        answer = await finalise(api, env, authority_id, run_id)
        assert answer.status_code == 200 and answer.json()["status"] == "finalised"
    remittances = await outbox(env, "payments.remittance.issued.v1", authority_id)
    assert sorted(e["contract_id"] for e in remittances) == sorted(str(p.contract_id) for p in payees)
    assert len(await outbox(env, "payments.payment_run.finalised.v1", authority_id)) == 1


async def test_a_four_weekly_period_pays_four_weeks_of_each_cpli(env):
    who = await payee(env, costs=(Decimal("100.01"),), frequency="four_weekly")
    async with payments_api(env) as api:
        await schedule(api, env, who, anchor=date(2019, 9, 2))
        answer = await start(api, env, who.authority_id, date(2019, 9, 2), frequency="four_weekly")
        assert answer.status_code == 202, answer.text
        from payments.handlers.runs import compute_run

        async with payments_work(env) as work:
            assert await compute_run(work, run_id=uuid.UUID(answer.json()["run"]["run_id"]), today=AFTER)
    [line] = await payment_lines(env, who.contract_id)
    assert (line["total"], line["service_start"], line["service_end"]) == (
        Decimal("400.04"),
        date(2019, 9, 2),
        date(2019, 9, 29),
    )


async def test_a_withdrawn_authorisation_is_taken_back_next_run(env):
    who = await payee(env, costs=(Decimal("50.00"), Decimal("20.00")))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        async with payments_conn(env) as conn:
            await conn.execute(
                "UPDATE payments.cpli SET authorised = false, updated_at = now() WHERE cpli_id = $1",
                who.cpli_ids[0],
            )
        await run_and_compute(api, env, who.authority_id, WEEK_2)
    lines = [line for line in await payment_lines(env, who.contract_id) if line["period"] == WEEK_2]
    assert sorted((line["total"], line["adjustment"], line["client_id"]) for line in lines) == sorted(
        [(Decimal("-50.00"), True, who.client_ids[0]), (Decimal("20.00"), False, who.client_ids[1])]
    )
    [_, second] = await payments_of(env, who.contract_id)
    assert second["total"] == Decimal("-30.00")
    assert second["period"] == WEEK_1 + timedelta(days=7)


async def test_an_adjustments_vat_is_the_vat_owed_less_the_vat_paid(env):
    """A back-dated cost cut of 662.24 to 400.12 at 20% VAT: 132.45 was paid, 80.02 is owed, so the
    adjustment's VAT is -52.43, not 20% of -262.12 (-52.42), which left the period's VAT a penny out."""
    who = await payee(env, costs=(Decimal("662.24"),))
    async with payments_api(env) as api:
        await schedule(api, env, who, vat_rate="0.2000")
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        async with payments_conn(env) as conn:
            await conn.execute(
                "UPDATE payments.cpli SET cost = 400.12, updated_at = now() WHERE cpli_id = $1",
                who.cpli_ids[0],
            )
        await run_and_compute(api, env, who.authority_id, WEEK_2)
    week_1 = [
        (line["excl_vat"], line["vat"])
        for line in await payment_lines(env, who.contract_id)
        if line["service_start"] == WEEK_1
    ]
    assert week_1 == [(Decimal("662.24"), Decimal("132.45")), (Decimal("-262.12"), Decimal("-52.43"))]
    assert sum(vat for _, vat in week_1) == Decimal("80.02")  # 20% of 400.12, to the penny


async def test_finalising_a_run_whose_period_no_schedule_has_any_more_is_refused(env):
    """The schedules changed after the run was computed, so no schedule of its frequency has its period:
    a 409 naming the period (it was a 500, comparing no finalisation date with today)."""
    who = await payee(env)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        run_id = await run_and_compute(api, env, who.authority_id, WEEK_1)
        async with payments_conn(env) as conn:
            await conn.execute(
                "UPDATE payments.schedule SET frequency = 'four_weekly' WHERE contract_id = $1",
                who.contract_id,
            )
        answer = await finalise(api, env, who.authority_id, run_id)
    assert answer.status_code == 409 and answer.json()["type"].endswith(":run-period-gone"), answer.text
    assert "starting 30/09/2019" in answer.json()["detail"]
    assert await outbox(env, "payments.payment_run.finalised.v1", who.authority_id) == []


async def test_finalising_a_run_still_computing_is_refused_and_changes_nothing(env):
    who = await payee(env)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        run_id = (await start(api, env, who.authority_id, WEEK_1)).json()["run"]["run_id"]
        answer = await finalise(api, env, who.authority_id, uuid.UUID(run_id))
        read = await api.get(f"{COUNCIL_API}/runs/{run_id}", headers=council(env, who.authority_id))
    assert answer.status_code == 409 and answer.json()["type"].endswith(":run-not-computed")
    assert (read.json()["run"]["status"], read.json()["run"]["payments"]) == ("computing", 0)
    assert await outbox(env, "payments.payment_run.finalised.v1", who.authority_id) == []


async def test_a_cpli_costed_other_than_weekly_is_left_out_of_planned_payments(env):
    who = await payee(env, costs=(Decimal("100.00"), Decimal("400.00")))
    async with payments_conn(env) as conn:
        await conn.execute(
            "UPDATE payments.cpli SET frequency = 'Monthly' WHERE cpli_id = $1", who.cpli_ids[1]
        )
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await run_and_compute(api, env, who.authority_id, WEEK_1)
    lines = await payment_lines(env, who.contract_id)
    assert [(line["client_id"], line["total"]) for line in lines] == [(who.client_ids[0], Decimal("100.00"))]


async def test_a_worker_told_not_to_compute_runs_leaves_them_and_one_that_does_computes_them(env):
    import asyncio

    from payments.main import DEFINITION as PAYMENTS
    from payments.run_worker import run_payment_runs
    from shared.service import close_runtime, open_runtime

    who = await payee(env, costs=(Decimal("70.00"),))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        run_id = (await start(api, env, who.authority_id, WEEK_1)).json()["run"]["run_id"]

        async def status() -> str:
            read = await api.get(f"{COUNCIL_API}/runs/{run_id}", headers=council(env, who.authority_id))
            return str(read.json()["run"]["status"])

        stop = asyncio.Event()
        idle = await open_runtime(PAYMENTS, env.settings(PAYMENTS, compute_runs=False))
        try:
            await asyncio.wait_for(run_payment_runs(idle, stop), timeout=5)  # returns at once
        finally:
            await close_runtime(idle)
        assert await status() == "computing"

        busy = await open_runtime(PAYMENTS, env.settings(PAYMENTS, run_poll_seconds=0.1))
        loop = asyncio.create_task(run_payment_runs(busy, stop))
        try:
            for _ in range(200):
                if await status() == "computed":
                    break
                await asyncio.sleep(0.1)
        finally:
            stop.set()
            await asyncio.wait_for(loop, timeout=10)
            await close_runtime(busy)
        assert await status() == "computed"


async def test_a_run_that_fails_is_put_off_and_the_runs_behind_it_are_computed(env, monkeypatch):
    """One run that cannot be computed must not hold up the runs started after it (of any council; here
    the same council's four-weekly run, as one run of a frequency is open at a time): it is put off, for
    5 s at first and twice as long at each failure, and computed once it is due and works."""
    from payments.handlers import runs
    from payments.store import compute

    who = await payee(env, costs=(Decimal("70.00"),))
    four_weekly = await payee(env, who.authority_id, costs=(Decimal("70.00"),), frequency="four_weekly")
    real_chunk = compute.compute_chunk

    async def failing_for_week_1(conn, **chunk):
        if chunk["authority_id"] == who.authority_id and chunk["frequency"] == "weekly":
            raise RuntimeError("a run that cannot be computed")
        return await real_chunk(conn, **chunk)

    monkeypatch.setattr(compute, "compute_chunk", failing_for_week_1)
    async with payments_api(env) as api:
        await schedule(api, env, who)
        await schedule(api, env, four_weekly)
        first = uuid.UUID((await start(api, env, who.authority_id, WEEK_1)).json()["run"]["run_id"])
        started = await start(api, env, who.authority_id, WEEK_1, frequency="four_weekly")
        second = uuid.UUID(started.json()["run"]["run_id"])
        async with payments_work(env) as work:
            with pytest.raises(RuntimeError, match="cannot be computed"):
                await runs.process_next(work, today=AFTER, authority_id=who.authority_id)
            # The older run is put off: the next one is taken, then nothing is due.
            assert await runs.process_next(work, today=AFTER, authority_id=who.authority_id) == second
            assert await runs.process_next(work, today=AFTER, authority_id=who.authority_id) is None
            attempts, wait = await retry_of(env, first)
            assert attempts == 1 and 3 < wait <= 5
            # The council sees it: how often it failed, and when it is tried again.
            read = await api.get(f"{COUNCIL_API}/runs/{first}", headers=council(env, who.authority_id))
            failed = read.json()["run"]
            assert (failed["status"], failed["failed_attempts"]) == ("computing", 1)
            assert failed["retry_after"] is not None
            async with payments_conn(env) as conn:  # due now: a second failure waits twice as long
                await conn.execute(
                    "UPDATE payments.payment_run SET retry_after = now() WHERE run_id = $1", first
                )
            with pytest.raises(RuntimeError):
                await runs.process_next(work, today=AFTER, authority_id=who.authority_id)
            attempts, wait = await retry_of(env, first)
            assert attempts == 2 and 8 < wait <= 10
            async with payments_conn(env) as conn:
                await conn.execute(
                    "UPDATE payments.payment_run SET retry_after = now() WHERE run_id = $1", first
                )
            monkeypatch.setattr(compute, "compute_chunk", real_chunk)  # fixed: due, it is computed
            assert await runs.process_next(work, today=AFTER, authority_id=who.authority_id) == first
        shown = {}
        for run_id, total in ((first, "70.00"), (second, "280.00")):
            read = await api.get(f"{COUNCIL_API}/runs/{run_id}", headers=council(env, who.authority_id))
            shown[run_id] = read.json()["run"]
            assert (shown[run_id]["status"], shown[run_id]["total"]) == ("computed", total)
        assert (shown[first]["failed_attempts"], shown[first]["retry_after"]) == (2, None)
        assert (shown[second]["failed_attempts"], shown[second]["retry_after"]) == (0, None)


async def test_a_run_is_refused_while_another_of_its_frequency_is_not_finalised(env):
    """A run pays what finalised runs have not: with two open runs, both would pay the same late weeks and
    adjustments. So the next period waits until the open one is finalised; nothing is made meanwhile."""
    who = await payee(env, costs=(Decimal("70.00"),))
    async with payments_api(env) as api:
        await schedule(api, env, who)
        first = await run_and_compute(api, env, who.authority_id, WEEK_1)
        refused = await start(api, env, who.authority_id, WEEK_2)
        assert refused.status_code == 409 and refused.json()["type"].endswith(":run-not-finalised"), (
            refused.text
        )
        assert refused.json()["detail"] == (
            "the weekly run PR-W-2019-09-30 (period starting 30/09/2019) is not finalised:"
            " finalise it before starting another"
        )
        listed = await api.get(f"{COUNCIL_API}/runs", headers=council(env, who.authority_id))
        assert [r["run_id"] for r in listed.json()] == [str(first)]
        assert (
            await start(api, env, who.authority_id, WEEK_1)
        ).status_code == 200  # the same period: that run
        assert (await finalise(api, env, who.authority_id, first)).status_code == 200
        assert (await start(api, env, who.authority_id, WEEK_2)).status_code == 202


async def retry_of(env, run_id: uuid.UUID) -> tuple[int, float]:
    """A run's failures so far and the seconds until it is due again."""
    async with payments_conn(env) as conn:
        attempts, wait = await conn.fetchrow(
            "SELECT failed_attempts, extract(epoch FROM retry_after - now()) FROM payments.payment_run"
            " WHERE run_id = $1",
            run_id,
        )
    return attempts, float(wait)


async def test_a_run_that_keeps_failing_is_failed_then_resumed_when_started_again(env, monkeypatch):
    """At its tenth failure in a row a run is no longer retried: failed, with its job and a reason the
    council reads, and it cannot be finalised. Starting its period again resumes it under a new job."""
    from payments.handlers import runs
    from payments.store import compute

    who = await payee(env, costs=(Decimal("70.00"),))
    real_chunk = compute.compute_chunk

    async def failing(conn, **chunk):
        if chunk["authority_id"] == who.authority_id:
            raise RuntimeError("a run that cannot be computed")
        return await real_chunk(conn, **chunk)

    monkeypatch.setattr(compute, "compute_chunk", failing)
    headers = council(env, who.authority_id)
    async with payments_api(env) as api, payments_work(env) as work:
        await schedule(api, env, who)
        started = (await start(api, env, who.authority_id, WEEK_1)).json()
        run_id = uuid.UUID(started["run"]["run_id"])
        async with payments_conn(env) as conn:  # nine failures already, and due
            await conn.execute(
                "UPDATE payments.payment_run SET failed_attempts = 9 WHERE run_id = $1", run_id
            )
        with pytest.raises(RuntimeError):
            await runs.process_next(work, today=AFTER, authority_id=who.authority_id)
        assert await runs.process_next(work, today=AFTER, authority_id=who.authority_id) is None
        read = (await api.get(f"{COUNCIL_API}/runs/{run_id}", headers=headers)).json()
        assert (read["run"]["status"], read["run"]["failed_attempts"], read["run"]["retry_after"]) == (
            "failed",
            10,
            None,
        )
        assert read["job"]["state"] == "failed"
        assert read["job"]["failure_reason"].startswith("the run failed 10 times in a row")
        refused = await api.post(f"{COUNCIL_API}/runs/{run_id}/finalise", headers=headers)
        assert refused.status_code == 409 and refused.json()["type"].endswith(":run-failed"), refused.text

        monkeypatch.setattr(compute, "compute_chunk", real_chunk)  # mended
        again = await start(api, env, who.authority_id, WEEK_1)
        assert again.status_code == 202, again.text
        resumed = again.json()
        assert resumed["run"]["run_id"] == str(run_id)
        assert (resumed["run"]["status"], resumed["run"]["failed_attempts"]) == ("computing", 0)
        assert (resumed["job"]["state"], resumed["job"]["job_id"] != started["job"]["job_id"]) == (
            "queued",
            True,
        )
        assert await runs.process_next(work, today=AFTER, authority_id=who.authority_id) == run_id
        done = (await api.get(f"{COUNCIL_API}/runs/{run_id}", headers=headers)).json()
    assert (done["run"]["status"], done["run"]["total"], done["job"]["state"]) == (
        "computed",
        "70.00",
        "succeeded",
    )
