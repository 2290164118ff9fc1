"""A report run that fails is failed, not queued forever: the user sees why, and the job is not retried
by a crash loop (a render that raises is acked at once; one that kills its worker is bounded by the
render queue's delivery limit, then marked failed)."""

from __future__ import annotations

import asyncio
import subprocess

from reports import handlers
from reports.domain import RENDER_ABANDONED, RENDER_FAILED
from reports.main import DEFINITION as REPORTS
from shared.service import create_api
from tests.support.inprocess import serve
from tests.support.reports import (
    add_organisations,
    relaying,
    render_process,
    render_queue_counts,
    rendering,
    wait_for_status,
)

CRASHING_RENDERER = "import os, reports.handlers as h\nh.render_csv = lambda *a, **k: os._exit(3)"


async def test_a_render_that_raises_is_failed_once_and_acked(env, authority, monkeypatch):
    (org,) = await add_organisations(env, authority, ["Broken Care"])
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        raise ValueError("the renderer is broken")

    monkeypatch.setattr(handlers, "render_csv", broken)
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
                crashed = await _exits(worker, 20) == 3
                run = None if crashed else await wait_for_status(api, run_id, provider, "failed")
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


async def _exits(process: subprocess.Popen[bytes], seconds: float) -> int | None:
    """The process's exit code if it exits within `seconds`, else None (it is still running)."""
    for _ in range(int(seconds * 10)):
        if process.poll() is not None:
            return process.returncode
        await asyncio.sleep(0.1)
    return None
