"""Report rendering by the render workers: `make bench-reports` (= `uv run python -m bench.reports_render`).

In one run, on an isolated database and vhost (tests/support/environment, removed at the end), render
workers as real processes (`python -m reports render`, tests.support.reports.render_process) with the
benchmark's remittance-like report installed (bench/reports_remittance.py: SWITCH there when
reports/rendering/pdf.py lands). Scenarios:
- floor:   raw reportlab building the same table from an in-memory list of LINES lines, in this process:
           pages per second;
- ours:    the render path for LINES lines: the run and its job queued as the run API does, the outbox
           relayed, a fresh worker taking the job, reading the lines, rendering, storing the file;
           pages per second from the job's publication to the run done, and the worker's peak memory
           (VmHWM). Goal: at least 0.75x the floor's pages per second, peak under 300 MB;
- large:   ours at LARGE lines (peak memory under 300 MB); not in the defaults while the render path
           builds one table in memory (its split is quadratic: a quarter of an hour at 100,000);
- scale:   RUNS runs of MID lines queued at once, 1 worker then 2 (then 4 with --workers): runs per
           second, and the workers' CPU seconds per wall second (what the machine could give them);
- latency: an idle worker, one small report (20 lines) at a time, CLICKS times: request to file p95
           (the run queued, relayed, rendered, stored; polled every 20 ms). Goal: p95 under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from bench import reports_remittance as remittance
from bench.common import add_scenario_options, machine, parse, percentile, run_main
from shared import db
from tests.support.environment import RunEnvironment, new_run_id
from tests.support.report_workers import log_records, queue_runs, statuses
from tests.support.reports import relaying, render_process

SCENARIOS = ("floor", "ours", "large", "scale", "latency")
DEFAULTS = ("floor", "ours", "scale", "latency")
GOAL_RATIO = 0.75
GOAL_PEAK_MB = 300.0
GOAL_P95_S = 2.0
PREAMBLE = "import bench.reports_remittance as b\nb.install()\n"


def peak_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Bench:
    def __init__(self, env: RunEnvironment, pool: asyncpg.Pool, folder: Path) -> None:
        self.env, self.pool, self.folder = env, pool, folder
        self.authority = uuid.uuid4()

    @asynccontextmanager
    async def workers(self, count: int) -> AsyncIterator[list]:
        logs = [self.folder / f"worker-{uuid.uuid4().hex[:8]}.log" for _ in range(count)]
        processes = [render_process(self.env, log, preamble=PREAMBLE) for log in logs]
        try:
            while not all(any(r.get("event") == "consumer_started" for r in log_records(g)) for g in logs):
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError(f"a render worker stopped: see {logs}")
                await asyncio.sleep(0.1)
            yield processes
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)

    async def queue(self, *, lines: int, count: int) -> list[uuid.UUID]:
        """`count` runs of the bench report over `lines` lines each (one set of lines, their run key in
        requested_by: see reports_remittance.install)."""
        key = f"bench-{uuid.uuid4().hex[:8]}"
        await remittance.seed(self.pool, run_key=key, lines=lines)
        run_ids = await queue_runs(
            self.pool,
            authority_id=self.authority,
            organisation_id=None,
            count=count,
            report=remittance.KEY,
            formats=("pdf",),
            publish=False,
        )
        await self.pool.execute(
            "UPDATE reports.report_run SET requested_by = $2 WHERE run_id = ANY($1::uuid[])", run_ids, key
        )
        return run_ids

    async def publish(self, run_ids: list[uuid.UUID]) -> None:
        """The runs' render jobs into the outbox, in one transaction (what the relay then publishes)."""
        from reports.store import runs
        from shared.bus import Outbox
        from shared.store import AuthorityScope
        from shared.uow import Actor, Work
        from tests.support.report_workers import publish_render_job

        async with Work(self.pool, Outbox("reports")).begin(Actor.system("bench")) as uow:
            for run_id in run_ids:
                run = await runs.get_run(conn=uow.conn, run_id=run_id, scope=AuthorityScope(self.authority))
                assert run is not None
                await publish_render_job(uow, run)

    async def wait_done(self, run_ids: list[uuid.UUID], *, poll: float = 0.02) -> float:
        while True:
            found = await statuses(self.pool, run_ids)
            if "failed" in found.values():
                raise RuntimeError("a bench run failed: see the worker's log")
            if set(found.values()) == {"done"}:
                return time.perf_counter()
            await asyncio.sleep(poll)

    async def pages_of(self, run_id: uuid.UUID) -> int:
        body = await self.pool.fetchval("SELECT body FROM reports.artifact WHERE run_id = $1", run_id)
        return remittance.pages(body)

    async def ours(self, lines: int) -> tuple[float, int, float]:
        """(seconds from publication to done, pages, the worker's peak MB), one fresh worker."""
        (run_id,) = await self.queue(lines=lines, count=1)
        async with self.workers(1) as (worker,), relaying(self.env):
            started = time.perf_counter()
            await self.publish([run_id])
            finished = await self.wait_done([run_id], poll=0.05)
            peak = peak_mb(worker.pid)
        return finished - started, await self.pages_of(run_id), peak

    async def scale(self, workers: int, *, runs: int, lines: int) -> tuple[float, float]:
        """(runs per second, the workers' CPU seconds per wall second)."""
        run_ids = await self.queue(lines=lines, count=runs)
        async with self.workers(workers) as processes, relaying(self.env):
            cpu_before = sum(cpu_seconds(p.pid) for p in processes)
            started = time.perf_counter()
            await self.publish(run_ids)
            finished = await self.wait_done(run_ids, poll=0.1)
            cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
        return runs / (finished - started), cpu / (finished - started)

    async def latency(self, clicks: int) -> list[float]:
        seconds = []
        run_ids = await self.queue(lines=20, count=clicks)
        async with self.workers(1), relaying(self.env):
            await asyncio.sleep(1.0)  # idle
            for run_id in run_ids:
                started = time.perf_counter()
                await self.publish([run_id])
                seconds.append(await self.wait_done([run_id]) - started)
                await self.pool.fetchval(
                    "SELECT length(body) FROM reports.artifact WHERE run_id = $1", run_id
                )
                await asyncio.sleep(0.5)  # idle again, as between two people's clicks
        return seconds


async def run(args: argparse.Namespace) -> str:
    report = [
        f"# Report rendering ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        await machine(),
        "",
    ]
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    pool = await db.create_pool(env.dsn("reports"), min_size=1, max_size=4)
    try:
        with tempfile.TemporaryDirectory() as folder:
            bench = Bench(env, pool, Path(folder))
            floor_rate = None
            if "floor" in args.scenarios:
                started = time.perf_counter()
                pdf = await asyncio.to_thread(remittance.floor_pdf, args.lines)
                seconds = time.perf_counter() - started
                floor_rate = remittance.pages(pdf) / seconds
                report.append(
                    f"floor: {args.lines:,} lines, {remittance.pages(pdf)} pages in {seconds:.2f} s:"
                    f" {floor_rate:.1f} pages/s"
                )
            if "ours" in args.scenarios:
                seconds, pages, peak = await bench.ours(args.lines)
                rate = pages / seconds
                ratio = f", {rate / floor_rate:.2f}x the floor (goal {GOAL_RATIO}x)" if floor_rate else ""
                report.append(
                    f"ours: {args.lines:,} lines, {pages} pages in {seconds:.2f} s: {rate:.1f} pages/s{ratio};"
                    f" worker peak {peak:.0f} MB (goal < {GOAL_PEAK_MB:.0f})"
                )
            if "large" in args.scenarios:
                seconds, pages, peak = await bench.ours(args.large)
                report.append(
                    f"large: {args.large:,} lines, {pages} pages in {seconds:.1f} s;"
                    f" worker peak {peak:.0f} MB (goal < {GOAL_PEAK_MB:.0f})"
                )
            if "scale" in args.scenarios:
                for workers in args.workers:
                    rate, cores = await bench.scale(workers, runs=args.runs, lines=args.mid)
                    report.append(
                        f"scale: {workers} worker(s), {args.runs} runs of {args.mid:,} lines:"
                        f" {rate:.2f} runs/s, workers' CPU {cores:.2f} cores"
                    )
            if "latency" in args.scenarios:
                seconds = await bench.latency(args.clicks)
                report.append(
                    f"latency: {args.clicks} small runs one at a time: median {statistics.median(seconds):.2f} s,"
                    f" p95 {percentile(seconds, 95):.2f} s, max {max(seconds):.2f} s (goal p95 < {GOAL_P95_S} s)"
                )
    finally:
        await pool.close()
        await env.destroy()
    return "\n".join(report)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_scenario_options(parser, SCENARIOS, set_help="(unused)")
    parser.set_defaults(scenarios=list(DEFAULTS))
    parser.add_argument("--lines", type=int, default=10_000, help="the remittance's lines (10,000)")
    parser.add_argument("--large", type=int, default=100_000, help="the large scenario's lines (100,000)")
    parser.add_argument("--runs", type=int, default=40, help="the scale scenario's runs (40)")
    parser.add_argument("--mid", type=int, default=1_000, help="a mid-size run's lines (1,000)")
    parser.add_argument(
        "--workers", type=lambda s: [int(n) for n in s.split(",")], default=[1, 2], help="1,2 (or 1,2,4)"
    )
    parser.add_argument("--clicks", type=int, default=20, help="the latency scenario's runs (20)")
    run_main(run, parse(parser, argv, SCENARIOS))


if __name__ == "__main__":
    main()
