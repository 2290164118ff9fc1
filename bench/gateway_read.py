"""The gateway's read path (issue 10): `uv run python -m bench.gateway_read`.

In one run, on an isolated database and vhost (tests/support/environment, removed at the end), with
identity's API and the gateway as real processes (tests/support/stack, no workers), the same
authenticated GET of /api/v1/identity/organisation loaded by wrk (1 thread, 16 connections, 8 s):
- floor:   straight to identity with an internal token (what the gateway forwards): identity's own cost;
- ours:    through the gateway with a browser's session cookie (the gateway turns it into the token);
- naive:   the same through a second gateway that exchanges the session with identity on every request
           (GATEWAY_TOKEN_CACHE_SECONDS=0), as a first implementation would;
- healthz: the gateway's own /healthz, the cost of its HTTP stack alone.
The CPU each process used during each load (gateway, naive gateway, identity, the run database's
PostgreSQL backends, wrk) is read from /proc and reported per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import add_scenario_options, by_name, machine, parse, run_main
from bench.load import Load, wrk, wrk_path
from bench.logins import log_in, seed_users
from bench.processes import process_cpu
from bench.scenarios import backend_cpu
from identity.config import Settings as IdentitySettings
from tests.support.environment import RunEnvironment, definitions, new_run_id
from tests.support.inprocess import free_port
from tests.support.stack import ROOT, Stack

SCENARIOS = ("floor", "ours", "naive", "healthz")
PATH = "/api/v1/identity/organisation"
GOAL_RATE, GOAL_P99_MS, GOAL_GATEWAY_CPU_MS = 1000.0, 100.0, 0.5


@dataclass
class Target:
    """Where each scenario sends its GET, with which credential, and whose CPU counts."""

    stack: Stack
    naive: subprocess.Popen[bytes] | None
    naive_port: int
    session: str

    def processes(self) -> dict[str, int]:
        pids = {name: proc.pid for name, proc in self.stack.processes.items()}
        return pids | ({"naive gateway": self.naive.pid} if self.naive else {})

    async def cpu(self) -> dict[str, float]:
        used = {name: process_cpu(pid) for name, pid in self.processes().items()}
        used["postgres"] = sum((await backend_cpu(self.stack.env.database)).values())
        return used

    async def internal_token(self) -> str:
        """The session's internal token, as identity gives it to the gateway (fresh: it lives 2 min)."""
        async with httpx.AsyncClient(base_url=self.stack.service_url("identity"), timeout=10) as client:
            answer = await client.post(
                "/internal/v1/identity/sessions/token",
                json={"session_id": self.session},
                headers={"x-gateway-secret": self.stack.env.gateway_secret},
            )
            answer.raise_for_status()
            return str(answer.json()["token"])

    async def request(self, scenario: str) -> tuple[str, dict[str, str]]:
        cookie = {"cookie": f"portal_session={self.session}"}
        if scenario == "floor":
            token = await self.internal_token()
            return self.stack.service_url("identity") + PATH, {"authorization": f"Bearer {token}"}
        if scenario == "ours":
            return self.stack.url + PATH, cookie
        if scenario == "naive":
            return f"http://127.0.0.1:{self.naive_port}{PATH}", cookie
        return self.stack.url + "/healthz", {}


async def check(target: Target, scenarios: Sequence[str]) -> None:
    """Each scenario's GET answers 200, and the three paths give the same organisation."""
    bodies = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for scenario in scenarios:
            url, headers = await target.request(scenario)
            answer = await client.get(url, headers=headers)
            if answer.status_code != 200:
                raise RuntimeError(f"{scenario}: GET {url} answered {answer.status_code}: {answer.text}")
            bodies[scenario] = answer.json()
    organisations = [body for name, body in bodies.items() if name != "healthz"]
    if any(body != organisations[0] for body in organisations):
        raise RuntimeError(f"the paths disagree: {bodies}")


async def start_naive(stack: Stack, log_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A second gateway beside the stack's, exchanging the session with identity on every request."""
    port = free_port()
    env = stack.environment() | {
        "GATEWAY_HTTP_PORT": str(port),
        "GATEWAY_METRICS_PORT": str(free_port()),
        "GATEWAY_TOKEN_CACHE_SECONDS": "0",
    }
    log = (log_dir / "naive-gateway.log").open("wb")
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, like the stack's own processes
        [stack.commands()["gateway"][0], "-m", "gateway"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    async with httpx.AsyncClient(timeout=1) as client:
        for _ in range(300):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return process, port
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                break
            await asyncio.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the naive gateway did not start: see {log_dir / 'naive-gateway.log'}")


def spread(values: Sequence[float], fmt: str = "{:,.0f}") -> str:
    """The median, with the lowest and highest in brackets."""
    median = fmt.format(statistics.median(values))
    return median if len(values) == 1 else f"{median} [{fmt.format(min(values))}-{fmt.format(max(values))}]"


def report(args: argparse.Namespace, about: str, loads: list[Load]) -> str:
    lines = [
        f"Machine: {about}",
        f"Load: wrk, 1 thread, {args.connections} connections, {args.seconds:g} s per run after {args.warmup:g} s"
        f" of warm-up; GET {PATH} (healthz: the gateway's /healthz); rounds: {args.rounds} (scenarios"
        " interleaved; median, with the lowest and highest in brackets).",
        "",
        "| path | requests/s | p50 ms | p90 ms | p99 ms | failed | CPU ms per request, by process |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    grouped = by_name(loads)
    for name, runs in grouped.items():
        by_process = ", ".join(
            f"{process} {statistics.median(run.cpu_ms_per_request(process) for run in runs):.2f}"
            for process in runs[0].cpu
            if statistics.median(run.cpu_ms_per_request(process) for run in runs) >= 0.005
        )
        latency = [
            spread([run.latency_ms.get(q, float("nan")) for run in runs], "{:.1f}") for q in (50, 90, 99)
        ]
        lines.append(
            f"| {name} | {spread([run.rate for run in runs])} | {' | '.join(latency)}"
            f" | {sum(run.failed for run in runs)} | {by_process} |"
        )
    if "ours" in grouped:
        ours = grouped["ours"]
        rate = statistics.median(run.rate for run in ours)
        p99 = statistics.median(run.latency_ms[99] for run in ours)
        cpu = statistics.median(run.cpu_ms_per_request("gateway") for run in ours)
        lines += [
            "",
            f"ours: {rate:,.0f} requests/s (goal >= {GOAL_RATE:,.0f}: {_met(rate >= GOAL_RATE)}),"
            f" p99 {p99:.1f} ms (goal < {GOAL_P99_MS:.0f}: {_met(p99 < GOAL_P99_MS)}),"
            f" gateway CPU {cpu:.2f} ms per request (goal <= {GOAL_GATEWAY_CPU_MS}:"
            f" {_met(cpu <= GOAL_GATEWAY_CPU_MS)})",
        ]
        if "floor" in grouped:
            ratio = rate / statistics.median(run.rate for run in grouped["floor"])
            lines.append(
                f"ours / floor = {ratio:.2f} (requests/s through the gateway / straight to identity)"
            )
    return "\n".join(lines)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


async def run(args: argparse.Namespace) -> str:
    wrk_path()  # before anything is started: a clear message when it is missing
    about = await machine()
    env = RunEnvironment(run_id=new_run_id())
    identity = next(d for d in definitions() if d.name == "identity")
    settings = env.settings(identity)
    assert isinstance(settings, IdentitySettings)
    log_dir = Path(args.log_dir or tempfile.mkdtemp(prefix="bench-gateway-"))
    stack = Stack(env=env, log_dir=log_dir, apis=("identity",), workers=False, settings=args.settings)
    naive: subprocess.Popen[bytes] | None = None
    loads: list[Load] = []
    await env.create()
    try:
        people = await seed_users(env, settings, count=1)
        await stack.start()
        naive_port = 0
        if "naive" in args.scenarios:
            naive, naive_port = await start_naive(stack, log_dir)
        async with httpx.AsyncClient(base_url=stack.url, timeout=60) as browser:
            await log_in(browser, people.authority, people.emails[0])
            session = browser.cookies["portal_session"]
        target = Target(stack, naive, naive_port, session)
        await check(target, args.scenarios)
        plan = list(args.scenarios) * args.rounds
        for step, scenario in enumerate(plan, start=1):
            url, headers = await target.request(scenario)
            options = {"headers": headers, "connections": args.connections}
            if args.warmup > 0:
                await wrk(scenario, url, seconds=args.warmup, **options)
            load = await wrk(scenario, url, seconds=args.seconds, cpu=target.cpu, **options)
            loads.append(load)
            print(
                f"[{step}/{len(plan)}] {scenario}: {load.rate:,.0f}/s, p99 {load.latency_ms.get(99, 0):.1f} ms,"
                f" failed {load.failed}",
                flush=True,
            )
    finally:
        if naive is not None:
            naive.terminate()
            naive.wait(timeout=10)
        stack.stop()
        await env.destroy()
    return report(args, about, loads)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.gateway_read", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each measured load")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured load before each (0: none)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections")
    parser.add_argument("--rounds", type=int, default=3, help="times each scenario runs")
    add_scenario_options(
        parser,
        SCENARIOS,
        set_help="an environment variable of identity and the gateway (e.g. GATEWAY_LOG_LEVEL=WARNING);"
        " repeatable",
    )
    parser.add_argument("--log-dir", help="where the processes' logs go (default: a temporary folder)")
    return parse(parser, argv, SCENARIOS)


def main(argv: Sequence[str] | None = None) -> None:
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
