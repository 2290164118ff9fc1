"""What a render worker does with a run's job and its figures, in the test's process: the job running
(with its total) while the render runs, committed for the user to see; succeeded with the run, or
failed with it; a job for a settled run skipped; progress of a render taken over never going back; a
dead-lettered run's job failed too."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from reports import rendering
from reports.domain.runs import RENDER_ABANDONED, RENDER_FAILED
from reports.handlers.rendering import JOBS, JobProgress, abandon_run
from reports.main import DEFINITION as REPORTS
from reports.render import run_render_worker
from reports.store import runs
from shared import db
from shared.bus import Outbox
from shared.jobs import JobState
from shared.service import Runtime, close_runtime, open_runtime
from shared.store import AuthorityScope
from shared.tenancy import Tenancy
from shared.uow import Actor, Work
from tests.support.inprocess import eventually
from tests.support.report_workers import job_of, publish_render_job, queue_runs, statuses
from tests.support.reports import add_organisations, relaying, render_queue_counts

REPORT = "organisation-directory"


@pytest.fixture
async def pool(env) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(env.dsn("reports"), min_size=1, max_size=3)
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def worker(env) -> AsyncIterator[Runtime]:
    """The relay and one render worker in the test's loop; its runtime (and so its figures). Render jobs
    other tests of the package left in the outbox on purpose (a run queued with no worker) are taken
    out of the relay's way first: these tests count their own renders."""
    conn = await db.connect(env.dsn("reports"))
    try:
        await conn.execute("UPDATE reports.outbox SET published_at = now() WHERE published_at IS NULL")
    finally:
        await conn.close()
    assert await render_queue_counts(env) == (0, 0)
    async with relaying(env):
        runtime = await open_runtime(REPORTS, env.settings(REPORTS))
        stop = asyncio.Event()
        task = asyncio.create_task(run_render_worker(runtime, stop))
        try:
            yield runtime
        finally:
            stop.set()
            await task
            await close_runtime(runtime)


def figure(runtime: Runtime, name: str, **labels: str) -> float:
    return runtime.metrics.registry.get_sample_value(name, labels) or 0.0


async def settled(pool: asyncpg.Pool, run_id: uuid.UUID) -> str | None:
    status = (await statuses(pool, [run_id]))[run_id]
    return None if status == "queued" else status


async def test_the_job_runs_with_its_total_while_the_render_runs_then_succeeds_with_the_run(
    env, authority, pool, monkeypatch
):
    await add_organisations(env, authority, ["Job Care", "Other One", "Other Two"])
    release = threading.Event()
    write_csv = rendering.write_csv

    async def held_render(*args, **kwargs):  # waits on a thread: the worker's loop keeps going
        assert await asyncio.to_thread(release.wait, 30)
        return await write_csv(*args, **kwargs)

    monkeypatch.setattr(rendering, "write_csv", held_render)
    async with worker(env) as runtime:
        # A council run (no organisation): the authority's three organisations.
        (run_id,) = await queue_runs(pool, authority_id=authority, organisation_id=None, count=1)

        async def running():
            job = await job_of(pool, run_id)
            return job if job.state is JobState.running else None

        job = await eventually(running, timeout=20, interval=0.05)
        # Seen from outside while the render holds the run: started, no row written yet (the rows stream
        # from the source, so their number is known only at the end).
        assert (job.done, job.started_at is not None) == (0, True)
        assert (await statuses(pool, [run_id]))[run_id] == "queued"
        assert figure(runtime, "report_renders_in_progress") == 1
        release.set()
        assert await eventually(lambda: settled(pool, run_id), timeout=20, interval=0.05) == "done"
        await eventually(lambda: _no_render_in_hand(runtime), timeout=10, interval=0.05)
        assert figure(runtime, "report_renders_total", report=REPORT, format="csv", outcome="rendered") == 1
        assert figure(runtime, "report_render_seconds_count", report=REPORT, format="csv") == 1
        assert figure(runtime, "report_render_seconds_sum", report=REPORT, format="csv") > 0
    job = await job_of(pool, run_id)
    assert (job.state, job.done, job.total, job.failure_reason) == (JobState.succeeded, 3, 3, None)
    assert job.finished_at is not None


async def test_a_failed_render_fails_its_job_and_a_job_for_a_settled_run_is_skipped(
    env, authority, pool, monkeypatch
):
    (org,) = await add_organisations(env, authority, ["Failing Care"])

    async def broken(*args, **kwargs):
        raise ValueError("the renderer is broken")

    monkeypatch.setattr(rendering, "write_csv", broken)
    async with worker(env) as runtime:
        (run_id,) = await queue_runs(pool, authority_id=authority, organisation_id=org, count=1)
        assert await eventually(lambda: settled(pool, run_id), timeout=20, interval=0.05) == "failed"
        await eventually(lambda: _no_render_in_hand(runtime), timeout=10, interval=0.05)
        job = await job_of(pool, run_id)
        assert (job.state, job.failure_reason) == (JobState.failed, RENDER_FAILED)
        assert figure(runtime, "report_renders_total", report=REPORT, format="csv", outcome="failed") == 1
        assert figure(runtime, "report_render_seconds_count", report=REPORT, format="csv") == 1

        # The same run's render job again (a republished job): the run is settled, nothing changes.
        await _publish_again(pool, authority, run_id)
        await eventually(
            lambda: _counted(runtime, "skipped"),
            timeout=20,
            interval=0.05,
        )
        assert figure(runtime, "report_renders_total", report=REPORT, format="csv", outcome="failed") == 1
        assert figure(runtime, "report_render_seconds_count", report=REPORT, format="csv") == 1
    row = await pool.fetchrow("SELECT status, error FROM reports.report_run WHERE run_id = $1", run_id)
    assert (row["status"], row["error"]) == ("failed", RENDER_FAILED)
    assert await job_of(pool, run_id) == job
    assert await pool.fetchval("SELECT count(*) FROM reports.artifact WHERE run_id = $1", run_id) == 0
    assert await render_queue_counts(env) == (0, 0)


async def test_progress_of_a_render_taken_over_waits_until_it_passes_the_job_and_never_goes_past_the_total(
    env, authority, pool
):
    """The second worker of a run counts its rows from 0 again: the job (left at 5 of 10 by the worker
    that died) stays at 5 until this render passes it."""
    (run_id,) = await queue_runs(pool, authority_id=authority, organisation_id=None, count=1, publish=False)
    job = await job_of(pool, run_id)
    tenancy = Tenancy(authority, None)
    await JOBS.start(pool, tenancy=tenancy, job_id=job.job_id, total=10)
    job = await JOBS.advance(pool, tenancy=tenancy, job_id=job.job_id, done=5)
    async with pool.acquire() as conn:
        run = await runs.get_run(conn=conn, run_id=run_id, scope=AuthorityScope(authority))
    assert run is not None and run.job_id == job.job_id
    progress = JobProgress(Work(pool, Outbox("reports")), run, job)
    await progress(3)
    assert (await job_of(pool, run_id)).done == 5
    progress.reported_at = 0.0
    await progress(7)
    assert ((await job_of(pool, run_id)).done, (await job_of(pool, run_id)).total) == (7, 10)
    await progress(8)  # within PROGRESS_EVERY_SECONDS of the last report written: not written
    assert (await job_of(pool, run_id)).done == 7
    progress.reported_at = 0.0
    await progress(12)  # more rows than were counted: left to the job's success with the run
    assert (await job_of(pool, run_id)).done == 7


async def test_a_dead_lettered_run_fails_its_running_job(env, authority, pool):
    (run_id,) = await queue_runs(pool, authority_id=authority, organisation_id=None, count=1, publish=False)
    job = await job_of(pool, run_id)
    await JOBS.start(pool, tenancy=Tenancy(authority, None), job_id=job.job_id)  # by a worker since dead
    assert await abandon_run(Work(pool, Outbox("reports")), run_id=run_id, cause="delivery_limit")
    job = await job_of(pool, run_id)
    assert (job.state, job.failure_reason) == (JobState.failed, RENDER_ABANDONED)
    assert not await abandon_run(Work(pool, Outbox("reports")), run_id=run_id, cause="delivery_limit")
    assert await job_of(pool, run_id) == job


async def _no_render_in_hand(runtime: Runtime) -> bool:
    return figure(runtime, "report_renders_in_progress") == 0


async def _counted(runtime: Runtime, outcome: str) -> bool:
    return figure(runtime, "report_renders_total", report=REPORT, format="csv", outcome=outcome) == 1


async def _publish_again(pool: asyncpg.Pool, authority: uuid.UUID, run_id: uuid.UUID) -> None:
    """The run's render job in the outbox again, as a new event (a replay, a republish)."""
    async with Work(pool, Outbox("reports")).begin(Actor.system("test")) as uow:
        run = await runs.get_run(conn=uow.conn, run_id=run_id, scope=AuthorityScope(authority))
        assert run is not None
        await publish_render_job(uow, run)
