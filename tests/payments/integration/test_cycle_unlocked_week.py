"""A week the council unlocks after the run that pays it was computed, and before it is finalised: the
run pays the week as it was confirmed, but actuals leaves the week open (locking it would freeze the
provider's unconfirmed correction for good, never to be paid); once the provider confirms the correction,
the next run pays the difference as an adjustment of that week, and its finalising locks the week.

Across the services as in test_whole_cycle.py (provider A: 10 and 7.5 hours at £21.45, VAT 20%); the
correction is 8 hours instead of 7.5: 171.60 instead of 160.88, 10.72 more (VAT 2.14)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from shared import db
from tests.payments.integration.cycle_harness import (
    Council,
    confirm_week,
    make_council,
    monday_weeks_ago,
    ok,
    reference_data,
    running_workers,
    service_apis,
)
from tests.support.inprocess import eventually

WEEK = monday_weeks_ago(3)  # and the week after it: both periods' dates have passed
NEXT = WEEK + timedelta(days=7)


async def fetch(env: Any, service: str, sql: str, *args: Any) -> list[Any]:
    conn = await db.connect(env.dsn(service))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def run_computed(payments: httpx.AsyncClient, headers: dict[str, str], period_start: Any) -> str:
    """Start the run through the council API; its id once payments' worker computed it."""
    body = {"frequency": "weekly", "period_start": str(period_start)}
    run_id = ok(await payments.post("/council/v1/payments/runs", json=body, headers=headers), 202)["run"][
        "run_id"
    ]

    async def computed() -> bool:
        found = ok(await payments.get(f"/council/v1/payments/runs/{run_id}", headers=headers))
        return bool(found["run"]["status"] == "computed")

    await eventually(computed, timeout=60, interval=0.2)
    return str(run_id)


async def payments_week_revision(env: Any, week_id: str) -> tuple[bool, int] | None:
    rows = await fetch(
        env,
        "payments",
        "SELECT confirmed, revision FROM payments.confirmed_week WHERE week_id = $1",
        uuid.UUID(week_id),
    )
    return (rows[0]["confirmed"], rows[0]["revision"]) if rows else None


async def actuals_applied_the_run(env: Any, run_id: str) -> bool:
    """actuals' consumer processed the run's payments.payment_run.finalised (its inbox holds the event)."""
    bodies = await fetch(
        env,
        "payments",
        "SELECT body FROM payments.outbox WHERE routing_key = 'payments.payment_run.finalised.v1'",
    )
    [event_id] = [
        e["event_id"] for e in map(json.loads, (b["body"] for b in bodies)) if e["aggregate_id"] == run_id
    ]
    done = await fetch(env, "actuals", "SELECT 1 FROM actuals.inbox WHERE event_id = $1", uuid.UUID(event_id))
    return bool(done)


async def a_lines(env: Any, council: Council) -> list[tuple[str, str, str, bool, Any]]:
    """A's payment lines of both periods: (period, excl VAT, VAT, adjustment, service start)."""
    rows = await fetch(
        env,
        "payments",
        "SELECT pe.start_date, l.excl_vat::text, l.vat::text, l.adjustment, l.service_start"
        " FROM payments.payment_line l JOIN payments.scheduled_payment sp USING (payment_id)"
        " JOIN payments.period pe USING (period_id) WHERE l.contract_id = $1",
        council.providers["A"].contract_id,
    )
    return sorted((str(r[0]), r[1], r[2], r[3], r[4]) for r in rows)


async def test_a_week_unlocked_before_finalising_stays_open_and_its_correction_is_paid_next_run(env):
    council = await make_council(env, {"P": ("planned", False), "A": ("actuals", True)})
    a = council.providers["A"]
    auth, headers = council.provider(env, "A"), council.headers(env)
    url = f"/api/v1/actuals/services/{a.service_id}/weeks/{WEEK}"
    async with service_apis(env) as api, running_workers(env, payments_replicas=1):
        actuals, payments = api["actuals"], api["payments"]
        await reference_data(env, actuals, council, WEEK)
        week = await confirm_week(env, actuals, council, WEEK)
        week_id = week["week_id"]

        async def confirmed_in_payments() -> bool:
            return await payments_week_revision(env, week_id) == (True, week["version"])

        await eventually(confirmed_in_payments, timeout=60, interval=0.2)
        items = [{"contract_id": str(a.contract_id), "anchor_date": str(WEEK)}]

        async def scheduled() -> bool:
            answer = await payments.put("/council/v1/payments/schedules", json=items, headers=headers)
            return answer.status_code == 200

        await eventually(scheduled, timeout=60, interval=0.2)
        first = await run_computed(payments, headers, WEEK)

        # The council unlocks the week; the provider corrects A2's line (8 hours, not 7.5), not yet confirmed.
        ok(
            await actuals.post(
                f"/council/v1/actuals/weeks/{week_id}/unlock", json={"reason": "8 hours"}, headers=headers
            )
        )
        opened = ok(await actuals.get(url, headers=auth))
        [line] = [x for x in opened["lines"] if Decimal(x["actual"]) == Decimal("7.5")]
        saved = ok(
            await actuals.put(
                f"{url}/lines/{line['line_id']}",
                json={
                    "version": opened["version"],
                    "actual": "8",
                    "visits": None,
                    "comment": "Extra half hour",
                },
                headers=auth,
            )
        )
        assert Decimal(saved["line"]["actual"]) == 8

        finalised = ok(await payments.post(f"/council/v1/payments/runs/{first}/finalise", headers=headers))
        assert finalised["total"] == "450.46"  # the week as it was confirmed

        async def applied() -> bool:
            return await actuals_applied_the_run(env, first)

        await eventually(applied, timeout=30, interval=0.2)
        still = ok(await actuals.get(url, headers=auth))
        assert (still["state"], still["total"]) == ("open", "386.10")  # 214.50 + 171.60: the correction kept

        # The provider confirms the correction; the next run pays the difference, and locks the week.
        again = ok(await actuals.post(f"{url}/confirm", json={"version": still["version"]}, headers=auth))

        async def reconfirmed() -> bool:
            return await payments_week_revision(env, week_id) == (True, again["version"])

        await eventually(reconfirmed, timeout=60, interval=0.2)
        second = await run_computed(payments, headers, NEXT)
        assert await a_lines(env, council) == sorted(
            [
                (str(WEEK), "160.88", "32.18", False, WEEK),
                (str(WEEK), "214.50", "42.90", False, WEEK),
                (str(NEXT), "10.72", "2.14", True, WEEK),
            ]
        )
        ok(await payments.post(f"/council/v1/payments/runs/{second}/finalise", headers=headers))

        async def locked() -> bool:
            return bool(ok(await actuals.get(url, headers=auth))["state"] == "locked")

        await eventually(locked, timeout=30, interval=0.2)
