"""Report runs: queued by the API, rendered once by one of several competing render workers, scoped."""

from __future__ import annotations

import csv
import io
import uuid

from reports.main import DEFINITION as REPORTS
from reports.render import render_consumer
from shared import db
from shared.service import close_runtime, create_api, open_runtime
from tests.support.inprocess import eventually, serve


async def add_organisations(env, authority, names):
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


async def test_runs_are_rendered_once_by_competing_workers_and_scoped(env, authority):
    own, other = await add_organisations(env, authority, ['=HYPERLINK("x") Care', "Other Care"])
    settings = env.settings(REPORTS)
    runtimes = [await open_runtime(REPORTS, settings) for _ in range(2)]
    consumers = [render_consumer(r) for r in runtimes]
    for consumer in consumers:
        await consumer.start()
    provider = {"authorization": f"Bearer {env.token(authority_id=authority, organisation_id=own)}"}
    try:
        async with serve(create_api(REPORTS, settings)) as api:
            # The relay of the reports worker is what publishes the request: run it here too.
            from shared.bus import OutboxRelay

            relay = OutboxRelay(
                pool=runtimes[0].pool,
                schema="reports",
                connection=runtimes[0].broker,
                events_exchange="portal.events",
            )
            runs = []
            for fmt in ["csv", "pdf", "csv", "pdf", "csv", "pdf"]:
                created = await api.post(
                    "/api/v1/reports/runs",
                    json={"report": "organisation-directory", "format": fmt},
                    headers=provider,
                )
                assert created.status_code == 202, created.text
                runs.append(created.json()["run_id"])
            await relay.relay_once()

            async def all_done():
                statuses = [
                    (await api.get(f"/api/v1/reports/runs/{r}", headers=provider)).json()["status"]
                    for r in runs
                ]
                return all(s == "done" for s in statuses)

            await eventually(all_done, timeout=20)
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
            assert pdf.headers["content-disposition"].startswith("attachment;")

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
        for consumer in consumers:
            await consumer.stop()
        for runtime in runtimes:
            await close_runtime(runtime)
    conn = await db.connect(env.dsn("reports"))
    try:
        rendered = await conn.fetchval(
            "SELECT count(*) FROM reports.artifact WHERE run_id = ANY($1::uuid[])",
            [uuid.UUID(r) for r in runs],
        )
    finally:
        await conn.close()
    assert rendered == 6


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
