"""Benchmark of the bulk import of actuals (issue 11): `make bench-actuals-import`.

In one run, on an isolated database and vhost (the test environment, removed at the end):
- **ours**: a 100,000-row file through the real import path: POST /api/v1/actuals/imports (multipart,
  the service's API in this process over a real socket) → the job (`process_next`, what the actuals
  worker's import loop runs) → GET /imports/{id} says imported. The clock runs from the upload to the
  answer "imported": reading, every check against the database, costs, the commit.
- **floor**: the same bytes decoded and split by the csv module, then asyncpg COPY of the rows (as text)
  into a bare table with the same columns, in one transaction. No checks, no costs, no lookups.
- **naive**: the same rows checked by the same file rules (`read_import`), then one INSERT per row
  (resolving the client's CPLI and the week in the statement, the cost by `line_cost` per row), in one
  transaction: what a first importer looks like. It gets the first `--naive-rows` rows (20,000): one
  statement a row, its rate does not depend on the file's size, and 100,000 would take minutes a round.
- **memory**: a file of 50 MB (`--memory-mb`) uploaded, then imported by a separate process
  (`--child`), which reports its peak resident memory (`resource.getrusage`, ru_maxrss) and its time.

Each round imports into a fresh provider (new lines, new weeks), so rounds measure the same work.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg
import httpx

from actuals.domain.costs import CostPolicy, PaymentBasis, RateChange, line_cost
from actuals.domain.import_file import read_import
from actuals.handlers.import_job import process_next
from actuals.main import DEFINITION as ACTUALS
from bench.common import machine, run_main
from shared import db
from shared.service import create_api
from shared.service.runtime import Runtime, close_runtime, open_runtime
from tests.actuals.import_support import Provider, add_provider, bearer, csv_file, row, weeks_ago
from tests.support.environment import RunEnvironment, new_run_id
from tests.support.inprocess import serve


@dataclass(frozen=True)
class Timing:
    name: str
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def file_for(provider: Provider, rows: int, *, comment: str = "Carer ill on Friday") -> bytes:
    """`rows` rows: each client in turn, one week further back each pass (all within the CPLIs)."""
    ref = f"BENCH-{uuid.uuid4().hex[:8]}"
    clients = provider.clients
    lines = []
    for n in range(rows):
        client = clients[n % len(clients)]
        week = weeks_ago(1 + n // len(clients))
        lines.append(
            row(
                ref,
                provider.service.reference,
                client.reference,
                week,
                "9.75",
                "10",
                "0",
                "0.25",
                "0",
                "7",
                comment,
            )
        )
    return csv_file(*lines, newline="\r\n", bom=True)


async def new_provider(env: RunEnvironment, clients: int, weeks: int) -> Provider:
    return await add_provider(env, clients=clients, cpli_start=weeks_ago(weeks + 2))


async def ours(
    api: httpx.AsyncClient, runtime: Runtime, env: RunEnvironment, provider: Provider, data: bytes, rows: int
) -> Timing:
    token = provider.token(env)
    start = time.perf_counter()
    sent = await api.post(
        "/api/v1/actuals/imports", files={"file": ("bench.csv", data, "text/csv")}, headers=bearer(token)
    )
    assert sent.status_code == 202, sent.text
    import_id = uuid.UUID(sent.json()["import_id"])
    await process_next(runtime.work, import_id=import_id)
    got = await api.get(f"/api/v1/actuals/imports/{import_id}", headers=bearer(token))
    seconds = time.perf_counter() - start
    assert got.json()["status"] == "imported", got.json()["errors"][:3]
    return Timing("ours", rows, seconds)


async def floor(conn: asyncpg.Connection, data: bytes, rows: int) -> Timing:
    await conn.execute("DROP TABLE IF EXISTS bench_floor")
    await conn.execute(
        "CREATE TABLE bench_floor (file_reference text, service text, client_reference text, week_commencing text,"
        " actual text, planned text, frustrated text, missed text, extra text, visits text, comment text)"
    )
    start = time.perf_counter()
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader)
    records = [tuple(cells) for cells in reader if cells]
    async with conn.transaction():
        await conn.copy_records_to_table("bench_floor", records=records)
    seconds = time.perf_counter() - start
    assert len(records) == rows
    return Timing("floor", rows, seconds)


async def naive(conn: asyncpg.Connection, provider: Provider, data: bytes, rows: int) -> Timing:
    """Same file rules, then one INSERT per row (weeks made first, one statement each)."""
    history = [RateChange(date(2020, 1, 1), Decimal("20.0000"))]
    policy = CostPolicy(PaymentBasis.actuals)
    start = time.perf_counter()
    read = read_import(data, today=date.today())
    async with conn.transaction():
        for week in sorted({r.week for r in read.rows}):
            await conn.execute(
                "INSERT INTO actuals.actual_week (week_id, authority_id, organisation_id, contract_id, service_id,"
                " week_commencing) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                uuid.uuid4(),
                provider.authority_id,
                provider.organisation_id,
                provider.service.contract_id,
                provider.service.service_id,
                week,
            )
        for r in read.rows:
            q = r.quantities
            cost = line_cost(q, policy, history, r.week)
            await conn.execute(
                "INSERT INTO actuals.actual_line (line_id, week_id, authority_id, organisation_id, contract_id,"
                " service_id, cpli_id, client_id, actual, planned, frustrated, missed, extra, visits, comment,"
                " unit_rate, averaged, total, planned_total, entered)"
                " SELECT $1, w.week_id, w.authority_id, w.organisation_id, w.contract_id, w.service_id, p.cpli_id,"
                " p.client_id, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, true"
                " FROM actuals.cpli p JOIN actuals.client c USING (client_id) JOIN actuals.actual_week w"
                " ON w.service_id = p.service_id AND w.week_commencing = $4"
                " WHERE p.service_id = $2 AND c.authority_id = $16 AND c.reference = $3"
                " ON CONFLICT (week_id, cpli_id) DO UPDATE SET actual = EXCLUDED.actual",
                uuid.uuid4(),
                provider.service.service_id,
                r.client_reference,
                r.week,
                q.actual,
                q.planned,
                q.frustrated,
                q.missed,
                q.extra,
                r.visits,
                r.comment,
                cost.unit_rate,
                cost.averaged,
                cost.total,
                cost.planned_total,
                provider.authority_id,
            )
    seconds = time.perf_counter() - start
    written = await conn.fetchval(
        "SELECT count(*) FROM actuals.actual_line WHERE service_id = $1", provider.service.service_id
    )
    assert written == rows, written
    return Timing("naive", rows, seconds)


async def memory(env: RunEnvironment, api: httpx.AsyncClient, megabytes: int, clients: int) -> str:
    """Upload a file of `megabytes` MB here, import it in a child process; its peak memory and time."""
    sample = file_for(await new_provider(env, 2, 1), 2)
    per_row = len(sample.split(b"\r\n")[1]) + 2
    rows = -(-megabytes * 1_000_000 // per_row)
    weeks = -(-rows // clients)
    provider = await new_provider(env, clients, weeks)
    data = file_for(provider, rows)
    sent = await api.post(
        "/api/v1/actuals/imports",
        files={"file": ("big.csv", data, "text/csv")},
        headers=bearer(provider.token(env)),
    )
    assert sent.status_code == 202, sent.text
    size = len(data)
    del data
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.actuals_import",
        "--child",
        sent.json()["import_id"],
        "--run-id",
        env.run_id,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    assert child.returncode == 0, out
    result = [line for line in out.decode().splitlines() if line.startswith("RESULT ")][-1]
    peak_kb, seconds, baseline_kb = result.split()[1:]
    got = await api.get(
        f"/api/v1/actuals/imports/{sent.json()['import_id']}", headers=bearer(provider.token(env))
    )
    assert got.json()["status"] == "imported", got.json()["errors"][:3]
    return (
        f"- **memory**: a {size / 1e6:.1f} MB file ({rows:,} rows, {clients:,} clients x {weeks} weeks) imported"
        f" by its own process: **peak resident {int(peak_kb) / 1024:.0f} MiB** (before the import, with every"
        f" module loaded and the runtime open: {int(baseline_kb) / 1024:.0f} MiB); the job took {float(seconds):.1f} s"
        f" ({rows / float(seconds):,.0f} rows/s, upload not counted)."
    )


async def child(import_id: str, run_id: str) -> None:
    """The importing process of the memory scenario: the worker's job for one import, then its peak."""
    env = RunEnvironment(run_id=run_id)
    runtime = await open_runtime(ACTUALS, env.settings(ACTUALS))
    try:
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        taken = await process_next(runtime.work, import_id=uuid.UUID(import_id))
        seconds = time.perf_counter() - start
        assert taken is not None
    finally:
        await close_runtime(runtime)
    print(
        "RESULT", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, f"{seconds:.3f}", baseline, flush=True
    )


async def run(args: argparse.Namespace) -> str:
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    header = await machine()
    results: list[Timing] = []
    lines: list[str] = []
    try:
        runtime = await open_runtime(ACTUALS, env.settings(ACTUALS))
        conn = await db.connect(env.dsn("actuals"))
        try:
            async with serve(create_api(ACTUALS, env.settings(ACTUALS))) as api:
                api.timeout = httpx.Timeout(600)
                weeks = -(-args.rows // args.clients)
                for _ in range(args.rounds):
                    for scenario in args.scenarios:
                        rows = args.naive_rows if scenario == "naive" else args.rows
                        provider = await new_provider(env, args.clients, weeks)
                        data = file_for(provider, rows)
                        if scenario == "ours":
                            results.append(await ours(api, runtime, env, provider, data, rows))
                        elif scenario == "floor":
                            results.append(await floor(conn, data, rows))
                        elif scenario == "naive":
                            results.append(await naive(conn, provider, data, rows))
                        print(f"  {results[-1].name}: {results[-1].rate:,.0f} rows/s", file=sys.stderr)
                if args.memory_mb:
                    lines.append(await memory(env, api, args.memory_mb, args.clients))
        finally:
            await conn.close()
            await close_runtime(runtime)
    finally:
        await env.destroy()
    return report(header, args, results, lines)


def report(header: str, args: argparse.Namespace, results: Sequence[Timing], lines: list[str]) -> str:
    rates: dict[str, list[float]] = {}
    for r in results:
        rates.setdefault(r.name, []).append(r.rate)
    median = {name: statistics.median(values) for name, values in rates.items()}
    out = [
        f"Actuals bulk import: {args.rows:,} rows ({args.clients:,} clients), {args.rounds} round(s); {header}",
        "",
        "| path | rows | rows/s (median) | lowest-highest | seconds (median) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in rates.items():
        rows = args.naive_rows if name == "naive" else args.rows
        out.append(
            f"| {name} | {rows:,} | {median[name]:,.0f} | {min(values):,.0f}-{max(values):,.0f}"
            f" | {rows / median[name]:.2f} |"
        )
    out.append("")
    if "ours" in median and "floor" in median:
        out.append(f"- ours / floor = {median['ours'] / median['floor']:.2f}")
    if "ours" in median and "naive" in median:
        out.append(f"- ours / naive = {median['ours'] / median['naive']:.1f}x")
    out += lines
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.actuals_import", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--clients", type=int, default=20_000, help="clients of the service (rows = clients x weeks)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--naive-rows",
        type=int,
        default=20_000,
        help="rows of the naive importer's file (one statement a row: its rate does not depend on the size)",
    )
    parser.add_argument("--scenarios", type=lambda s: s.split(","), default=["floor", "ours", "naive"])
    parser.add_argument(
        "--memory-mb", type=int, default=50, help="size of the memory scenario's file (0: skip it)"
    )
    parser.add_argument("--child", metavar="IMPORT_ID", help=argparse.SUPPRESS)
    parser.add_argument("--run-id", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        from shared.logging import configure_logging
        from shared.loop import run_event_loop

        configure_logging(service="bench", level="WARNING", json=False)
        run_event_loop(child(args.child, args.run_id))
        return
    os.environ.setdefault("PYTHONHASHSEED", "0")
    run_main(run, args)


if __name__ == "__main__":
    main()
