"""The Scheduled Payments page of a provider with 500 clients: `make bench-scheduled-payments-page`.

In one run, on an isolated database and vhost (tests/support/environment, removed at the end), with
identity's and payments' APIs and the gateway as real processes (tests/support/stack, no workers): a
provider of a portal council with one weekly contract of 500 clients and the last PAYMENTS weeks'
scheduled payments as a payment run leaves them (tests.payments.support: 500 lines each), and a
logged-in Finance user. Then, interleaved in rounds so that the machine's noise falls on all alike,
sequential GETs (one at a time, as people open pages) of:
- floor: the payments API alone, the current payment with its 500 lines, with the internal token the
         gateway would forward (what the page cannot be faster than);
- ours:  the payment's page through the gateway with the browser's session cookie (the session
         exchanged, who-am-I, the payment read from payments, the page rendered);
- naive: the year's list, then every payment of it read in full to show each period's lines under it
         (what a page listing the periods with their lines inline would read: PAYMENTS x 500 lines).
Goal: ours p95 under 150 ms.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx

from bench.common import interleaved, latency_table, machine, p95_goal, page_bench_main
from shared.auth import Role
from tests.payments.support import build_payee, financial_year, payments_conn, seed_payment
from tests.support.environment import RunEnvironment, new_run_id
from tests.support.identity import Journey, ensure_portal_authorities, portal_tenant
from tests.support.portal_login import new_user
from tests.support.stack import Stack

CLIENTS = 500
PAYMENTS = 8
GOAL_P95_MS = 150.0
SCENARIOS = ("floor", "ours", "naive")


def monday(weeks_ago: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 7 * weeks_ago)


async def run(args: argparse.Namespace) -> str:
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    stack = Stack(
        env=env,
        log_dir=Path(tempfile.mkdtemp(prefix="bench-scheduled-payments-page-")),
        apis=("identity", "payments"),
        workers=False,
        settings={
            "GATEWAY_LOG_LEVEL": "WARNING",
            "PAYMENTS_LOG_LEVEL": "WARNING",
            "IDENTITY_LOG_LEVEL": "WARNING",
        },
    )
    try:
        about = await machine()
        await stack.start()
        await ensure_portal_authorities(env)
        tenant = await portal_tenant(env, "durham-childrens")
        organisation_id = tenant.organisations["A"]
        costs = [Decimal("353.08") + Decimal(n % 97) for n in range(CLIENTS)]
        async with payments_conn(env) as conn:
            payee = await build_payee(
                conn, authority_id=tenant.authority_id, organisation_id=organisation_id, costs=costs, label=""
            )
            seeded = []
            for weeks in range(PAYMENTS, 0, -1):  # the oldest finalised, the last two unconfirmed
                status = "finalised" if weeks > 2 else "unconfirmed"
                seeded.append(
                    await seed_payment(conn, payee, period_start=monday(weeks), amounts=costs, status=status)
                )
        current = seeded[-2]
        user = await new_user(stack, tenant=tenant, role="finance")
        token = env.token(
            authority_id=tenant.authority_id,
            organisation_id=organisation_id,
            role=Role.finance,
            can_edit=True,
        )
        auth = {"authorization": f"Bearer {token}"}
        api_path = f"/api/v1/payments/scheduled-payments/{current.payment_id}"
        page_path = f"/{tenant.slug}/scheduled-payments/{current.payment_id}"
        year = financial_year(date.today())
        async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=30) as identity:
            session_id = await Journey(identity, env).login(tenant, user.email)
        async with (
            httpx.AsyncClient(base_url=stack.service_url("payments"), timeout=60, headers=auth) as api,
            httpx.AsyncClient(
                base_url=stack.url, timeout=60, cookies={"portal_session": session_id}
            ) as gateway,
        ):

            async def floor() -> int:
                answer = await api.get(api_path)
                assert answer.status_code == 200 and len(answer.json()["lines"]) == CLIENTS, answer.text[:300]
                return len(answer.content)

            async def ours() -> int:
                answer = await gateway.get(page_path)
                assert answer.status_code == 200 and 'id="lines"' in answer.text, answer.text[:500]
                return len(answer.content)

            async def naive() -> int:
                listed = await api.get("/api/v1/payments/scheduled-payments", params={"financial_year": year})
                assert listed.status_code == 200, listed.text
                size = len(listed.content)
                for row in listed.json():
                    answer = await api.get(f"/api/v1/payments/scheduled-payments/{row['payment_id']}")
                    assert answer.status_code == 200, answer.text
                    size += len(answer.content)
                return size

            calls = {"floor": floor, "ours": ours, "naive": naive}
            chosen = {name: calls[name] for name in SCENARIOS if name in args.scenarios}
            times, sizes = await interleaved(
                chosen, rounds=args.rounds, requests=args.requests, slow={"naive"}
            )
        lines = [
            f"Scheduled Payments page, {CLIENTS:,} clients ({PAYMENTS} weekly payments of {CLIENTS} lines),"
            f" sequential GETs; {about}",
            "",
            *latency_table(times, sizes),
        ]
        lines += ["", p95_goal(times, "ours", GOAL_P95_MS, "the page's")]
        return "\n".join(lines)
    finally:
        stack.stop()
        await env.destroy()


def main(argv: list[str] | None = None) -> None:
    page_bench_main(run, __doc__.splitlines()[0], SCENARIOS, argv)


if __name__ == "__main__":
    main()
