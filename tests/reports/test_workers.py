"""Render workers as ops run them: real processes (`python -m reports render`) competing on the
`reports.render` queue. Two of them against 20 queued runs, one killed mid-render: both render, none
twice, all done, every run's job succeeded, the killed worker's run finished by the other, once, and
the survivor's figures on /metrics (one test: each worker process costs seconds to start in CI). Each
render is made slow (a sleep in the renderer, on the render's thread) so that the workers overlap and a
kill lands mid-render."""

from __future__ import annotations

import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared import db
from shared.jobs import JobState
from tests.support.inprocess import eventually
from tests.support.report_workers import job_of, log_records, logged, queue_runs, statuses
from tests.support.reports import add_organisations, relaying, render_process, render_queue_counts

RUNS = 20
REPORT = "organisation-directory"
# Rendering is made slow, not broken: the writer waits first, then writes.
SLOW_RENDERER = (
    "import asyncio, reports.rendering as r\n"
    "_csv, _pdf = r.write_csv, r.write_pdf\n"
    "async def slow_csv(*a, **k):\n    await asyncio.sleep({s})\n    return await _csv(*a, **k)\n"
    "async def slow_pdf(*a, **k):\n    await asyncio.sleep({s})\n    return await _pdf(*a, **k)\n"
    "r.write_csv, r.write_pdf = slow_csv, slow_pdf\n"
)


@pytest.fixture
async def pool(env) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(env.dsn("reports"), min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def workers(env, logs: list[Path], *, render_seconds: float) -> AsyncIterator[list]:
    """Render worker processes, one per log, consuming when this yields; stopped (SIGTERM) after."""
    processes = [render_process(env, log, preamble=SLOW_RENDERER.format(s=render_seconds)) for log in logs]
    try:

        async def all_consuming() -> bool:
            return all(any(r.get("event") == "consumer_started" for r in log_records(log)) for log in logs)

        await eventually(all_consuming, timeout=60, interval=0.1)
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=10)


async def all_done(pool: asyncpg.Pool, run_ids: list[uuid.UUID]) -> bool:
    return set((await statuses(pool, run_ids)).values()) == {"done"}


def metrics_port(log: Path) -> int:
    (port,) = [r["port"] for r in log_records(log) if r.get("event") == "internal_listener_started"]
    return int(port)


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The worker's /metrics as {(sample name, sorted labels): value}."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_two_workers_render_20_runs_once_each_and_a_killed_workers_run_is_finished_by_the_other(
    env, authority, pool, tmp_path
):
    (org,) = await add_organisations(env, authority, ["Twenty Runs Care"])
    victim_log, survivor_log = tmp_path / "render-victim.log", tmp_path / "render-survivor.log"
    async with workers(env, [victim_log, survivor_log], render_seconds=0.2) as (victim, _survivor):
        run_ids = await queue_runs(
            pool, authority_id=authority, organisation_id=org, count=RUNS, formats=("csv", "pdf")
        )
        mine = {str(r) for r in run_ids}
        async with relaying(env):

            async def mid_render() -> str | None:
                """A run the victim has started and not rendered, once it has rendered one before."""
                started = [r for r in logged(victim_log, "report_render_started") if r in mine]
                rendered = set(logged(victim_log, "report_rendered"))
                holding = [r for r in started if r not in rendered]
                return holding[-1] if rendered & mine and holding else None

            held = await eventually(mid_render, timeout=60, interval=0.02)
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            assert (await statuses(pool, [uuid.UUID(held)]))[uuid.UUID(held)] == "queued"
            await eventually(lambda: all_done(pool, run_ids), timeout=90, interval=0.1)
        figures = await scrape(metrics_port(survivor_log))
        assert await render_queue_counts(env) == (0, 0)
    by_victim = [r for r in logged(victim_log, "report_rendered") if r in mine]
    by_survivor = [r for r in logged(survivor_log, "report_rendered") if r in mine]
    assert by_victim and by_survivor  # both rendered
    assert Counter(by_victim + by_survivor) == Counter(mine)  # every run rendered once, the held one too
    assert held not in by_victim and held in by_survivor  # started by one, finished by the other
    assert held in logged(survivor_log, "report_render_started")
    assert (
        await pool.fetchval("SELECT count(*) FROM reports.artifact WHERE run_id = ANY($1::uuid[])", run_ids)
        == RUNS
    )
    rendered_audits = await pool.fetch(
        "SELECT subject_id FROM reports.audit_event WHERE action = 'report_run_rendered'"
        " AND subject_id = ANY($1::uuid[])",
        run_ids,
    )
    assert Counter(r["subject_id"] for r in rendered_audits) == Counter(run_ids)
    for run_id in run_ids:  # the held run's job too: started by the victim, succeeded by the survivor
        job = await job_of(pool, run_id)
        assert (job.state, job.done, job.total, job.failure_reason) == (JobState.succeeded, 1, 1, None)
    # The survivor's figures are its own renders, each timed; nothing in hand, nothing waiting.
    rendered_here = sum(
        figures.get(("report_renders_total", (("format", f), ("outcome", o), ("report", REPORT))), 0)
        for f in ("csv", "pdf")
        for o in ("rendered",)
    )
    timed_here = sum(
        figures.get(("report_render_seconds_count", (("format", f), ("report", REPORT))), 0)
        for f in ("csv", "pdf")
    )
    assert rendered_here == timed_here == len(by_survivor)
    assert figures[("report_renders_in_progress", ())] == 0
    assert figures[("consumer_lag_messages", (("queue", "reports.render"),))] == 0
    assert figures[("consumer_lag_messages", (("queue", "reports.render.dlq"),))] == 0
