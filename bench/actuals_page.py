"""The Actuals week page of a 5,000-client service (issue 11): `make bench-actuals-page`.

In one run, on an isolated database and vhost (tests/support/environment, removed at the end), with
identity's and actuals' APIs and the gateway as real processes (tests/support/stack, no workers): a
provider of a portal council with one service of 5,000 clients, each with an authorised CPLI, last week
generated (5,000 lines), and a logged-in user. Then, interleaved in rounds so that the machine's noise
falls on all alike, sequential GETs (one at a time, as people open pages) of:
- floor: the actuals API alone, the week's first page of 50 lines, with the internal token the gateway
         would forward (what the page cannot be faster than);
- ours:  the week page through the gateway with the browser's session cookie (the session exchanged,
         who-am-I, the week and the filters' choices read from actuals, the page rendered);
- naive: the whole week at once, every one of the 5,000 lines (10 API pages of 500, the most a page
         holds): what an unpaged page would have to read before rendering a single line.
Goal: ours p95 under 150 ms.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.common import interleaved, latency_table, machine, p95_goal, page_bench_main
from shared.auth import Role
from tests.actuals.support import actuals_conn, build_provider
from tests.support.environment import RunEnvironment, new_run_id
from tests.support.identity import Journey, ensure_portal_authorities, portal_tenant
from tests.support.portal_login import new_user
from tests.support.stack import Stack

CLIENTS = 5_000
GOAL_P95_MS = 150.0
SCENARIOS = ("floor", "ours", "naive")


def last_week() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 7)


async def run(args: argparse.Namespace) -> str:
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    stack = Stack(
        env=env,
        log_dir=Path(tempfile.mkdtemp(prefix="bench-actuals-page-")),
        apis=("identity", "actuals"),
        workers=False,
        settings={
            "GATEWAY_LOG_LEVEL": "WARNING",
            "ACTUALS_LOG_LEVEL": "WARNING",
            "IDENTITY_LOG_LEVEL": "WARNING",
        },
    )
    try:
        about = await machine()
        await stack.start()
        await ensure_portal_authorities(env)
        tenant = await portal_tenant(env, "telford-wrekin")
        organisation_id = tenant.organisations["A"]
        async with actuals_conn(env) as conn:
            package = await build_provider(
                conn,
                authority_id=tenant.authority_id,
                organisation_id=organisation_id,
                clients=CLIENTS,
                timetable_every=10,
                label="",
            )
        user = await new_user(stack, tenant=tenant, role="care")
        token = env.token(
            authority_id=tenant.authority_id, organisation_id=organisation_id, role=Role.care, can_edit=True
        )
        auth = {"authorization": f"Bearer {token}"}
        week = last_week().isoformat()
        api_path = f"/api/v1/actuals/services/{package.service_id}/weeks/{week}"
        page_path = f"/{tenant.slug}/actuals/{package.service_id}?week={week}"
        async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=30) as identity:
            session_id = await Journey(identity, env).login(tenant, user.email)
        async with (
            httpx.AsyncClient(base_url=stack.service_url("actuals"), timeout=60, headers=auth) as api,
            httpx.AsyncClient(
                base_url=stack.url, timeout=60, cookies={"portal_session": session_id}
            ) as gateway,
        ):
            generated = await api.post(api_path + "/generate")
            assert generated.status_code == 200, generated.text
            assert generated.json()["line_count"] == CLIENTS, generated.json()["line_count"]

            async def floor() -> int:
                answer = await api.get(api_path, params={"limit": 50})
                assert answer.status_code == 200, answer.text
                return len(answer.content)

            async def ours() -> int:
                answer = await gateway.get(page_path)
                assert answer.status_code == 200 and 'id="actuals"' in answer.text, answer.text[:500]
                return len(answer.content)

            async def naive() -> int:
                size = 0
                for offset in range(0, CLIENTS, 500):
                    answer = await api.get(api_path, params={"limit": 500, "offset": offset})
                    assert answer.status_code == 200, answer.text
                    size += len(answer.content)
                return size

            calls = {"floor": floor, "ours": ours, "naive": naive}
            chosen = {name: calls[name] for name in SCENARIOS if name in args.scenarios}
            times, sizes = await interleaved(
                chosen, rounds=args.rounds, requests=args.requests, slow={"naive"}
            )
        lines = [
            f"Actuals week page, {CLIENTS:,} clients (5,000 lines generated), sequential GETs; {about}",
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
