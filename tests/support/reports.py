"""Driving the reports service in tests: organisations in its projection, runs rendered by in-process
render workers, and render workers as real processes (`python -m reports render`)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aio_pika
import httpx

from reports.main import DEFINITION as REPORTS
from reports.render import RENDER_QUEUE, run_render_worker
from shared import db
from shared.service import Runtime, close_runtime, open_runtime, outbox_relay
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually

ROOT = Path(__file__).resolve().parents[2]


async def add_organisations(env: RunEnvironment, authority: uuid.UUID, names: list[str]) -> list[uuid.UUID]:
    """Organisations in reports' projection, as identity's events would put them."""
    ids = []
    conn = await db.connect(env.dsn("reports"))
    try:
        for name in names:
            org_id = uuid.uuid4()
            ids.append(org_id)
            await conn.execute(
                "INSERT INTO reports.organisation VALUES ($1, $2, $3, $4, true, 1, now())",
                org_id,
                authority,
                name,
                "R1",
            )
    finally:
        await conn.close()
    return ids


async def project_organisation(env: RunEnvironment, organisation_id: uuid.UUID) -> str:
    """An organisation made straight in identity's table (tests/support/identity.portal_tenant, no event)
    put in reports' projection as identity's event would: its name."""
    identity = await db.connect(env.dsn("identity"))
    try:
        found = await identity.fetchrow(
            "SELECT authority_id, name, reference FROM identity.organisation WHERE organisation_id = $1",
            organisation_id,
        )
    finally:
        await identity.close()
    reports = await db.connect(env.dsn("reports"))
    try:
        await reports.execute(
            "INSERT INTO reports.organisation VALUES ($1, $2, $3, $4, true, 1, now())"
            " ON CONFLICT (organisation_id) DO NOTHING",
            organisation_id,
            found["authority_id"],
            found["name"],
            found["reference"],
        )
    finally:
        await reports.close()
    return str(found["name"])


@asynccontextmanager
async def relaying(env: RunEnvironment) -> AsyncIterator[Runtime]:
    """Reports' outbox relay running in the test's loop."""
    runtime = await open_runtime(REPORTS, env.settings(REPORTS))
    stop = asyncio.Event()
    task = asyncio.create_task(outbox_relay(runtime).run(stop))
    try:
        yield runtime
    finally:
        stop.set()
        await task
        await close_runtime(runtime)


@asynccontextmanager
async def rendering(env: RunEnvironment, *, workers: int = 1) -> AsyncIterator[None]:
    """The relay and `workers` render workers (with their dead-letter consumers), in the test's loop."""
    stop = asyncio.Event()
    async with relaying(env):
        runtimes = [await open_runtime(REPORTS, env.settings(REPORTS)) for _ in range(workers)]
        tasks = [asyncio.create_task(run_render_worker(r, stop)) for r in runtimes]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            for runtime in runtimes:
                await close_runtime(runtime)


async def wait_for_status(
    api: httpx.AsyncClient, run_id: str, headers: dict[str, str], status: str, timeout: float = 20
) -> dict:
    async def settled() -> dict | None:
        run = (await api.get(f"/api/v1/reports/runs/{run_id}", headers=headers)).json()
        return run if run["status"] == status else None

    return await eventually(settled, timeout=timeout, interval=0.1)  # type: ignore[no-any-return]


async def render_queue_counts(env: RunEnvironment) -> tuple[int, int]:
    """(messages in reports.render, messages in its dead-letter queue), once no worker holds any.
    A passive declare is current (rabbitmqctl's counts of quorum queues can be seconds old)."""
    connection = await aio_pika.connect(env.amqp_url)
    try:
        channel = await connection.channel()
        counts = []
        for name in (RENDER_QUEUE, f"{RENDER_QUEUE}.dlq"):
            declared = await channel.declare_queue(name, passive=True)
            counts.append(int(declared.declaration_result.message_count or 0))
        return counts[0], counts[1]
    finally:
        await connection.close()


def render_process(env: RunEnvironment, log: Path, *, preamble: str = "") -> subprocess.Popen[bytes]:
    """`python -m reports render` as a real process logging JSON to `log`; `preamble` is Python run
    first (a test's broken renderer)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REPORTS_")}
    environment |= env.env_vars("reports") | {"PYTHONUNBUFFERED": "1"}
    code = (
        f"{preamble}\nimport sys\nfrom reports.main import main\nsys.argv = ['reports', 'render']\nmain()\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=environment,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
