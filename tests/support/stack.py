"""The whole system as real processes (the same commands as `make run`), for end-to-end and browser
tests: every API, every worker and the gateway, on free ports, each logging to its own file.
A benchmark may start only some APIs (and no workers), with settings or a command of its own."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.environment import SERVICES, RunEnvironment
from tests.support.inprocess import free_port

ROOT = Path(__file__).resolve().parents[2]
PROCESS_PREFIXES = tuple(name.upper() + "_" for name in (*SERVICES, "gateway"))


@dataclass
class Stack:
    env: RunEnvironment
    log_dir: Path
    apis: tuple[str, ...] = SERVICES  # the services whose API (and worker) runs, besides the gateway
    workers: bool = True
    settings: dict[str, str] = field(default_factory=dict)  # environment variables on top of the usual
    launch: dict[str, list[str]] = field(default_factory=dict)  # a process's command instead of the usual
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def environment(self) -> dict[str, str]:
        # Nothing of the caller's shell configures a process (e.g. dev.env's variables, exported).
        env = {k: v for k, v in os.environ.items() if not k.startswith(PROCESS_PREFIXES)}
        env["PYTHONUNBUFFERED"] = "1"
        for service in SERVICES:
            env.update(self.env.env_vars(service))
            env[f"{service.upper()}_HTTP_PORT"] = str(self.ports[service])
            env[f"{service.upper()}_METRICS_PORT"] = str(self.ports[f"{service}-metrics"])
            env[f"{service.upper()}_WORKER_PORT"] = str(self.ports[f"{service}-worker"])
            env[f"GATEWAY_{service.upper()}_URL"] = self.service_url(service)
        env["REPORTS_RENDER_PORT"] = str(self.ports["reports-render"])
        env["GATEWAY_HTTP_PORT"] = str(self.ports["gateway"])
        env["GATEWAY_METRICS_PORT"] = str(self.ports["gateway-metrics"])
        env["GATEWAY_ENVIRONMENT"] = "test"
        env["GATEWAY_LOG_JSON"] = "true"
        env["GATEWAY_TOKEN_JWKS_URL"] = f"{self.service_url('identity')}/.well-known/jwks.json"
        env["GATEWAY_IDENTITY_SECRET"] = self.env.gateway_secret
        env["GATEWAY_COOKIE_SECURE"] = "false"  # plain http on 127.0.0.1
        env["GATEWAY_BRANDING_CACHE_SECONDS"] = "1"  # a council's change of branding shows at once
        # Every test logs in from 127.0.0.1: the per-address limit is tested on its own, lower.
        env["IDENTITY_LOGIN_LIMIT_PER_ADDRESS"] = "10000"
        env["IDENTITY_RESET_LIMIT_PER_ADDRESS"] = "10000"
        env.update(self.settings)
        return env

    def commands(self) -> dict[str, list[str]]:
        commands = {}
        for service in self.apis:
            commands[service] = [sys.executable, "-m", service, "api"]
            if self.workers:
                commands[f"{service}-worker"] = [sys.executable, "-m", service, "worker"]
        if self.workers and "reports" in self.apis:
            commands["reports-render"] = [sys.executable, "-m", "reports", "render"]
        commands["gateway"] = [sys.executable, "-m", "gateway"]
        return commands | self.launch

    async def start(self) -> None:
        for name in (*SERVICES, "gateway"):
            self.ports[name] = free_port()
            self.ports[f"{name}-metrics"] = free_port()  # the internal listener of the API
        for service in SERVICES:
            self.ports[f"{service}-worker"] = free_port()  # the worker's probes and metrics
        self.ports["reports-render"] = free_port()
        env = self.environment()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name, command in self.commands().items():
            log = (self.log_dir / f"{name}.log").open("wb")
            self.processes[name] = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        await self.wait_ready()

    async def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        # The gateway's readiness is its own (a service down degrades only that service's calls).
        probe = {name: "/readyz" for name in (*self.apis, "gateway")}
        async with httpx.AsyncClient(timeout=1.0) as client:
            pending = set(probe)
            while pending:
                for name, proc in self.processes.items():
                    if proc.poll() is not None:
                        raise RuntimeError(f"{name} exited ({proc.returncode}):\n{self.log(name)[-3000:]}")
                for name in list(pending):
                    try:
                        if (
                            await client.get(f"http://127.0.0.1:{self.ports[name]}{probe[name]}")
                        ).status_code == 200:
                            pending.discard(name)
                    except httpx.HTTPError:
                        pass
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError(f"not ready in {timeout}s: {sorted(pending)}")
                await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)  # workers declare their queues while the APIs come up

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.terminate()
        for proc in self.processes.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def log_records(self, name: str) -> Iterator[dict]:
        for line in self.log(name).splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                continue

    def all_logs(self) -> str:
        return "\n".join(self.log(name) for name in self.processes)
