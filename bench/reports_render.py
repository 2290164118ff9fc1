"""Report rendering by the render workers: `make bench-reports` (= `uv run python -m bench.reports_render`).

In one run, on an isolated database and vhost (tests/support/environment, removed at the end): the
reports API and the reports worker (its outbox relay) as real processes (tests/support/stack), render
workers as real processes (`python -m reports render`, tests.support.reports.render_process) taking jobs
from `reports.render`. The reports read model (migration 0003) is seeded in set-based statements with a
provider's weekly contract and its remittances (bench/reports_remittance.py); every report is the
catalogue's "remittance-advice", asked for through the reports API as a provider's Finance user asks
(POST /api/v1/reports/runs with the contract, payment method and period the definition declares, the
bearer token the gateway forwards). Scenarios:
- floor:   raw reportlab building the same table (the definition's columns, the same page and type) from
           an in-memory list of LINES lines, in this process, one table as the issue defines the floor;
           and the same with a table per page's worth of lines (`floor-chunked`, for reference): pages/s;
- ours:    one remittance of LINES lines, a fresh worker: from the POST to the file downloaded (polling
           the run every 50 ms): pages per second, the worker's peak memory (VmHWM) and CPU seconds,
           and the report's rows read alone through its source (reports.store.paid) for the time split.
           Goal: at least 0.75x the floor's pages per second, peak under 300 MB;
- large:   ours at LARGE lines (peak memory under 300 MB);
- scale:   RUNS remittances of MID lines requested at once (one POST each), 1 worker, then 2, then 4:
           runs per second from the first POST to the last run done, and the CPU of the workers, of the
           API, relay and this process, of PostgreSQL and RabbitMQ and of the whole machine
           (/proc), in cores. Goal: 2 workers at least 1.8x one;
- latency: one idle worker, a 20-line remittance requested, polled (every 100 ms) and downloaded, CLICKS
           times half a second apart (after one not counted: the worker's first render after its
           start): request to file p95. Goal: p95 under 2 s.
`--quick` runs every scenario at a tiny size (under a minute, most of it starting the processes: a smoke
run; tests/devtools/test_bench_reports.py checks the seeded lines are the floor's).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx

from bench import reports_remittance as remittance
from bench.common import machine, percentile, run_main
from bench.processes import CpuMeter, peak_mb, pids_named, process_cpu
from reports.domain.catalogue import REMITTANCE_ADVICE
from shared import db
from shared.auth import Role
from tests.support.environment import RunEnvironment, new_run_id
from tests.support.report_workers import log_records
from tests.support.reports import render_process
from tests.support.stack import Stack

SCENARIOS = ("floor", "ours", "large", "scale", "latency")
GOAL_RATIO = 0.75
GOAL_PEAK_MB = 300.0
GOAL_SCALE = 1.8
GOAL_P95_S = 2.0
RUNS = "/api/v1/reports/runs"
OTHERS = ("API, relay, gateway", "PostgreSQL", "RabbitMQ")


def median_rate(rounds: list[dict[str, float]]) -> float:
    """The median pages per second of a scenario's rounds."""
    return statistics.median(g["pages"] / g["seconds"] for g in rounds)


def shown_rates(rounds: list[dict[str, float]]) -> str:
    return "rounds: " + ", ".join(f"{g['pages'] / g['seconds']:.1f}" for g in rounds)


class Bench:
    def __init__(self, env: RunEnvironment, stack: Stack, pool: asyncpg.Pool, folder: Path) -> None:
        self.env, self.stack, self.pool, self.folder = env, stack, pool, folder
        self.authority = uuid.uuid4()

    async def provider(
        self, *, remittances: int, lines: int
    ) -> tuple[remittance.Provider, httpx.AsyncClient]:
        """A provider seeded in the read model, and the reports API as its Finance user calls it."""
        provider = await remittance.seed_provider(
            self.pool, self.authority, remittances=remittances, lines=lines
        )
        token = self.env.token(
            authority_id=self.authority,
            organisation_id=provider.organisation_id,
            role=Role.finance,
            can_edit=True,
            ttl_seconds=4 * 3600,
        )
        api = httpx.AsyncClient(
            base_url=self.stack.service_url("reports"),
            headers={"authorization": f"Bearer {token}"},
            timeout=120,
        )
        return provider, api

    @asynccontextmanager
    async def workers(self, count: int) -> AsyncIterator[list[subprocess.Popen[bytes]]]:
        logs = [self.folder / f"worker-{uuid.uuid4().hex[:8]}.log" for _ in range(count)]
        processes = [render_process(self.env, log) for log in logs]
        try:
            while not all(any(r.get("event") == "consumer_started" for r in log_records(g)) for g in logs):
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError(f"a render worker stopped: see {logs}")
                await asyncio.sleep(0.1)
            yield processes
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=60)

    @staticmethod
    async def request(api: httpx.AsyncClient, provider: remittance.Provider, k: int = 0) -> str:
        """Click "Run report": the run's id."""
        answer = await api.post(
            RUNS,
            json={
                "report": remittance.REPORT,
                "format": "pdf",
                "parameters": remittance.parameters(provider, k),
            },
        )
        if answer.status_code != 202:
            raise RuntimeError(f"POST {RUNS}: {answer.status_code} {answer.text[:500]}")
        return str(answer.json()["run_id"])

    @staticmethod
    async def file(api: httpx.AsyncClient, run_id: str, *, poll: float) -> bytes:
        """The run polled until done, then its file downloaded."""
        while True:
            answer = await api.get(f"{RUNS}/{run_id}")
            status = answer.json()["status"]
            if status == "done":
                break
            if status == "failed":
                raise RuntimeError(f"run {run_id} failed: {answer.json()['error']} (see the worker's log)")
            await asyncio.sleep(poll)
        answer = await api.get(f"{RUNS}/{run_id}/file")
        if answer.status_code != 200 or answer.headers["content-type"] != "application/pdf":
            raise RuntimeError(f"the file of run {run_id}: {answer.status_code} {answer.text[:300]}")
        return answer.content

    async def read_alone(self, provider: remittance.Provider, lines: int) -> float:
        """Seconds to stream the report's rows through its source (the render's read, nothing else)."""
        from reports.domain import parameters
        from reports.store import sources

        params = parameters.parse(REMITTANCE_ADVICE, remittance.parameters(provider))
        source = sources.SOURCES[remittance.REPORT]
        async with self.pool.acquire() as conn:
            started = time.perf_counter()
            count = 0
            async for _ in source(
                conn, authority_id=self.authority, organisation_id=provider.organisation_id, params=params
            ):
                count += 1
            seconds = time.perf_counter() - started
        if count != lines:
            raise RuntimeError(f"the source yielded {count} rows, not {lines}")
        return seconds

    async def ours(self, lines: int) -> dict[str, float]:
        """One remittance of `lines` lines, a fresh worker: request to file."""
        provider, api = await self.provider(remittances=1, lines=lines)
        async with api, self.workers(1) as (worker,):
            cpu_before = process_cpu(worker.pid)
            started = time.perf_counter()
            run_id = await self.request(api, provider)
            pdf = await self.file(api, run_id, poll=0.05)
            seconds = time.perf_counter() - started
            peak = peak_mb(worker.pid)
            cpu = process_cpu(worker.pid) - cpu_before
        read = await self.read_alone(provider, lines)
        return {"seconds": seconds, "pages": remittance.pages(pdf), "peak": peak, "cpu": cpu, "read": read}

    async def scale(self, workers: int, *, runs: int, lines: int) -> dict[str, float]:
        """`runs` remittances requested at once, `workers` workers: runs/s and the CPU figures."""
        provider, api = await self.provider(remittances=runs, lines=lines)
        stack = [p.pid for p in self.stack.processes.values()]
        async with api, self.workers(workers) as processes:
            meter = CpuMeter(
                {
                    "workers": lambda: [p.pid for p in processes],
                    "API, relay, gateway": lambda: stack,
                    "PostgreSQL": lambda: pids_named("postgres"),
                    "RabbitMQ": lambda: pids_named("beam.smp"),
                }
            )
            before = meter.snapshot()
            run_ids = [await self.request(api, provider, k) for k in range(runs)]
            while True:
                found = await self.pool.fetch(
                    "SELECT status FROM reports.report_run WHERE run_id = ANY($1::uuid[])",
                    [uuid.UUID(r) for r in run_ids],
                )
                states = {r["status"] for r in found}
                if "failed" in states:
                    raise RuntimeError("a bench run failed: see the workers' logs")
                if states == {"done"}:
                    break
                await asyncio.sleep(0.1)
            after = meter.snapshot()
        cores = CpuMeter.cores(before, after)
        wall = after.at - before.at
        return {"rate": runs / wall, "wall": wall, "cpu_per_run": cores["workers"] * wall / runs, **cores}

    async def latency(self, clicks: int) -> tuple[float, list[float]]:
        """(the first click after the worker's start, the next `clicks`), request to file, in seconds."""
        provider, api = await self.provider(remittances=clicks + 1, lines=20)
        seconds = []
        async with api, self.workers(1):
            for k in range(clicks + 1):
                await asyncio.sleep(0.5 if k else 1.0)  # idle, as between two people's clicks
                started = time.perf_counter()
                run_id = await self.request(api, provider, k)
                await self.file(api, run_id, poll=0.1)
                seconds.append(time.perf_counter() - started)
        return seconds[0], seconds[1:]


async def run(args: argparse.Namespace) -> str:
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    report = [
        f"# Report rendering ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        await machine(),
        "",
        "| scenario | figure | goal |",
        "|---|---|---|",
    ]
    notes: list[str] = []
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    stack = Stack(
        env=env,
        log_dir=folder,
        apis=("reports",),
        workers=False,  # the render workers are the benchmark's own, started per scenario
        launch={"reports-worker": [sys.executable, "-m", "reports", "worker"]},
        settings={"REPORTS_LOG_LEVEL": "WARNING", "GATEWAY_LOG_LEVEL": "WARNING"},
    )
    pool = None
    try:
        await stack.start()
        pool = await db.create_pool(env.dsn("reports"), min_size=1, max_size=4)
        bench = Bench(env, stack, pool, folder)
        await remittance.seed_council(pool, bench.authority)
        # floor, floor-chunked and ours at LINES lines in turn, ROUNDS times: the machine's noise falls on
        # all alike; each figure is the median of its rounds.
        rounds: dict[str, list[dict[str, float]]] = {"floor": [], "floor-chunked": [], "ours": []}
        for _ in range(args.rounds):
            if "floor" in args.scenarios:
                for name, chunked in (("floor", False), ("floor-chunked", True)):
                    started, cpu = time.perf_counter(), time.process_time()
                    pdf = await asyncio.to_thread(remittance.floor_pdf, args.lines, chunked=chunked)
                    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                    rounds[name].append({"seconds": seconds, "pages": remittance.pages(pdf), "cpu": cpu})
            if "ours" in args.scenarios:
                rounds["ours"].append(await bench.ours(args.lines))
        rates = {name: median_rate(got) for name, got in rounds.items() if got}
        for name, kind in (("floor", "one table"), ("floor-chunked", "a table per page")):
            if name in rates:
                report.append(
                    f"| {name}: raw reportlab, {args.lines:,} lines in memory, {kind} |"
                    f" {rounds[name][0]['pages']:.0f} pages: **{rates[name]:.1f} pages/s**"
                    f" ({shown_rates(rounds[name])}); CPU {statistics.median(g['cpu'] for g in rounds[name]):.2f} s | |"
                )
        measured = [("ours", args.lines, rounds["ours"])]
        if "large" in args.scenarios:
            measured.append(("large", args.large, [await bench.ours(args.large)]))
        for scenario, lines, results in measured:
            if not results:
                continue
            rate = median_rate(results)
            peak = max(g["peak"] for g in results)
            ratio = (
                f" = **{rate / rates['floor']:.2f}x the floor** ({rate / rates['floor-chunked']:.2f}x floor-chunked)"
                if "floor" in rates
                else ""
            )
            goal = f"< {GOAL_PEAK_MB:.0f} MB: {'met' if peak < GOAL_PEAK_MB else 'NOT met'}"
            if scenario == "ours" and "floor" in rates:
                met = "met" if rate / rates["floor"] >= GOAL_RATIO else "NOT met"
                goal = f">= {GOAL_RATIO}x: {met}; {goal}"
            cpu = statistics.median(g["cpu"] for g in results)
            read = statistics.median(g["read"] for g in results)
            wall = statistics.median(g["seconds"] for g in results)
            report.append(
                f"| {scenario}: API to file, a fresh worker, {lines:,} lines | {results[0]['pages']:.0f} pages:"
                f" **{rate:.1f} pages/s** ({shown_rates(results)}){ratio}; worker peak **{peak:.0f} MB**,"
                f" worker CPU {cpu:.2f} s | {goal} |"
            )
            notes.append(
                f"{scenario}: the {lines:,} rows read alone through the report's source: {read:.2f} s of the"
                f" {wall:.2f} s; the worker's CPU {cpu:.2f} s ({cpu / wall:.0%} of the wall time)"
            )
        if "scale" in args.scenarios:
            one = None
            for workers in args.workers:
                got = await bench.scale(workers, runs=args.runs, lines=args.mid)
                one = one or got["rate"]
                times = f" = **{got['rate'] / one:.2f}x one**" if workers > 1 else ""
                goal = ""
                if workers == 2:
                    goal = f">= {GOAL_SCALE}x: {'met' if got['rate'] / one >= GOAL_SCALE else 'NOT met'}"
                report.append(
                    f"| scale: {args.runs} runs of {args.mid:,} lines, {workers} worker(s) |"
                    f" {got['rate']:.2f} runs/s{times} ({got['wall']:.1f} s); workers' CPU"
                    f" {got['workers']:.2f} cores, {got['cpu_per_run']:.2f} CPU s a run | {goal} |"
                )
                rest = got["machine"] - sum(got[k] for k in ("workers", *OTHERS, "bench process"))
                notes.append(
                    f"scale, {workers} worker(s): cores busy: machine {got['machine']:.2f}, workers"
                    f" {got['workers']:.2f}, API+relay+gateway {got['API, relay, gateway']:.2f}, PostgreSQL"
                    f" {got['PostgreSQL']:.2f}, RabbitMQ {got['RabbitMQ']:.2f}, bench process"
                    f" {got['bench process']:.2f}; the rest (other sessions' processes) {rest:.2f}"
                )
        if "latency" in args.scenarios:
            first, clicks = await bench.latency(args.clicks)
            p95 = percentile(clicks, 95)
            report.append(
                f"| latency: an idle worker, a 20-line remittance, POST to file, {args.clicks} clicks |"
                f" median {statistics.median(clicks):.2f} s, **p95 {p95:.2f} s**, max {max(clicks):.2f} s"
                f" (first after the worker's start {first:.2f} s) |"
                f" < {GOAL_P95_S:.0f} s: {'met' if p95 < GOAL_P95_S else 'NOT met'} |"
            )
    finally:
        if pool is not None:
            await pool.close()
        stack.stop()
        await env.destroy()
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [*report, "", *(f"- {n}" for n in notes), f"- load average before {load_before}, after {load_after}"]
    )


QUICK = {"rounds": 1, "lines": 300, "large": 1_000, "runs": 4, "mid": 50, "workers": [1, 2], "clicks": 3}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenarios", type=lambda s: s.split(","), default=list(SCENARIOS), help=",".join(SCENARIOS)
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of floor, floor-chunked, ours (3)")
    parser.add_argument("--lines", type=int, default=10_000, help="the remittance's lines (10,000)")
    parser.add_argument("--large", type=int, default=100_000, help="the large scenario's lines (100,000)")
    parser.add_argument("--runs", type=int, default=40, help="the scale scenario's runs (40)")
    parser.add_argument("--mid", type=int, default=1_000, help="a mid-size run's lines (1,000)")
    parser.add_argument(
        "--workers", type=lambda s: [int(n) for n in s.split(",")], default=[1, 2, 4], help="1,2,4"
    )
    parser.add_argument("--clicks", type=int, default=20, help="the latency scenario's clicks (20)")
    parser.add_argument("--quick", action="store_true", help=f"every scenario at a tiny size: {QUICK}")
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    if args.quick:
        vars(args).update(QUICK)
    if args.workers[0] != 1:
        parser.error("--workers starts with 1 (the others are compared with one)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
