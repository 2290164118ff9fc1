"""Report runs: queued by the API, rendered once by one of several competing render workers (real
processes, each run's renders counted from their logs), scoped."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import Counter

from reports.main import DEFINITION as REPORTS
from shared import db
from shared.service import create_api
from tests.support.inprocess import eventually, serve
from tests.support.reports import add_organisations, relaying, render_process

RUNS = 8


def log_records(path):
    for line in path.read_text(errors="replace").splitlines():
        try:
            yield json.loads(line)
        except ValueError:
            continue


async def test_runs_are_rendered_once_by_competing_workers_and_scoped(env, authority, tmp_path):
    own, other = await add_organisations(env, authority, ['=HYPERLINK("x") Care', "Other Care"])
    logs = [tmp_path / f"render-{n}.log" for n in range(2)]
    workers = [render_process(env, log) for log in logs]
    provider = {"authorization": f"Bearer {env.token(authority_id=authority, organisation_id=own)}"}
    try:

        async def both_consuming():
            return all(any(r.get("event") == "consumer_started" for r in log_records(log)) for log in logs)

        await eventually(both_consuming, timeout=30, interval=0.2)
        async with relaying(env), serve(create_api(REPORTS, env.settings(REPORTS))) as api:
            runs = []
            for fmt in ["csv", "pdf"] * (RUNS // 2):
                created = await api.post(
                    "/api/v1/reports/runs",
                    json={"report": "organisation-directory", "format": fmt},
                    headers=provider,
                )
                assert created.status_code == 202, created.text
                runs.append(created.json()["run_id"])

            async def all_done():
                statuses = [
                    (await api.get(f"/api/v1/reports/runs/{r}", headers=provider)).json()["status"]
                    for r in runs
                ]
                return all(s == "done" for s in statuses)

            await eventually(all_done, timeout=30, interval=0.2)
            text = (await api.get(f"/api/v1/reports/runs/{runs[0]}/file", headers=provider)).content.decode(
                "utf-8-sig"
            )
            rows = list(csv.reader(io.StringIO(text)))
            assert rows == [
                ["Organisation", "Reference", "Status"],
                ['\'=HYPERLINK("x") Care', "R1", "Active"],
            ]
            pdf = await api.get(f"/api/v1/reports/runs/{runs[1]}/file", headers=provider)
            assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
            assert pdf.headers["content-disposition"].startswith("inline;")  # View opens it in the browser

            other_provider = {
                "authorization": f"Bearer {env.token(authority_id=authority, organisation_id=other)}"
            }
            assert (
                await api.get(f"/api/v1/reports/runs/{runs[0]}", headers=other_provider)
            ).status_code == 404
            assert (
                await api.get(f"/api/v1/reports/runs/{runs[0]}/file", headers=other_provider)
            ).status_code == 404
            stranger = {"authorization": f"Bearer {env.council_token(uuid.uuid4())}"}
            assert (await api.get(f"/api/v1/reports/runs/{runs[0]}", headers=stranger)).status_code == 404
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
    # Every render is logged as it happens, before it is stored: a run rendered twice shows here even
    # when the second copy could not be stored.
    rendered = [
        [r["run_id"] for r in log_records(log) if r.get("event") == "report_rendered" and r["run_id"] in runs]
        for log in logs
    ]
    assert Counter(rendered[0] + rendered[1]) == Counter(runs), rendered  # each run exactly once
    assert all(rendered), rendered  # and both workers took some
    conn = await db.connect(env.dsn("reports"))
    try:
        stored = await conn.fetchval(
            "SELECT count(*) FROM reports.artifact WHERE run_id = ANY($1::uuid[])",
            [uuid.UUID(r) for r in runs],
        )
    finally:
        await conn.close()
    assert stored == RUNS


async def test_bad_report_requests_name_the_problem(env, authority):
    async with serve(create_api(REPORTS, env.settings(REPORTS))) as api:
        headers = {
            "authorization": f"Bearer {env.token(authority_id=authority, organisation_id=uuid.uuid4())}"
        }
        unknown = await api.post("/api/v1/reports/runs", json={"report": "nope"}, headers=headers)
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "report"
        bad_format = await api.post(
            "/api/v1/reports/runs",
            json={"report": "organisation-directory", "format": "xls"},
            headers=headers,
        )
        assert bad_format.status_code == 422
        assert [e["field"] for e in bad_format.json()["errors"]] == ["format"]
        missing = await api.get(f"/api/v1/reports/runs/{uuid.uuid4()}", headers=headers)
        assert missing.status_code == 404
