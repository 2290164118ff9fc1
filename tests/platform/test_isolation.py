"""Two test runs at once on the same PostgreSQL and RabbitMQ do not see each other's rows or messages,
and a finished run leaves no database, role, vhost (hence no queue or exchange) behind."""

from __future__ import annotations

import asyncio
import secrets
import sys
from pathlib import Path

import asyncpg

from shared import db
from tests.support.environment import ADMIN_DSN, PREFIX, rabbitmqctl
from tests.support.unmeasured import unmeasured_environ

PROBE = Path(__file__).with_name("probe_isolation.py")


async def nested_run(run_id: str) -> tuple[int, str]:
    # A run of its own: not a worker of this run's pytest-xdist (whose variables would rename it).
    # Not measured by coverage either: the probe's run is about isolation, and tracing a whole nested
    # pytest start-up costs seconds on a busy machine.
    env = unmeasured_environ("PYTEST_XDIST_", PORTAL_TEST_RUN_ID=run_id, PROBE_MARKER=run_id)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pytest",
        str(PROBE),
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def leftovers(run_ids: list[str]) -> list[str]:
    conn = await asyncpg.connect(db.with_database(ADMIN_DSN, "postgres"))
    try:
        names = [r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")]
        names += [r["rolname"] for r in await conn.fetch("SELECT rolname FROM pg_roles")]
    finally:
        await conn.close()
    names += (await rabbitmqctl("list_vhosts", "name")).split()
    return [n for n in names if any(n.startswith(f"{PREFIX}{run_id}") for run_id in run_ids)]


async def test_two_runs_at_once_are_isolated_and_leave_nothing_behind():
    run_ids = [f"iso{secrets.token_hex(3)}", f"iso{secrets.token_hex(3)}"]
    results = await asyncio.gather(*(nested_run(r) for r in run_ids))
    for code, output in results:
        assert code == 0, output[-3000:]
        assert "1 passed" in output
    assert await leftovers(run_ids) == []
