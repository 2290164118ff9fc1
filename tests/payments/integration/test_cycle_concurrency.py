"""A payment run is safe while providers confirm at the same time: confirms through the real provider API
racing the council's finalising (two calls at once) of the same run, round after round, and racing the
worker's compute. Each confirm either wins before its payment is finalised (the payment is finalised
with its confirmation kept, in the row and in exactly one confirmed event) or is refused precisely (409
`payment-finalised`); never a 5xx, never a lost update; the run is finalised once, and its totals are the
sum of its payments."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.payments.integration.run_harness import (
    AFTER,
    WEEK_1,
    council,
    payee,
    payments_work,
    put_schedules,
    run_and_compute,
    start,
)
from tests.payments.support import Payee, bearer, payments_api, payments_conn

PAYEES = 20
ROUNDS = 4
SP = "/api/v1/payments/scheduled-payments"


def cost(n: int) -> Decimal:
    return Decimal("10.00") + Decimal("1.01") * n


async def payees_scheduled(env: Any, api: httpx.AsyncClient) -> tuple[uuid.UUID, list[Payee]]:
    authority_id = uuid.uuid4()
    payees = [await payee(env, authority_id, costs=(cost(n),)) for n in range(PAYEES)]
    items = [{"contract_id": str(who.contract_id), "anchor_date": str(WEEK_1)} for who in payees]
    answer = await put_schedules(api, council(env, authority_id), items)
    assert answer.status_code == 200, answer.text
    return authority_id, payees


def provider(env: Any, who: Payee) -> dict[str, str]:
    return bearer(env.token(authority_id=who.authority_id, organisation_id=who.organisation_id))


async def run_payments(env: Any, run_id: uuid.UUID) -> dict[uuid.UUID, dict[str, Any]]:
    """The run's payments by contract: id, status, total, who confirmed."""
    async with payments_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT contract_id, payment_id, status, total, confirmed_by FROM payments.scheduled_payment"
            " WHERE run_id = $1",
            run_id,
        )
    return {r["contract_id"]: dict(r) for r in rows}


async def published(env: Any, routing_key: str, authority_id: uuid.UUID) -> list[dict[str, Any]]:
    async with payments_conn(env) as conn:
        rows = await conn.fetch("SELECT body FROM payments.outbox WHERE routing_key = $1", routing_key)
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["authority_id"] == str(authority_id)]


async def test_confirms_racing_finalise_each_win_or_are_refused_precisely(env):
    rng = random.Random(13)
    async with payments_api(env) as api:
        authority_id, payees = await payees_scheduled(env, api)
        by_contract = {who.contract_id: who for who in payees}
        outcomes: dict[uuid.UUID, int] = {}  # payment -> the confirm's status code
        run_ids = []
        for round_ in range(ROUNDS):
            week = WEEK_1 + timedelta(days=7 * round_)
            run_id = await run_and_compute(api, env, authority_id, week)
            run_ids.append(run_id)
            payments = await run_payments(env, run_id)
            assert len(payments) == PAYEES
            order = list(payments.values())
            rng.shuffle(order)
            first, last, racing = order[0], order[-1], order[1:-1]

            async def confirm(payment: dict[str, Any], delay: float) -> httpx.Response:
                await asyncio.sleep(delay)
                who = by_contract[payment["contract_id"]]
                return await api.post(
                    f"{SP}/{payment['payment_id']}/confirm", json={"version": 1}, headers=provider(env, who)
                )

            async def finalise(run_id: uuid.UUID, delay: float) -> httpx.Response:
                await asyncio.sleep(delay)
                return await api.post(
                    f"/council/v1/payments/runs/{run_id}/finalise", headers=council(env, authority_id)
                )

            before = await confirm(first, 0)  # surely before finalising: it wins
            answers = await asyncio.gather(
                finalise(run_id, 0.0),
                finalise(run_id, rng.uniform(0, 0.05)),
                *(confirm(p, rng.uniform(0, 0.3)) for p in racing),
            )
            after = await confirm(last, 0)  # surely after: refused
            for answer in answers[:2]:
                assert answer.status_code == 200, answer.text
                assert answer.json()["status"] == "finalised"
            for payment, answer in zip([first, *racing, last], [before, *answers[2:], after], strict=True):
                assert answer.status_code in (200, 409), answer.text
                if answer.status_code == 409:
                    assert answer.json()["type"].endswith(":payment-finalised"), answer.text
                outcomes[payment["payment_id"]] = answer.status_code
            assert (before.status_code, after.status_code) == (200, 409)

            final = await run_payments(env, run_id)
            assert {p["status"] for p in final.values()} == {"finalised"}
            for contract_id, payment in final.items():
                won = outcomes[payment["payment_id"]] == 200
                assert (payment["confirmed_by"] is not None) == won, payment  # never a lost confirmation
                assert payment["total"] == cost(payees.index(by_contract[contract_id]))
            shown = await api.get(f"/council/v1/payments/runs/{run_id}", headers=council(env, authority_id))
            expected = sum((cost(n) for n in range(PAYEES)), Decimal("0.00"))
            assert (shown.json()["run"]["status"], shown.json()["run"]["total"]) == (
                "finalised",
                str(expected),
            )

    confirmed = await published(env, "payments.scheduled_payment.confirmed.v1", authority_id)
    assert sorted(e["payment_id"] for e in confirmed) == sorted(
        str(payment_id) for payment_id, code in outcomes.items() if code == 200
    )
    runs = await published(env, "payments.payment_run.finalised.v1", authority_id)
    assert sorted(e["payment_run_id"] for e in runs) == sorted(str(r) for r in run_ids)  # once each
    for event in runs:
        assert Decimal(event["total"]) == sum((Decimal(p["total"]) for p in event["payments"]), Decimal("0"))
        assert len(event["payments"]) == PAYEES
    remitted = await published(env, "payments.remittance.issued.v1", authority_id)
    assert sorted(e["payment_id"] for e in remitted) == sorted(str(p) for p in outcomes)  # one per payment
    assert 0 < sum(code == 200 for code in outcomes.values()) < len(outcomes)


async def test_confirms_racing_the_workers_compute_are_kept(env):
    """The worker computes one contract a chunk while providers confirm each payment as soon as it
    appears: every confirmation stands, the run ends computed with every payment, its total their sum."""
    from payments.handlers.runs import compute_run

    async with payments_api(env) as api:
        authority_id, payees = await payees_scheduled(env, api)
        by_contract = {who.contract_id: who for who in payees}
        answer = await start(api, env, authority_id, WEEK_1)
        assert answer.status_code == 202, answer.text
        run_id = uuid.UUID(answer.json()["run"]["run_id"])
        confirmed: dict[uuid.UUID, httpx.Response] = {}

        async def providers_confirm(done: asyncio.Event) -> None:
            while True:
                finished = done.is_set()
                for payment in (await run_payments(env, run_id)).values():
                    if payment["payment_id"] not in confirmed:
                        who = by_contract[payment["contract_id"]]
                        confirmed[payment["payment_id"]] = await api.post(
                            f"{SP}/{payment['payment_id']}/confirm",
                            json={"version": 1},
                            headers=provider(env, who),
                        )
                if finished:
                    return
                await asyncio.sleep(0.01)

        async def worker(done: asyncio.Event) -> None:
            try:
                async with payments_work(env) as work:
                    assert await compute_run(work, run_id=run_id, chunk_size=1, today=AFTER)
            finally:
                done.set()

        done = asyncio.Event()
        await asyncio.gather(worker(done), providers_confirm(done))
        shown = await api.get(f"/council/v1/payments/runs/{run_id}", headers=council(env, authority_id))
    assert [(r.status_code, r.json()["status"]) for r in confirmed.values()] == [(200, "confirmed")] * PAYEES
    final = await run_payments(env, run_id)
    assert {(p["status"], p["confirmed_by"] is not None) for p in final.values()} == {("confirmed", True)}
    expected = sum((cost(n) for n in range(PAYEES)), Decimal("0.00"))
    body = shown.json()
    assert (body["run"]["status"], body["run"]["payments"], body["run"]["total"]) == (
        "computed",
        PAYEES,
        str(expected),
    )
    events = await published(env, "payments.scheduled_payment.confirmed.v1", authority_id)
    assert sorted(e["payment_id"] for e in events) == sorted(str(p) for p in final_ids(final))


def final_ids(final: dict[uuid.UUID, dict[str, Any]]) -> list[uuid.UUID]:
    return [p["payment_id"] for p in final.values()]
