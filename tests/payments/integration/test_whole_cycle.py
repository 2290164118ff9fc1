"""The whole payment cycle across the services (issue 13's acceptance), nothing written into payments'
tables: identity's contracts, actuals' clients, service levels and CPLIs through its council API, a week
recorded and confirmed through actuals' provider API, a one-off claim submitted and accepted through
claims' APIs; every projection filled by the workers' consumers; the council's schedules and run through
payments' council API, computed by payments' worker (two replicas of it, sharing the outbox and the
runs); one provider confirms its payment and the other disputes a line; the council finalises. Then: the remittances pay exactly the payable lines, the disputed
line is held, each finance event reaches a finance system's queue exactly once, and actuals locks the week
the run paid.

Two providers of one council: P paid on planned (the seeds' Durham CPLIs, 353.08 and 303.03 a week, no
VAT) with a claim of 150 miles at £0.387 (£58.05) for its first client; A paid on actuals, VAT
registered (20%), 10 and 7.5 hours at £21.45 (214.50 and 160.875 -> 160.88)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from shared import db
from tests.payments.integration.cycle_harness import (
    Council,
    FinanceTap,
    confirm_week,
    make_council,
    monday_weeks_ago,
    ok,
    reference_data,
    running_workers,
    service_apis,
)
from tests.payments.support import financial_year
from tests.support import uploads
from tests.support.inprocess import eventually

WEEK = monday_weeks_ago(2)  # its amendment (+8 days) and finalisation (+10) dates have passed
YEAR = financial_year(WEEK)  # of the payments' periods
PAID_YEAR = financial_year(WEEK + timedelta(days=6 + 9))  # of their pay date (remittances are by pay date)
SP = "/api/v1/payments/scheduled-payments"
CONFIRMED = "payments.scheduled_payment.confirmed.v1"
DISPUTED = "payments.scheduled_payment.disputed.v1"
FINALISED = "payments.payment_run.finalised.v1"
REMITTED = "payments.remittance.issued.v1"


async def accepted_claim(env, claims: httpx.AsyncClient, council: Council, client_ref: str) -> dict[str, Any]:
    """The council's mileage level, then provider P's claim of 150 miles for its first client on a day of
    the week (submitted through claims' provider API once claims knows the client's placement), accepted."""
    level = {
        "reference": "IHF-MILEAGE", "name": "In-House Fostering Placement - Mileage", "kind": "client",
        "unit": "Miles", "unit_cost": "0.387", "cost_code": "FC-MILE",
        "effective_from": str(WEEK - timedelta(days=60)), "effective_to": None, "providers": "all",
    }  # fmt: skip
    ok(await claims.put("/council/v1/claims/service-levels", json=[level], headers=council.headers(env)))
    auth = council.provider(env, "P")
    day = WEEK + timedelta(days=2)

    async def options() -> dict[str, Any] | None:
        found = ok(await claims.get("/api/v1/claims/options", params={"claim_date": str(day)}, headers=auth))
        return found if any(c["reference"] == client_ref for c in found["clients"]) else None

    offered = await eventually(options, timeout=60, interval=0.2)
    [client] = [c for c in offered["clients"] if c["reference"] == client_ref]
    [mileage] = offered["client_levels"]
    claim = ok(await claims.post("/api/v1/claims/claims", json={"claim_date": str(day)}, headers=auth), 201)
    form = {
        "version": str(claim["version"]),
        "kind": "client",
        "description": "School run",
        "service_level_id": mileage["service_level_id"],
        "client_id": client["client_id"],
        "quantity": "150",
    }
    claim = ok(
        await claims.post(
            f"/api/v1/claims/claims/{claim['claim_id']}/items",
            data=form,
            files={"attachment": ("mileage.pdf", uploads.PDF, "application/pdf")},
            headers=auth,
        ),
        201,
    )
    path = f"/api/v1/claims/claims/{claim['claim_id']}"
    claim = ok(await claims.post(f"{path}/submit", json={"version": claim["version"]}, headers=auth))
    decided = ok(
        await claims.post(
            f"/council/v1/claims/claims/{claim['claim_id']}/decision",
            json={"decision": "accepted"},
            headers=council.staff(env),
        )
    )
    assert (decided["status"], decided["total"]) == ("accepted", "58.05")
    return dict(decided)


async def payments_knows(env, council: Council, week_id: str, claim_id: str) -> bool:
    """payments' consumers applied the CPLIs, the confirmed week and the accepted claim (read only)."""
    conn = await db.connect(env.dsn("payments"))
    try:
        cplis = await conn.fetchval(
            "SELECT count(*) FROM payments.cpli WHERE authority_id = $1", council.authority_id
        )
        weeks = await conn.fetchval(
            "SELECT count(*) FROM payments.confirmed_week WHERE week_id = $1 AND confirmed",
            uuid.UUID(week_id),
        )
        items = await conn.fetchval(
            "SELECT count(*) FROM payments.accepted_item WHERE claim_id = $1", uuid.UUID(claim_id)
        )
    finally:
        await conn.close()
    return (cplis, weeks, items) == (4, 1, 1)


async def the_payment(env, payments: httpx.AsyncClient, council: Council, label: str) -> dict[str, Any]:
    """The provider's one payment of the year, as its API shows it."""
    auth = council.provider(env, label)
    listed = ok(
        await payments.get(
            SP,
            params={"financial_year": YEAR, "contract_id": str(council.providers[label].contract_id)},
            headers=auth,
        )
    )
    [row] = listed
    return dict(ok(await payments.get(f"{SP}/{row['payment_id']}", headers=auth)))


def amounts(lines: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return sorted((line["source"], line["excl_vat"], line["vat"], line["total"]) for line in lines)


async def test_the_whole_cycle_from_care_to_remittance_with_each_finance_event_once(env):
    council = await make_council(env, {"P": ("planned", False), "A": ("actuals", True)})
    p, a = council.providers["P"], council.providers["A"]
    async with (
        FinanceTap.open(env, council.authority_id) as tap,
        service_apis(env) as api,
        running_workers(env),
    ):
        refs = await reference_data(env, api["actuals"], council, WEEK)
        week = await confirm_week(env, api["actuals"], council, WEEK)
        claim = await accepted_claim(env, api["claims"], council, refs["P1"])

        async def knows() -> bool:
            return await payments_knows(env, council, week["week_id"], claim["claim_id"])

        await eventually(knows, timeout=60, interval=0.2)

        # The council: schedules (once payments knows the contracts from identity's events), then the run.
        payments, headers = api["payments"], council.headers(env)
        items = [{"contract_id": str(who.contract_id), "anchor_date": str(WEEK)} for who in (p, a)]

        async def scheduled() -> bool:
            answer = await payments.put("/council/v1/payments/schedules", json=items, headers=headers)
            return answer.status_code == 200

        await eventually(scheduled, timeout=60, interval=0.2)
        started = ok(
            await payments.post(
                "/council/v1/payments/runs",
                json={"frequency": "weekly", "period_start": str(WEEK)},
                headers=headers,
            ),
            202,
        )
        run_id = started["run"]["run_id"]

        async def computed() -> dict[str, Any] | None:
            found = ok(await payments.get(f"/council/v1/payments/runs/{run_id}", headers=headers))
            return found if found["run"]["status"] == "computed" else None

        run = await eventually(computed, timeout=60, interval=0.2)
        assert (run["run"]["payments"], run["run"]["total"]) == (2, "1164.62")  # 714.16 + 450.46

        # The providers: P's payment of its planned week and its claim, A's of its confirmed week.
        planned = await the_payment(env, payments, council, "P")
        assert amounts(planned["lines"]) == [
            ("claim", "58.05", "0.00", "58.05"),
            ("planned", "303.03", "0.00", "303.03"),
            ("planned", "353.08", "0.00", "353.08"),
        ]
        assert (planned["status"], planned["total"]) == ("unconfirmed", "714.16")
        actual = await the_payment(env, payments, council, "A")
        assert amounts(actual["lines"]) == [
            ("actuals", "160.88", "32.18", "193.06"),
            ("actuals", "214.50", "42.90", "257.40"),
        ]
        assert (actual["excl_vat"], actual["vat"], actual["total"]) == ("375.38", "75.08", "450.46")

        confirmed = await payments.post(
            f"{SP}/{actual['payment_id']}/confirm",
            json={"version": actual["version"]},
            headers=council.provider(env, "A"),
        )
        assert ok(confirmed)["status"] == "confirmed"
        [p2] = [line for line in planned["lines"] if line["excl_vat"] == "303.03"]
        disputed = await payments.post(
            f"{SP}/{planned['payment_id']}/dispute",
            json={"version": planned["version"], "reason": "P2 was in hospital", "line_ids": [p2["line_id"]]},
            headers=council.provider(env, "P"),
        )
        assert (ok(disputed)["status"], ok(disputed)["payable_total"]) == ("disputed", "411.13")

        finalised = ok(await payments.post(f"/council/v1/payments/runs/{run_id}/finalise", headers=headers))
        assert (finalised["status"], finalised["total"]) == ("finalised", "861.59")  # 411.13 + 450.46

        # Each finance event once: none missing within the wait, none more after it.
        counts = await tap.wait_for({CONFIRMED: 1, DISPUTED: 1, FINALISED: 1, REMITTED: 2}, quiet=3)
        assert dict(counts) == {CONFIRMED: 1, DISPUTED: 1, FINALISED: 1, REMITTED: 2}
        assert len(set(tap.event_ids())) == 5

        # Actuals' consumer of the finalised run locks the week it paid.
        async def locked() -> dict[str, Any] | None:
            url = f"/api/v1/actuals/services/{a.service_id}/weeks/{WEEK}"
            shown = ok(await api["actuals"].get(url, headers=council.provider(env, "A")))
            return shown if shown["state"] == "locked" else None

        assert (await eventually(locked, timeout=30, interval=0.2))["week_id"] == week["week_id"]

        # The remittances pay exactly the payable lines, to the penny; the disputed line is held.
        for label, payment_id in (("P", planned["payment_id"]), ("A", actual["payment_id"])):
            auth = council.provider(env, label)
            after = ok(await payments.get(f"{SP}/{payment_id}", headers=auth))
            assert after["status"] == "finalised"
            payable = [line for line in after["lines"] if line["status"] == "payable"]
            listed = ok(
                await payments.get(
                    "/api/v1/payments/remittances",
                    params={
                        "financial_year": PAID_YEAR,
                        "contract_id": str(council.providers[label].contract_id),
                    },
                    headers=auth,
                )
            )
            [remittance] = listed
            document = ok(
                await payments.get(
                    f"/api/v1/payments/remittances/{remittance['remittance_id']}", headers=auth
                )
            )
            assert sorted(
                (line["line_id"], line["excl_vat"], line["vat"], line["total"]) for line in document["lines"]
            ) == sorted((line["line_id"], line["excl_vat"], line["vat"], line["total"]) for line in payable)
            assert (document["total"], document["payment_id"]) == (after["total"], payment_id)
        held = ok(await payments.get(f"{SP}/{planned['payment_id']}", headers=council.provider(env, "P")))
        assert [
            (line["line_id"], line["status"]) for line in held["lines"] if line["status"] != "payable"
        ] == [(p2["line_id"], "held")]
        assert held["total"] == "411.13"

    # What the finance system received says the same.
    [run_event] = tap.of(FINALISED)
    assert (run_event["total"], [w["week_id"] for w in run_event["weeks"]]) == ("861.59", [week["week_id"]])
    assert sorted((r["payment_id"], r["total"], len(r["lines"])) for r in tap.of(REMITTED)) == sorted(
        [(planned["payment_id"], "411.13", 2), (actual["payment_id"], "450.46", 2)]
    )
    [confirmation] = tap.of(CONFIRMED)
    assert (confirmation["payment_id"], confirmation["status"]) == (actual["payment_id"], "confirmed")
    [dispute] = tap.of(DISPUTED)
    assert (dispute["payment_id"], dispute["disputed_line_ids"]) == (planned["payment_id"], [p2["line_id"]])
