"""My reports: a user's own runs while their files are kept (REPORTS_RETENTION_HOURS), newest first; an
expired file is gone (410) and deleted; a run a worker has started shows its progress from its job."""

from __future__ import annotations

import uuid

from reports.handlers.runs import JOBS
from reports.main import DEFINITION as REPORTS
from shared import db
from shared.auth import Role
from shared.service import create_api
from shared.tenancy import Tenancy
from tests.support.inprocess import serve
from tests.support.reports import add_organisations, rendering, wait_for_status

DIRECTORY = {"report": "organisation-directory", "format": "csv"}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def reports_db(env, method: str, sql: str, *args):
    conn = await db.connect(env.dsn("reports"))
    try:
        return await getattr(conn, method)(sql, *args)
    finally:
        await conn.close()


async def test_my_reports_lists_my_own_runs_newest_first_while_kept(env, authority):
    (org,) = await add_organisations(env, authority, ["Listing Care"])
    me = bearer(env.token(authority_id=authority, organisation_id=org, role=Role.finance, subject="me"))
    colleague = bearer(env.token(authority_id=authority, organisation_id=org, role=Role.full, subject="them"))
    settings = env.settings(REPORTS, retention_hours=2)
    async with serve(create_api(REPORTS, settings)) as api:
        mine = [(await api.post("/api/v1/reports/runs", json=DIRECTORY, headers=me)).json() for _ in range(3)]
        (await api.post("/api/v1/reports/runs", json=DIRECTORY, headers=colleague)).json()
        listed = await api.get("/api/v1/reports/runs", headers=me)
        assert listed.status_code == 200
        assert [r["run_id"] for r in listed.json()] == [r["run_id"] for r in reversed(mine)]
        first = mine[0]
        kept = await reports_db(
            env,
            "fetchval",
            "SELECT expires_at - requested_at FROM reports.report_run WHERE run_id = $1",
            uuid.UUID(first["run_id"]),
        )
        assert round(kept.total_seconds()) == 2 * 3600

        await reports_db(
            env,
            "execute",
            "UPDATE reports.report_run SET expires_at = now() - interval '1 second' WHERE run_id = $1",
            uuid.UUID(first["run_id"]),
        )
        listed = await api.get("/api/v1/reports/runs", headers=me)
        assert [r["run_id"] for r in listed.json()] == [mine[2]["run_id"], mine[1]["run_id"]]
        paged = await api.get("/api/v1/reports/runs", params={"limit": 1}, headers=me)
        assert [r["run_id"] for r in paged.json()] == [mine[2]["run_id"]]


async def test_an_expired_file_is_gone_and_deleted_with_the_next_run(env, authority):
    (org,) = await add_organisations(env, authority, ["Expiring Care"])
    me = bearer(env.token(authority_id=authority, organisation_id=org, role=Role.finance))
    async with rendering(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        created = (await api.post("/api/v1/reports/runs", json=DIRECTORY, headers=me)).json()
        await wait_for_status(api, created["run_id"], me, "done")
        run_id = uuid.UUID(created["run_id"])
        file = await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=me)
        assert file.status_code == 200
        assert file.headers["content-disposition"].startswith("attachment;")  # Download Data

        await reports_db(
            env, "execute", "UPDATE reports.report_run SET expires_at = now() WHERE run_id = $1", run_id
        )
        gone = await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=me)
        assert gone.status_code == 410
        assert gone.json()["type"] == "urn:provider-portal:problem:report-run-expired"
        assert gone.json()["detail"].endswith("has been deleted: run the report again")
        assert (
            await reports_db(
                env, "fetchval", "SELECT count(*) FROM reports.artifact WHERE run_id = $1", run_id
            )
            == 1
        )

        await api.post("/api/v1/reports/runs", json=DIRECTORY, headers=me)
        assert (
            await reports_db(
                env, "fetchval", "SELECT count(*) FROM reports.artifact WHERE run_id = $1", run_id
            )
            == 0
        )
        other = bearer(env.token(authority_id=authority, organisation_id=uuid.uuid4(), role=Role.finance))
        assert (await api.get(f"/api/v1/reports/runs/{run_id}/file", headers=other)).status_code == 404
    downloads = await reports_db(
        env,
        "fetchval",
        "SELECT count(*) FROM reports.outbox WHERE routing_key = 'reports.artifact.downloaded.v1'"
        " AND convert_from(body, 'UTF8')::jsonb -> 'payload' ->> 'run_id' = $1",
        str(run_id),
    )
    assert downloads == 1  # the refused download of the expired file is not published as one


async def test_a_run_being_rendered_shows_its_progress(env, authority):
    (org,) = await add_organisations(env, authority, ["Progress Care"])
    me = bearer(env.token(authority_id=authority, organisation_id=org, role=Role.finance))
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:  # no worker: the test is it
        created = (await api.post("/api/v1/reports/runs", json=DIRECTORY, headers=me)).json()
        job_id = await reports_db(
            env,
            "fetchval",
            "SELECT job_id FROM reports.report_run WHERE run_id = $1",
            uuid.UUID(created["run_id"]),
        )
        pool = await db.create_pool(env.dsn("reports"))
        try:
            tenancy = Tenancy(authority_id=authority, organisation_id=org)
            await JOBS.start(pool, tenancy=tenancy, job_id=job_id, total=400)
            await JOBS.advance(pool, tenancy=tenancy, job_id=job_id, done=150)
        finally:
            await pool.close()
        run = (await api.get(f"/api/v1/reports/runs/{created['run_id']}", headers=me)).json()
        listed = (await api.get("/api/v1/reports/runs", headers=me)).json()
    assert (run["status"], run["progress"]) == ("rendering", {"done": 150, "total": 400})
    assert [(r["status"], r["progress"]["done"]) for r in listed] == [("rendering", 150)]
