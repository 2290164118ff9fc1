"""What every benchmark shares: the machine line of the report, percentiles, grouping the rounds of a
scenario, the options --scenarios and --set, and the entry point."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from collections.abc import Callable, Coroutine, Iterable, Sequence
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
