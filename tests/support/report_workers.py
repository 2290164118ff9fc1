"""Render jobs for the render workers' tests and benchmarks: runs recorded with their jobs, and their
render jobs published, as the run API does (one unit of work each: run, job, outbox row); and what
the workers' JSON logs say they did."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg

from reports.handlers.rendering import JOBS
from reports.store import runs
from shared.bus import Outbox
from shared.events import ReportRunRequested
from shared.jobs import Job
from shared.tenancy import Tenancy
from shared.uow import Actor, UnitOfWork, Work


async def queue_runs(
    pool: asyncpg.Pool,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    count: int,
    report: str = "organisation-directory",
    formats: tuple[str, ...] = ("csv",),
    publish: bool = True,
) -> list[uuid.UUID]:
    """`count` queued runs of `report` (formats in turn), each with a queued job and its render job in
    the outbox (a relay publishes them; none with `publish=False`: a test that calls the handlers)."""
    work = Work(pool, Outbox("reports"))
    run_ids = []
    for n in range(count):
        run_id = uuid.uuid4()
        async with work.begin(Actor.system("test")) as uow:
            job = await JOBS.create(
                uow.conn,
                authority_id=authority_id,
                organisation_id=organisation_id,
                kind="reports.render",
                created_by="user-1",
            )
            run = await runs.add_run(
                conn=uow.conn,
                run_id=run_id,
                authority_id=authority_id,
                organisation_id=organisation_id,
                report=report,
                format=formats[n % len(formats)],
                requested_by="user-1",
                parameters={},
                job_id=job.job_id,
                kept_for=timedelta(days=1),
            )
            if publish:
                await publish_render_job(uow, run)
        run_ids.append(run_id)
    return run_ids


async def publish_render_job(uow: UnitOfWork, run: runs.Run) -> None:
    """The run's render job, as the run API publishes it (a new event each call: a republish)."""
    event = ReportRunRequested.model_validate(run.model_dump(include=set(ReportRunRequested.model_fields)))
    await uow.publish(event, aggregate_id=run.run_id, authority_id=run.authority_id)


async def job_of(pool: asyncpg.Pool, run_id: uuid.UUID) -> Job:
    row = await pool.fetchrow("SELECT authority_id, job_id FROM reports.report_run WHERE run_id = $1", run_id)
    return await JOBS.get(pool, tenancy=Tenancy(row["authority_id"], None), job_id=row["job_id"])


async def statuses(pool: asyncpg.Pool, run_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await pool.fetch(
        "SELECT run_id, status FROM reports.report_run WHERE run_id = ANY($1::uuid[])", run_ids
    )
    return {r["run_id"]: r["status"] for r in rows}


def log_records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON records of a worker's log (other lines skipped)."""
    if not path.exists():
        return
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


def logged(path: Path, event: str) -> list[str]:
    """The run ids of the worker's `event` records (report_render_started, report_rendered), in order."""
    return [r["run_id"] for r in log_records(path) if r.get("event") == event and "run_id" in r]
