"""Report runs as the render worker does them: render one, or give up on one.

These run for the system, not for a caller: the run's own authority and organisation scope what a
render reads, and every change of a run's state is audited with the worker as the actor.

A run is claimed once: its render holds the run's row lock in the consumer's transaction until the file
is stored and the run marked done, so a second delivery of the same job (a worker that lost its broker
link, a republished job) waits for that commit and then finds the run settled. A worker killed
mid-render takes its transaction with it: the broker redelivers the job to another worker, which
renders the run from the start and finishes it, once. The run's job (shared.jobs) is started and
advanced on connections of its own, committed as they happen so the user sees the progress while the
render runs; it succeeds or fails in the render's transaction, with the run.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg

from reports import rendering
from reports.domain import parameters
from reports.domain.catalogue import CATALOGUE, ReportDefinition
from reports.domain.runs import RENDER_ABANDONED, RENDER_FAILED
from reports.rendering import Branding
from reports.store import runs, sources
from reports.store.runs import Run
from shared.events import Envelope, ReportRunRequested
from shared.jobs import Job, JobNotFound, Jobs, JobState
from shared.logging import get_logger
from shared.tenancy import Tenancy
from shared.uow import Actor, UnitOfWork, Work

log = get_logger(__name__)
RENDERER = "render"
DEAD_LETTERS = "render-dead-letters"
# A rendered file is kept in memory up to this size, then spills to a temporary file: it is stored from
# there in chunks, so a large report is never held whole in memory, let alone twice.
SPOOL_BYTES = 8 * 1024 * 1024

JOBS = Jobs("reports")
PROGRESS_EVERY_SECONDS = 0.5  # a progress report is a committed write: a few a second at most

Outcome = Literal["rendered", "failed", "skipped"]
Progress = Callable[[int], Awaitable[None]]  # rows written so far


async def render_run(
    work: Work, conn: asyncpg.Connection, envelope: Envelope, event: ReportRunRequested
) -> Outcome:
    """Render one run inside the consumer's transaction (idempotent: a settled run is `skipped`).

    A render that fails is recorded as failed and the message acked: rendering the same rows again
    would fail again. Only a broken database link is left to the consumer, to retry."""
    actor = Actor.system(RENDERER, correlation_id=envelope.correlation_id)
    run = await runs.lock_run(conn=conn, run_id=event.run_id)
    if run is None or run.status != "queued":
        return "skipped"
    definition = CATALOGUE.get(event.report)
    if definition is None:
        async with work.within(conn, actor) as uow:
            await _fail(uow, run, f"there is no report called {event.report!r}")
        return "failed"
    job = await _start_job(work, run)
    log.info("report_render_started", run_id=str(run.run_id), report=run.report, format=run.format)
    try:
        async with work.within(
            conn, actor
        ) as uow:  # a savepoint: what a failed render wrote goes, the run stays
            await _render(uow, definition, run, progress=JobProgress(work, run, job))
            if job is not None:
                await JOBS.succeed(uow.conn, tenancy=_tenancy(run), job_id=job.job_id)
    except Exception as exc:
        if conn.is_closed():
            raise
        log.exception("report_render_failed", run_id=str(run.run_id), error=repr(exc))
        async with work.within(conn, actor) as uow:
            await _fail(uow, run, RENDER_FAILED)
        return "failed"
    return "rendered"


class JobProgress:
    """The rows a render has written, reported to the run's job: committed at once on a connection of
    its own, at most every PROGRESS_EVERY_SECONDS. A render taken over from a worker that died counts
    again from 0: the job never goes back, so its progress waits until this render passes it."""

    def __init__(self, work: Work, run: Run, job: Job | None) -> None:
        self.work, self.run, self.job = work, run, job
        self.reported_at = 0.0

    async def total(self, rows: int) -> None:
        """The rows the report will have, when the render knows them before it starts."""
        if self.job is not None and self.job.done <= rows:
            self.job = await JOBS.advance(
                self.work.pool,
                tenancy=_tenancy(self.run),
                job_id=self.job.job_id,
                done=self.job.done,
                total=rows,
            )

    async def finished(self, rows: int) -> None:
        """All the rows written: the job's final figure (its rows, counted as they streamed)."""
        if self.job is not None and self.job.done <= rows:
            self.job = await JOBS.advance(
                self.work.pool, tenancy=_tenancy(self.run), job_id=self.job.job_id, done=rows, total=rows
            )

    async def __call__(self, done: int) -> None:
        now = time.monotonic()
        if self.job is None or now - self.reported_at < PROGRESS_EVERY_SECONDS or done <= self.job.done:
            return
        if self.job.total is not None and done > self.job.total:
            return  # more rows than counted (added since): the job succeeds with the run
        self.reported_at = now
        self.job = await JOBS.advance(
            self.work.pool, tenancy=_tenancy(self.run), job_id=self.job.job_id, done=done
        )


async def _start_job(work: Work, run: Run) -> Job | None:
    """The run's job, started (committed now, so the user sees the run rendering); a job already
    running was started by a worker that died mid-render."""
    job = await _job_of(work.pool, run)
    if job is None:
        return None
    if job.state is JobState.queued:
        job = await JOBS.start(work.pool, tenancy=_tenancy(run), job_id=job.job_id)
    return job


async def _job_of(db: asyncpg.Connection | asyncpg.Pool, run: Run) -> Job | None:
    """The run's job; None for a run without one (or whose job is gone: its render still goes on)."""
    if run.job_id is None:
        return None
    try:
        return await JOBS.get(db, tenancy=_tenancy(run), job_id=run.job_id)
    except JobNotFound:
        log.warning("report_run_job_missing", run_id=str(run.run_id), job_id=str(run.job_id))
        return None


def _tenancy(run: Run) -> Tenancy:
    """The run's authority: the worker works for it, whichever of its organisations the run is for."""
    return Tenancy(run.authority_id, None)


async def abandon_run(work: Work, *, run_id: uuid.UUID, cause: str) -> bool:
    """Fail a run whose render job was dead-lettered (it kept stopping its worker); False if the run
    is not queued any more (or not there at all)."""
    async with work.begin(Actor.system(DEAD_LETTERS)) as uow:
        run = await runs.lock_run(conn=uow.conn, run_id=run_id)
        return run is not None and await _fail(uow, run, RENDER_ABANDONED, cause=cause)


async def _render(uow: UnitOfWork, definition: ReportDefinition, run: Run, *, progress: JobProgress) -> None:
    """Stream the report's rows from its source (the read model, within the run's authority and, for a
    provider's run, its organisation) into the file, then store the file and finish the run."""
    # The run's parameters as the API checked and stored them, typed again for the source.
    params: dict[str, Any] = parameters.parse(definition, run.parameters)
    source = sources.SOURCES[definition.source or definition.key]
    rows = source(uow.conn, authority_id=run.authority_id, organisation_id=run.organisation_id, params=params)
    council = await sources.branding(uow.conn, authority_id=run.authority_id)
    printed = datetime.now(UTC)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as file:
        if run.format == "pdf":
            written = await rendering.write_pdf(
                definition,
                rows,
                file,
                branding=Branding(*council) if council else Branding(name="Provider Portal"),
                parameters=parameters.described(definition, params),
                printed=printed,
                progress=progress,
            )
        else:
            written = await rendering.write_csv(definition, rows, file, progress=progress)
        await progress.finished(written)
        size = file.tell()
        # Logged as it happens, not after the commit: a render done twice shows even if one is not stored.
        log.info("report_rendered", run_id=str(run.run_id), bytes=size, rows=written)
        file.seek(0)
        await runs.finish_run(
            conn=uow.conn,
            run_id=run.run_id,
            content_type=rendering.CONTENT_TYPES[run.format],
            filename=rendering.filename(definition, run.format, printed=printed),
            body=file,
        )
    await uow.audit(
        "report_run_rendered",
        authority_id=run.authority_id,
        organisation_id=run.organisation_id,
        subject_id=run.run_id,
        rows=written,
    )


async def _fail(uow: UnitOfWork, run: Run, reason: str, *, cause: str | None = None) -> bool:
    """Fail the run with the reason its user reads; `cause` (for the audit and the log) stays ours."""
    failed = await runs.fail_run(conn=uow.conn, run_id=run.run_id, error=reason)
    job = await _job_of(uow.conn, run) if failed else None
    if job is not None and job.state in (JobState.queued, JobState.running):
        await JOBS.fail(uow.conn, tenancy=_tenancy(run), job_id=job.job_id, reason=reason)
    if failed:
        await uow.audit(
            "report_run_failed",
            authority_id=run.authority_id,
            organisation_id=run.organisation_id,
            subject_id=run.run_id,
            outcome="failure",
            reason=reason,
            cause=cause,
        )
        uow.log("report_run_failed", run_id=str(run.run_id), cause=cause)
    return failed
