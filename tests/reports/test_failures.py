"""A report run that fails is failed, not queued forever: the user sees why, and the job is not retried
by a crash loop (a render that raises is acked at once; one that kills its worker is bounded by the
render queue's delivery limit, then marked failed)."""

from __future__ import annotations

import asyncio
import subprocess
import uuid

import httpx

import reports.rendering as renderers
from reports.domain.runs import RENDER_ABANDONED, RENDER_FAILED
from reports.handlers.rendering import render_run
from reports.main import DEFINITION as REPORTS
from shared import db
from shared.bus import Outbox
from shared.events import Envelope, ReportRunRequested, make_envelope
from shared.service import create_api
from shared.uow import Work
from tests.support.inprocess import serve
from tests.support.reports import (
    add_organisations,
    relaying,
    render_process,
    render_queue_counts,
    rendering,
    wait_for_status,
)

CRASHING_RENDERER = "import os, reports.rendering as r\nr.write_csv = lambda *a, **k: os._exit(3)"


async def test_a_render_that_raises_is_failed_once_and_acked(env, authority, monkeypatch):
    (org,) = await add_organisations(env, authority, ["Broken Care"])
    calls = []

    async def broken(*args, **kwargs):
        calls.append(args)
        raise ValueError("the renderer is broken")

    monkeypatch.setattr(renderers, "write_csv", broken)
    provider = {"authorization": f"Bearer {env.token(authority_id=authority, organisation_id=org)}"}
    async with rendering(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        created = await api.post(
            "/api/v1/reports/runs",
            json={"report": "organisation-directory", "format": "csv"},
            headers=provider,
        )
        run_id = created.json()["run_id"]
        run = await wait_for_status(api, run_id, provider, "failed")
        assert run["error"] == RENDER_FAILED
        assert run["finished_at"] is not None
        file = await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=provider)
        assert file.status_code == 409
        assert file.headers["content-type"] == "application/problem+json"
        assert (
            file.json()["detail"]
            == f"the report run failed, so there is no file to download: {RENDER_FAILED}"
        )
        await asyncio.sleep(1.5)  # a retry would come back within the first back-off steps
    assert len(calls) == 1
    assert await render_queue_counts(env) == (0, 0)


async def test_a_render_that_kills_its_worker_is_bounded_then_failed(env, authority, tmp_path):
    (org,) = await add_organisations(env, authority, ["Crashing Care"])
    provider = {"authorization": f"Bearer {env.token(authority_id=authority, organisation_id=org)}"}
    limit = env.settings(REPORTS).consumer_delivery_limit
    crashes = 0
    async with relaying(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        created = await api.post(
            "/api/v1/reports/runs",
            json={"report": "organisation-directory", "format": "csv"},
            headers=provider,
        )
        run_id = created.json()["run_id"]
        # Restart the worker each time it dies, as Kubernetes would, until the run is settled.
        for _ in range(limit + 3):
            worker = render_process(env, tmp_path / "render.log", preamble=CRASHING_RENDERER)
            try:
                # Crashed (exit 3), or the run failed while this worker lives, whichever comes first: the
                # worker that marks the run failed does not exit, so waiting for its exit first cost 20 s.
                run = await _crashed_or_failed(worker, api, run_id, provider, 20)
            finally:
                worker.terminate()
                worker.wait(timeout=10)
            if run is not None:
                break
            crashes += 1
        else:
            raise AssertionError(f"the run is still not failed after {crashes} crashes")
    assert run["error"] == RENDER_ABANDONED and run["finished_at"] is not None
    assert 2 <= crashes <= limit + 1  # retried, but bounded by the delivery limit
    assert await render_queue_counts(env) == (0, 0)


async def _crashed_or_failed(
    process: subprocess.Popen[bytes],
    api: httpx.AsyncClient,
    run_id: str,
    headers: dict[str, str],
    seconds: float,
) -> dict | None:
    """None if the render worker crashes (exit 3) within `seconds`; the run if it is failed first, while the
    worker still runs. A worker that exits otherwise, or neither within `seconds`: the run must be failed
    within wait_for_status's own time, or this fails."""
    for _ in range(int(seconds * 10)):
        if process.poll() is not None:
            if process.returncode == 3:
                return None
            break
        run = (await api.get(f"/api/v1/reports/runs/{run_id}", headers=headers)).json()
        if run["status"] == "failed":
            return run  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    return await wait_for_status(api, run_id, headers, "failed")


async def test_a_run_not_rendered_yet_has_no_file(env, authority):
    (org,) = await add_organisations(env, authority, ["Waiting Care"])
    provider = {"authorization": f"Bearer {env.token(authority_id=authority, organisation_id=org)}"}
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:  # no render worker
        created = await api.post(
            "/api/v1/reports/runs", json={"report": "organisation-directory"}, headers=provider
        )
        file = await api.get(f"/api/v1/reports/runs/{created.json()['run_id']}/file", headers=provider)
    assert file.status_code == 409
    assert file.json()["detail"] == "the report is queued, not ready to download"
    assert file.json()["type"] == "urn:provider-portal:problem:report-run-not-ready"


async def test_a_job_the_catalogue_has_no_report_for_fails_its_run_and_a_settled_run_is_left_alone(
    env, authority
):
    """What the render worker does with a job for a report since taken out of the catalogue, and with a
    job delivered again for a run already settled."""
    pool = await db.create_pool(env.dsn("reports"))
    work = Work(pool, Outbox("reports"))
    try:
        gone = await _queued_job(pool, authority, report="withdrawn-report")
        async with pool.acquire() as conn, conn.transaction():
            await render_run(work, conn, *gone)
        async with pool.acquire() as conn, conn.transaction():
            await render_run(work, conn, *gone)  # again: the run is failed now, nothing changes
        async with pool.acquire() as conn:
            run = await conn.fetchrow(
                "SELECT status, error FROM reports.report_run WHERE run_id = $1", gone[1].run_id
            )
            audits = await conn.fetchval(
                "SELECT count(*) FROM reports.audit_event WHERE subject_id = $1", gone[1].run_id
            )
    finally:
        await pool.close()
    assert (run["status"], run["error"]) == ("failed", "there is no report called 'withdrawn-report'")
    assert audits == 1


async def _queued_job(pool, authority, *, report: str) -> tuple[Envelope, ReportRunRequested]:
    run_id = uuid.uuid4()
    requested_at = await pool.fetchval(
        "INSERT INTO reports.report_run (run_id, authority_id, report, format, requested_by)"
        " VALUES ($1, $2, $3, 'csv', 'user-1') RETURNING requested_at",
        run_id,
        authority,
        report,
    )
    job = ReportRunRequested(
        run_id=run_id,
        authority_id=authority,
        organisation_id=None,
        report=report,
        format="csv",
        requested_by="user-1",
        requested_at=requested_at,
    )
    return make_envelope(job, aggregate_id=run_id, authority_id=authority), job
