"""Login throughput and latency under a burst (issue "Identity & login"): `uv run python -m bench.login`.

In one run, on an isolated database and vhost (tests/support/environment, removed at the end), with
identity's API and the gateway as real processes (tests/support/stack), twice: ours, and the naive one:
- floor: argon2id verifications alone, identity's parameters, on identity's number of hashing threads;
- ours:  full logins (password, then two digits of the security code) as JSON through the gateway to
         identity, which hashes on its pool of threads;
- naive: the same, to an identity that hashes on its event loop (bench/naive_identity.py);
- burst-ours, burst-naive: that many logins at once while another process GETs /api/v1/identity/me
         with a session of its own (bench/watch.py), timing each GET.
Identity's login rate limits are raised for the run (every browser here is 127.0.0.1); the counters
are still written and checked on every login, so their cost is in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.common import add_scenario_options, by_name, machine, parse, percentile, run_main
from bench.logins import Burst, Population, Rate, burst, floor, logins, seed_users
from identity.config import Settings as IdentitySettings
from tests.support.environment import RunEnvironment, definitions, new_run_id
from tests.support.stack import Stack

SCENARIOS = ("floor", "ours", "naive", "burst-ours", "burst-naive")
UNTHROTTLED = "1000000"


def pct(values: Sequence[float], q: int) -> float:
    """A percentile in ms; with fewer than two values, the one there is (a tiny smoke run)."""
    return (percentile(values, q) if len(values) > 1 else max(values, default=float("nan"))) * 1000


def spread(values: Sequence[float], fmt: str = "{:,.1f}") -> str:
    """The median, with the lowest and highest in brackets."""
    median = fmt.format(statistics.median(values))
    return median if len(values) == 1 else f"{median} [{fmt.format(min(values))}-{fmt.format(max(values))}]"


def cpu_per(rate: Rate) -> float:
    return sum(rate.cpu.values()) / rate.count


def ratios(name: str, grouped: dict[str, list[Rate]]) -> str:
    """A path's cost per login in argon2id verifications: wall clock, each round against the floor of the
    same round (they ran minutes apart at most), and CPU of every process (load moves it much less)."""
    pairs = list(zip(grouped[name], grouped["floor"], strict=False))
    wall = spread([floor.rate / path.rate for path, floor in pairs], "{:.2f}")
    cpu = spread([cpu_per(path) / cpu_per(floor) for path, floor in pairs], "{:.2f}")
    goal = " (goal <= 1.3)" if name == "ours" else ""
    return f"{name}: ms per login / ms per argon2id verification = {wall}{goal}; CPU per login / CPU per verification = {cpu}"


def report(
    args: argparse.Namespace, about: str, settings: IdentitySettings, rates: list[Rate], bursts: list[Burst]
) -> str:
    lines = [
        f"Machine: {about}",
        f"argon2id: memory {settings.argon2_memory_kib} KiB, time cost {settings.argon2_time_cost},"
        f" parallelism {settings.argon2_parallelism}; identity hashes on {settings.hash_workers} thread(s)."
        " A login costs one argon2id verification (the password); the security code is AES-GCM.",
        f"Throughput runs: {args.logins} logins, {args.concurrency} browsers at a time (the floor:"
        f" {args.logins} verifications); rounds: {args.rounds} (scenarios interleaved; median, with the"
        " lowest and highest in brackets).",
        "",
        "| path | logins/s (floor: verifications/s) | ms per login (floor: per verification) | CPU ms per login, by process |",
        "|---|---:|---:|---|",
    ]
    grouped = by_name(rates)
    for name, runs in grouped.items():
        by_process = ", ".join(
            f"{process} {statistics.median(r.cpu[process] / r.count for r in runs) * 1000:.1f}"
            for process in runs[0].cpu
        )
        lines.append(
            f"| {name} | {spread([r.rate for r in runs])} | {spread([1000 / r.rate for r in runs])} | {by_process} |"
        )
    lines += [""] + [ratios(name, grouped) for name in ("ours", "naive") if {name, "floor"} <= grouped.keys()]
    if bursts:
        lines += [
            "",
            f"Bursts of {args.burst} logins at once; a GET of /api/v1/identity/me every {args.pause_ms} ms"
            " meanwhile (goal: p99 < 100 ms):",
            "",
            "| path | burst, s | GETs during the burst | GET p50, ms | GET p99, ms | GET max, ms | GETs failed |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, tries in by_name(bursts).items():
            lines.append(
                f"| {name} | {spread([b.seconds for b in tries])}"
                f" | {spread([len(b.gets) for b in tries], '{:,.0f}')}"
                f" | {spread([pct(b.gets, 50) for b in tries])}"
                f" | {spread([pct(b.gets, 99) for b in tries])}"
                f" | {spread([max(b.gets, default=float('nan')) * 1000 for b in tries])} | {sum(b.failed for b in tries)} |"
            )
    return "\n".join(lines)


async def run_scenario(
    scenario: str,
    args: argparse.Namespace,
    settings: IdentitySettings,
    stacks: dict[str, Stack],
    people: Population,
) -> Rate | Burst:
    if scenario == "floor":
        return await floor(settings, count=args.logins)
    if scenario.startswith("burst-"):
        path = scenario.removeprefix("burst-")
        return await burst(scenario, stacks[path], people, size=args.burst, pause=args.pause_ms / 1000)
    return await logins(scenario, stacks[scenario], people, count=args.logins, concurrency=args.concurrency)


def stack(
    env: RunEnvironment, log_dir: Path, name: str, settings: IdentitySettings, extra: dict[str, str]
) -> Stack:
    environment = {
        "IDENTITY_HASH_WORKERS": str(settings.hash_workers),
        "IDENTITY_LOGIN_LIMIT_PER_ACCOUNT": UNTHROTTLED,
        "IDENTITY_LOGIN_LIMIT_PER_ADDRESS": UNTHROTTLED,
    } | extra
    launch = {"identity": [sys.executable, "-m", "bench.naive_identity", "api"]} if name == "naive" else {}
    return Stack(
        env=env,
        log_dir=log_dir / name,
        apis=("identity",),
        workers=False,
        settings=environment,
        launch=launch,
    )


async def run(args: argparse.Namespace) -> str:
    about = await machine()
    env = RunEnvironment(run_id=new_run_id())
    identity = next(d for d in definitions() if d.name == "identity")
    overrides = {"hash_workers": args.hash_workers} if args.hash_workers else {}
    settings = env.settings(identity, **overrides)
    assert isinstance(settings, IdentitySettings)
    await env.create()
    rates: list[Rate] = []
    bursts: list[Burst] = []
    stacks: dict[str, Stack] = {}
    log_dir = Path(args.log_dir or tempfile.mkdtemp(prefix="bench-login-"))
    try:
        people = await seed_users(env, settings, count=max(args.users, args.burst + 1))
        paths = {s.removeprefix("burst-") for s in args.scenarios} - {"floor"}
        stacks = {name: stack(env, log_dir, name, settings, args.settings) for name in sorted(paths)}
        await asyncio.gather(*(s.start() for s in stacks.values()))
        plan = list(args.scenarios) * args.rounds
        for step, scenario in enumerate(plan, start=1):
            result = await run_scenario(scenario, args, settings, stacks, people)
            if isinstance(result, Rate):
                rates.append(result)
                done = f"{result.rate:,.1f}/s"
            else:
                bursts.append(result)
                done = f"{result.seconds:.1f} s, GET p99 {pct(result.gets, 99):.1f} ms"
            print(f"[{step}/{len(plan)}] {scenario}: {done}", flush=True)
    finally:
        for running in stacks.values():
            running.stop()
        await env.destroy()
    return report(args, about, settings, rates, bursts)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.login", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--logins", type=int, default=400, help="logins (and floor verifications) per throughput run"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="browsers logging in at a time")
    parser.add_argument("--burst", type=int, default=200, help="logins at once in a burst")
    parser.add_argument("--pause-ms", type=int, default=10, help="pause between the watcher's GETs")
    parser.add_argument("--users", type=int, default=256, help="users to log in, in turn")
    parser.add_argument("--rounds", type=int, default=3, help="times each scenario runs")
    parser.add_argument("--hash-workers", type=int, help="identity's hashing threads (default: its own)")
    add_scenario_options(
        parser,
        SCENARIOS,
        set_help="an environment variable of identity and the gateway"
        " (e.g. GATEWAY_HASHING_LANE=4); repeatable",
    )
    parser.add_argument(
        "--log-dir", help="where identity's and the gateway's logs go (default: a temporary folder)"
    )
    return parse(parser, argv, SCENARIOS)


def main(argv: Sequence[str] | None = None) -> None:
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
