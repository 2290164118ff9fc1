"""Backbone throughput and latency (issue "Platform foundation"): `uv run python -m bench.backbone`.

In one run, on an isolated database and vhost (tests/support/environment, removed at the end):
- floor: plain aio-pika, publisher confirms, into a quorum queue and out with acks; no database;
- ours:  events written to identity's outbox (N per transaction) -> `OutboxRelay` -> broker -> actuals'
         `Consumer` (inbox + organisation projection upsert), each worker in its own process;
- naive: the same writes and consumer code, but a relay that publishes one row per transaction awaiting
         each confirm (bench/naive.py) and a consumer that takes one message at a time (prefetch 1);
- latency: single events, one per transaction with a pause between them, through our path while idle.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Sequence

from bench.common import add_scenario_options, by_name, machine, parse, percentile, run_main
from bench.scenarios import Bench, Latency, Throughput
from tests.support.environment import RunEnvironment, new_run_id

SCENARIOS = ("floor", "ours", "naive", "latency")


def report(args: argparse.Namespace, about: str, rates: list[Throughput], latency: Latency | None) -> str:
    grouped = by_name(rates)
    median = {name: statistics.median(t.rate for t in runs) for name, runs in grouped.items()}
    lines = [
        f"Machine: {about}",
        f"Events per throughput run: {args.events}; outbox writes: {args.per_transaction} per transaction;"
        f" rounds: {args.rounds} (scenarios interleaved; median, with the lowest and highest in brackets).",
        "",
        "| path | events/s, first write -> last consumer commit | written, events/s | relayed, events/s"
        " | CPU ms per event: Python (by process) / PostgreSQL |",
        "|---|---:|---:|---:|---|",
    ]
    for name, runs in grouped.items():
        low, high = min(t.rate for t in runs), max(t.rate for t in runs)
        writes = statistics.median(t.write_rate for t in runs)
        relays = statistics.median(t.relay_rate for t in runs)
        python = statistics.median(sum(t.python_cpu.values()) / t.events for t in runs) * 1000
        postgres = statistics.median(t.postgres_cpu / t.events for t in runs) * 1000
        by_process = ", ".join(
            f"{process} {statistics.median(t.python_cpu[process] / t.events for t in runs) * 1000:.2f}"
            for process in runs[0].python_cpu
        )
        lines.append(
            f"| {name} | {median[name]:,.0f} [{low:,.0f}-{high:,.0f}] | {writes:,.0f} | {relays:,.0f}"
            f" | {python:.2f} ({by_process}) / {postgres:.2f} |"
        )
    if "ours" in median and "floor" in median:
        lines.append(f"\nours / floor = {median['ours'] / median['floor']:.2f} (goal >= 0.5)")
    if "ours" in median and "naive" in median:
        lines.append(f"ours / naive = {median['ours'] / median['naive']:.1f}x")
    if latency is not None:
        for label, values in (
            ("timestamp in the event -> consumer commit", latency.from_event),
            ("producer commit returned -> consumer commit", latency.from_commit),
        ):
            lines.append(
                f"idle latency, {label}, {len(values)} events {args.pause_ms} ms apart:"
                f" p50 {percentile(values, 50) * 1000:.1f} ms, p99 {percentile(values, 99) * 1000:.1f} ms,"
                f" max {max(values) * 1000:.1f} ms (goal p50 < 20 ms)"
            )
    return "\n".join(lines)


async def run_scenario(bench: Bench, scenario: str, args: argparse.Namespace) -> Throughput | Latency:
    if scenario == "floor":
        return await bench.floor()
    if scenario == "ours":
        return await bench.outbox_path("ours", relay="relay", settings=args.settings)
    if scenario == "naive":
        return await bench.outbox_path(
            "naive",
            relay="naive_relay",
            settings={"consumer_prefetch": 1, "consumer_batch_size": 1, "consumer_appliers": 1},
        )
    return await bench.latency(count=args.latency_events, pause=args.pause_ms / 1000, settings=args.settings)


async def run(args: argparse.Namespace) -> str:
    about = await machine()
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    rates: list[Throughput] = []
    latency = None
    try:
        bench = Bench(
            env,
            events=args.events,
            per_transaction=args.per_transaction,
            role_defaults={"log_path": args.log_file, "profile_dir": args.profile},
        )
        throughput = [s for s in args.scenarios if s != "latency"]
        plan = throughput * args.rounds + (["latency"] if "latency" in args.scenarios else [])
        for step, scenario in enumerate(plan, start=1):
            result = await run_scenario(bench, scenario, args)
            if isinstance(result, Throughput):
                rates.append(result)
                done = f"{result.rate:,.0f} events/s"
            else:
                latency = result
                done = f"p50 {percentile(result.from_event, 50) * 1000:.1f} ms"
            print(f"[{step}/{len(plan)}] {scenario}: {done}", flush=True)
    finally:
        await env.destroy()
    return report(args, about, rates, latency)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.backbone", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="events per throughput run")
    parser.add_argument("--per-transaction", type=int, default=100, help="outbox writes per transaction")
    parser.add_argument("--rounds", type=int, default=3, help="times each throughput scenario runs")
    parser.add_argument("--latency-events", type=int, default=200)
    parser.add_argument("--pause-ms", type=int, default=50, help="pause between latency events")
    add_scenario_options(
        parser,
        SCENARIOS,
        set_help="a worker setting for ours and latency (e.g. consumer_appliers=4); repeatable",
    )
    parser.add_argument("--log-file", default=os.devnull, help="where the workers' JSON logs go")
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile of each worker process into DIR")
    return parse(parser, argv, SCENARIOS)


def main(argv: Sequence[str] | None = None) -> None:
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
