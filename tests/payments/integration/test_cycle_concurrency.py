"""A payment run is safe while providers confirm at the same time: confirms and disputes through the real
provider API racing the council's finalising (two calls at once) of the same run, round after round, and
confirms racing the worker's compute. Each confirm either wins before its payment is finalised (the
payment is finalised with its confirmation kept, in the row and in exactly one confirmed event) or is
refused precisely (409 `payment-finalised`); a dispute that wins has its line held (nothing paid, no
remittance, nor later while the dispute is pending); never a 5xx, never a lost update; the run is finalised once, and its totals are the sum of
its payments."""

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


async def test_confirms_and_disputes_racing_finalise_each_win_or_are_refused_precisely(env):
    rng = random.Random(13)
    async with payments_api(env) as api:
        authority_id, payees = await payees_scheduled(env, api)
        by_contract = {who.contract_id: who for who in payees}
        outcomes: dict[uuid.UUID, tuple[str, int]] = {}  # payment -> (confirm | dispute, status code)
        run_ids = []
        for round_ in range(ROUNDS):
            week = WEEK_1 + timedelta(days=7 * round_)
            run_id = await run_and_compute(api, env, authority_id, week)
            run_ids.append(run_id)
            payments = await run_payments(env, run_id)
            assert len(payments) == PAYEES
            order = list(payments.values())
            rng.shuffle(order)
            first, second, last, racing = order[0], order[1], order[-1], order[2:-1]

            async def act(payment: dict[str, Any], action: str, delay: float) -> tuple[str, httpx.Response]:
                """The provider confirms the payment, or disputes the whole of it (its one line)."""
                await asyncio.sleep(delay)
                who = by_contract[payment["contract_id"]]
                body = {"version": 1, **({"reason": "not delivered"} if action == "dispute" else {})}
                url = f"{SP}/{payment['payment_id']}/{action}"
                return action, await api.post(url, json=body, headers=provider(env, who))

            async def finalise(run_id: uuid.UUID, delay: float) -> httpx.Response:
                await asyncio.sleep(delay)
                return await api.post(
                    f"/council/v1/payments/runs/{run_id}/finalise", headers=council(env, authority_id)
                )

            before = [await act(first, "confirm", 0), await act(second, "dispute", 0)]  # surely win
            finalised = await asyncio.gather(finalise(run_id, 0.0), finalise(run_id, rng.uniform(0, 0.05)),
                                             *(act(p, ("confirm", "dispute")[n % 2], rng.uniform(0, 0.3))
                                               for n, p in enumerate(racing)))  # fmt: skip
            after = await act(last, "dispute", 0)  # surely after: refused
            for answer in finalised[:2]:
                assert answer.status_code == 200, answer.text
                assert answer.json()["status"] == "finalised"
            acted = [*before, *finalised[2:], after]
            for payment, (action, answer) in zip([first, second, *racing, last], acted, strict=True):
                assert answer.status_code in (200, 409), answer.text
                if answer.status_code == 409:
                    assert answer.json()["type"].endswith(":payment-finalised"), answer.text
                outcomes[payment["payment_id"]] = (action, answer.status_code)
            assert [answer.status_code for _, answer in [*before, after]] == [200, 200, 409]

            final = await run_payments(env, run_id)
            assert {p["status"] for p in final.values()} == {"finalised"}
            for contract_id, payment in final.items():
                action, code = outcomes[payment["payment_id"]]
                # Never a lost confirmation; a dispute that won holds the line: nothing paid.
                assert (payment["confirmed_by"] is not None) == ((action, code) == ("confirm", 200)), payment
                # A held line is not paid again while its dispute is pending (none is decided here).
                owed = cost(payees.index(by_contract[contract_id]))
                held = (action, code) == ("dispute", 200)
                assert payment["total"] == (Decimal("0.00") if held else owed), payment
            shown = await api.get(f"/council/v1/payments/runs/{run_id}", headers=council(env, authority_id))
            expected = sum((p["total"] for p in final.values()), Decimal("0.00"))
            assert (shown.json()["run"]["status"], shown.json()["run"]["total"]) == (
                "finalised",
                str(expected),
            )

    def won(action: str) -> list[str]:
        return sorted(str(p) for p, outcome in outcomes.items() if outcome == (action, 200))

    confirmed = await published(env, "payments.scheduled_payment.confirmed.v1", authority_id)
    assert sorted(e["payment_id"] for e in confirmed) == won("confirm")
    disputed = await published(env, "payments.scheduled_payment.disputed.v1", authority_id)
    assert sorted(e["payment_id"] for e in disputed) == won("dispute")
    runs = await published(env, "payments.payment_run.finalised.v1", authority_id)
    assert sorted(e["payment_run_id"] for e in runs) == sorted(str(r) for r in run_ids)  # once each
    for event in runs:
        assert Decimal(event["total"]) == sum((Decimal(p["total"]) for p in event["payments"]), Decimal("0"))
        assert len(event["payments"]) == PAYEES
    remitted = await published(env, "payments.remittance.issued.v1", authority_id)
    paid = sorted(str(p) for p, outcome in outcomes.items() if outcome != ("dispute", 200))
    assert sorted(e["payment_id"] for e in remitted) == paid  # one per payment with a payable line
    assert won("confirm") and won("dispute") and len(won("confirm")) + len(won("dispute")) < len(outcomes)


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
