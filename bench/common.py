"""What every benchmark shares: the machine line of the report, percentiles, grouping the rounds of a
scenario, the options --scenarios and --set, the entry point, and for the page benchmarks their
sequential GETs in interleaved rounds and the latency table."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import asyncpg

from shared.logging import configure_logging
from shared.loop import run_event_loop
from shared.telemetry import configure_telemetry
from tests.support.environment import ADMIN_DSN, rabbitmqctl


class Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def percentile(values: Sequence[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def by_name(results: Iterable[N]) -> dict[str, list[N]]:
    """Each scenario's rounds, in the order the scenarios first ran."""
    grouped: dict[str, list[N]] = {}
    for result in results:
        grouped.setdefault(result.name, []).append(result)
    return grouped


async def machine() -> str:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        postgres = str(await conn.fetchval("SHOW server_version")).split()[0]
    finally:
        await conn.close()
    broker = (await rabbitmqctl("version")).strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python {platform.python_version()},"
        f" PostgreSQL {postgres}, RabbitMQ {broker}; load average before the run: {load}"
    )


def add_scenario_options(parser: argparse.ArgumentParser, scenarios: Sequence[str], *, set_help: str) -> None:
    parser.add_argument(
        "--scenarios", type=lambda s: s.split(","), default=list(scenarios), help=",".join(scenarios)
    )
    parser.add_argument(
        "--set",
        dest="settings",
        metavar="NAME=VALUE",
        action="append",
        type=lambda s: tuple(s.split("=", 1)),
        default=[],
        help=set_help,
    )


def parse(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, scenarios: Sequence[str]
) -> argparse.Namespace:
    args = parser.parse_args(argv)
    args.settings = dict(args.settings)
    unknown = set(args.scenarios) - set(scenarios)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    return args


def run_main(run: Callable[[argparse.Namespace], Coroutine[Any, Any, str]], args: argparse.Namespace) -> None:
    configure_logging(service="bench", level="WARNING", json=False)
    configure_telemetry(service="bench", otlp_endpoint=None)
    print(run_event_loop(run(args)))  # the services' loop, for the floors as for our path


# A scenario of a page benchmark: one request (or what stands for one), answering the bytes it read.
Call = Callable[[], Awaitable[int]]


async def timed(call: Call) -> tuple[float, int]:
    """How long one call took, in ms, and the bytes it answered."""
    started = time.perf_counter()
    size = await call()
    return (time.perf_counter() - started) * 1000, size


async def interleaved(
    calls: Mapping[str, Call], *, rounds: int, requests: int, slow: Iterable[str] = ()
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Each scenario's times (ms) and last size: one call at a time (as people open pages), after a
    warm-up of every cache and connection pool, in `rounds` rounds that take the scenarios in turn so
    that the machine's noise falls on all alike. A `slow` scenario runs a tenth as often."""
    slow = set(slow)
    for name, call in calls.items():
        for _ in range(2 if name in slow else 10):
            await call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    sizes: dict[str, int] = {}
    for _ in range(rounds):
        for name, call in calls.items():
            for _ in range(max(1, requests // 10) if name in slow else requests):
                elapsed, sizes[name] = await timed(call)
                times[name].append(elapsed)
    return times, sizes


def latency_table(times: Mapping[str, Sequence[float]], sizes: Mapping[str, int]) -> list[str]:
    """The report's table: requests, p50/p95/p99 in ms and the bytes of one answer, per scenario."""
    lines = ["| scenario | requests | p50 ms | p95 ms | p99 ms | bytes |", "|---|---:|---:|---:|---:|---:|"]
    for name, values in times.items():
        lines.append(
            f"| {name} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 95):.1f}"
            f" | {percentile(values, 99):.1f} | {sizes[name]:,} |"
        )
    return lines


def p95_goal(times: Mapping[str, Sequence[float]], scenario: str, goal_ms: float, what: str) -> str:
    """The report's verdict on a goal of the 95th percentile (`what`: "the page's", ...)."""
    p95 = percentile(times[scenario], 95) if scenario in times else float("nan")
    verdict = "met" if p95 < goal_ms else "NOT met"
    return f"Goal: {what} p95 under {goal_ms:.0f} ms: {verdict} ({p95:.1f} ms)."


def page_bench_main(
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, str]],
    description: str,
    scenarios: Sequence[str],
    argv: Sequence[str] | None,
) -> None:
    """The command line of a page benchmark: rounds, requests a round, scenarios."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each scenario, interleaved")
    parser.add_argument("--requests", type=int, default=100, help="GETs per scenario per round")
    parser.add_argument("--scenarios", type=lambda s: s.split(","), default=list(scenarios))
    run_main(run, parser.parse_args(argv))
