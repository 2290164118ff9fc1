"""Generate Actuals for a service with 5,000 authorised CPLIs (issue 11): `uv run python -m bench.actuals_generate`.

In one run, on an isolated database (tests/support/environment, removed at the end), one service with
5,000 authorised CPLIs (tests/actuals/support.build_provider: half timetabled with three visits a week,
a tenth care home places in weeks, the rest weekly hours), and last week generated again and again, the
week and its lines deleted before each round, the scenarios interleaved:
- floor: one `INSERT ... SELECT` making the same lines with their planned units (and visits) in SQL:
         the timetable's minutes on the CPLI's days, or the weekly units pro-rated by days, to the
         quarter; no costs, no week lock, no version, no audit, no page;
- ours:  `actuals.handlers.weeks.generate` as the API calls it: the unit of work, the week row made and
         locked, the CPLIs and timetables read grouped by plan, `domain.generate.lines_to_generate` and
         `domain.costs.line_cost` once per plan, one INSERT of all lines, the version bumped, the audit entry and the
         week's first page (50 lines and the totals) read back;
- naive: the same lines and costs, written with one INSERT per line (in one transaction).
Each round checks that the floor and ours made the same lines with the same planned units.
Then the week's page (`GET .../weeks/{week}`, 50 lines of the 5,000), sequentially, from the actuals
API over HTTP and through a gateway in front of it (both in this process): p50/p95 (goal p95 < 150 ms
through the gateway).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import asyncpg
import httpx

from actuals.domain.costs import Quantities
from actuals.domain.generate import lines_to_generate
from actuals.domain.weeks import week_commencing
from actuals.handlers import weeks as week_handlers
from actuals.handlers.week_access import Pricing, today
from actuals.handlers.weeks import planned_cpli
from actuals.main import DEFINITION as ACTUALS
from actuals.store import cplis, lines, weeks
from actuals.store.cplis import SERVICE_COLUMNS
from bench.common import add_scenario_options, machine, parse, percentile, run_main
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.store import Scope
from shared.uow import Actor, Caller, Work
from tests.actuals.support import bearer, build_provider
from tests.support.environment import RunEnvironment, new_run_id

SCENARIOS = ("floor", "ours", "naive")
GOAL = 2.0  # ours at most twice the floor

FLOOR_SQL = """
INSERT INTO actuals.actual_line (line_id, week_id, authority_id, organisation_id, contract_id, service_id,
                                 cpli_id, client_id, actual, planned, visits)
SELECT gen_random_uuid(), w.week_id, w.authority_id, w.organisation_id, w.contract_id, w.service_id,
       c.cpli_id, c.client_id, p.planned, p.planned, p.visits
  FROM actuals.actual_week w
  JOIN actuals.cpli c ON c.service_id = w.service_id
 CROSS JOIN LATERAL (
       SELECT count(*) AS slots,
              coalesce(sum(v.minutes) FILTER (WHERE w.week_commencing + v.weekday
                       BETWEEN c.start_date AND coalesce(c.end_date, 'infinity')), 0) AS minutes,
              count(*) FILTER (WHERE w.week_commencing + v.weekday
                       BETWEEN c.start_date AND coalesce(c.end_date, 'infinity')) AS visits
         FROM actuals.cpli_visit v WHERE v.cpli_id = c.cpli_id
       ) t
 CROSS JOIN LATERAL (
       SELECT CASE WHEN t.slots > 0 THEN round(t.minutes / 60.0 * 4) / 4
                   ELSE round(coalesce(c.units_per_week, 0)
                              * (least(w.week_commencing + 6, coalesce(c.end_date, w.week_commencing + 6))
                                 - greatest(w.week_commencing, c.start_date) + 1) / 7.0 * 4) / 4
              END AS planned,
              CASE WHEN t.slots > 0 THEN t.visits::integer END AS visits
       ) p
 WHERE w.week_id = $1 AND c.authorised AND c.start_date <= w.week_commencing + 6
   AND (c.end_date IS NULL OR c.end_date >= w.week_commencing)
ON CONFLICT (week_id, cpli_id) DO NOTHING
"""


class Bench:
    def __init__(
        self, env: RunEnvironment, pool: asyncpg.Pool, caller: Caller, service_id: uuid.UUID
    ) -> None:
        self.env, self.pool, self.caller, self.service_id = env, pool, caller, service_id
        self.work = Work(pool, Outbox("actuals"))
        self.week = week_commencing(today()) - timedelta(weeks=1)

    async def reset(self) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "DELETE FROM actuals.actual_week WHERE service_id = $1 AND week_commencing = $2",
                self.service_id,
                self.week,
            )
            await conn.execute("VACUUM ANALYZE actuals.actual_line")

    async def planned(self) -> dict[uuid.UUID, tuple[Decimal, int | None]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT l.cpli_id, l.planned, l.visits FROM actuals.actual_line l JOIN actuals.actual_week w"
                " USING (week_id) WHERE w.service_id = $1 AND w.week_commencing = $2",
                self.service_id,
                self.week,
            )
        return {r["cpli_id"]: (r["planned"], r["visits"]) for r in rows}

    async def floor(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            week = await weeks.ensure_week(
                conn,
                scope=Scope.of(self.caller.principal, weeks.WEEK_COLUMNS),
                service_id=self.service_id,
                week=self.week,
            )
            status = await conn.execute(FLOOR_SQL, week.week_id)
        return int(status.split()[-1])

    async def ours(self) -> int:
        view = await week_handlers.generate(
            self.caller, self.work, service_id=self.service_id, day=self.week, limit=51
        )
        return view.line_count

    async def naive(self) -> int:
        """The same rule and costs, one INSERT per line."""
        principal = self.caller.principal
        async with self.pool.acquire() as conn, conn.transaction():
            service = await cplis.get_service(
                conn, scope=Scope.of(principal, SERVICE_COLUMNS), service_id=self.service_id
            )
            assert service is not None
            week = await weeks.ensure_week(
                conn,
                scope=Scope.of(principal, weeks.WEEK_COLUMNS),
                service_id=self.service_id,
                week=self.week,
            )
            plans = await lines.plans_to_generate(
                conn, service_id=self.service_id, week_id=week.week_id, week=self.week
            )
            pricing = await Pricing.load(conn, service, {plan.service_level_id for plan in plans})
            made = 0
            for plan in plans:
                for new in lines_to_generate([planned_cpli(plan)], self.week, existing=set()):
                    cost = pricing.cost(
                        Quantities(actual=new.planned, planned=new.planned), plan.service_level_id, self.week
                    )
                    for cpli_id, client_id in zip(plan.cpli_ids, plan.client_ids, strict=True):
                        made += 1
                        await conn.execute(
                            """
                            INSERT INTO actuals.actual_line (line_id, week_id, authority_id, organisation_id,
                                   contract_id, service_id, cpli_id, client_id, actual, planned, visits, unit_rate,
                                   averaged, total, planned_total, updated_by)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15)
                            """,
                            uuid.uuid4(),
                            week.week_id,
                            week.authority_id,
                            week.organisation_id,
                            week.contract_id,
                            week.service_id,
                            cpli_id,
                            client_id,
                            new.planned,
                            new.visits,
                            cost.unit_rate,
                            cost.averaged,
                            cost.total,
                            cost.planned_total,
                            principal.subject,
                        )
            await weeks.bump(conn, week_id=week.week_id)
        return made


async def page_latency(
    client: httpx.AsyncClient, token: str, service_id: uuid.UUID, week: str, requests: int
) -> list[float]:
    """Sequential GETs of the week's first page (after 10 to warm the pool and the plans)."""
    timings = []
    path = f"/api/v1/actuals/services/{service_id}/weeks/{week}"
    for n in range(requests + 10):
        started = time.perf_counter()
        answer = await client.get(path, headers=bearer(token))
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200 and len(answer.json()["lines"]) == 50, answer.text[:200]
        if n >= 10:
            timings.append(elapsed)
    return timings


async def pages(
    env: RunEnvironment, token: str, service_id: uuid.UUID, week: str, requests: int
) -> dict[str, list[float]]:
    """The page straight from the actuals API, and through a gateway in front of it (both in this
    process, on one event loop: the gateway's, the service's and the client's work add up)."""
    from shared.service import create_api
    from tests.support.inprocess import gateway_in_front_of, serve

    timings = {}
    async with serve(create_api(ACTUALS, env.settings(ACTUALS))) as client:
        timings["service"] = await page_latency(client, token, service_id, week, requests)
    async with gateway_in_front_of(
        create_api(ACTUALS, env.settings(ACTUALS)),
        ("actuals",),
        token_jwks_json=env.jwks,
        identity_secret="bench-gateway-secret",
    ) as client:
        timings["gateway"] = await page_latency(client, token, service_id, week, requests)
    return timings


async def run(args: argparse.Namespace) -> str:
    env = RunEnvironment(run_id=new_run_id())
    about = await machine()
    await env.create()
    try:
        authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
        conn = await db.connect(env.dsn("actuals"))
        try:
            package = await build_provider(
                conn,
                authority_id=authority_id,
                organisation_id=organisation_id,
                clients=args.cplis,
                timetable_every=2,
            )
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        principal = Principal(
            subject="bench-user",
            kind=PrincipalKind.user,
            authority_id=authority_id,
            organisation_id=organisation_id,
            role=Role.care,
            can_edit=True,
            scope_type=ScopeType.organisation,
            scope_id=organisation_id,
        )
        caller = Caller(principal, Actor.of(principal, address="127.0.0.1", request_id=None))
        pool = await db.create_pool(env.dsn("actuals"))
        try:
            bench = Bench(env, pool, caller, package.service_id)
            times: dict[str, list[float]] = {name: [] for name in args.scenarios}
            reference: dict[uuid.UUID, tuple[Decimal, int | None]] | None = None
            for _ in range(args.rounds):
                for name in args.scenarios:
                    await bench.reset()
                    started = time.perf_counter()
                    made = await getattr(bench, name)()
                    times[name].append(time.perf_counter() - started)
                    assert made == args.cplis, (name, made)
                    planned = await bench.planned()
                    reference = reference or planned
                    assert planned == reference, f"{name} made other lines than the first scenario"
            await bench.reset()
            await bench.ours()
            token = env.token(
                authority_id=authority_id, organisation_id=organisation_id, role=Role.care, ttl_seconds=3600
            )
            page = await pages(env, token, package.service_id, bench.week.isoformat(), args.requests)
        finally:
            await pool.close()
    finally:
        await env.destroy()
    return report(args, about, times, page)


def report(
    args: argparse.Namespace, about: str, times: dict[str, list[float]], page: dict[str, list[float]]
) -> str:
    medians = {name: statistics.median(values) for name, values in times.items()}
    out = [
        f"Generate Actuals, {args.cplis:,} authorised CPLIs, {args.rounds} rounds (median [lowest-highest])",
        about,
        "",
        "| path | ms | lines/s |",
        "|---|---:|---:|",
    ]
    for name, values in times.items():
        out.append(
            f"| {name} | {medians[name] * 1000:,.0f} [{min(values) * 1000:,.0f}-{max(values) * 1000:,.0f}]"
            f" | {args.cplis / medians[name]:,.0f} |"
        )
    if "ours" in medians and "floor" in medians:
        ratio = medians["ours"] / medians["floor"]
        out.append(
            f"\nours / floor = {ratio:.2f} (goal <= {GOAL:.0f}: {'met' if ratio <= GOAL else 'NOT met'})"
        )
    if "ours" in medians and "naive" in medians:
        out.append(f"naive / ours = {medians['naive'] / medians['ours']:.1f}x")
    for where, values in page.items():
        out.append(
            f"the week's page (50 of {args.cplis:,} lines) via the {where}, {len(values)} sequential GETs:"
            f" p50 {percentile(values, 50) * 1000:.1f} ms, p95 {percentile(values, 95) * 1000:.1f} ms,"
            f" max {max(values) * 1000:.1f} ms"
        )
    return "\n".join(out)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.actuals_generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--cplis", type=int, default=5000, help="authorised CPLIs of the service (5000)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of every scenario, interleaved (7)")
    parser.add_argument("--requests", type=int, default=200, help="GETs of the week's page (200)")
    add_scenario_options(parser, SCENARIOS, set_help="(unused)")
    return parse(parser, argv, SCENARIOS)


def main(argv: Sequence[str] | None = None) -> None:
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
