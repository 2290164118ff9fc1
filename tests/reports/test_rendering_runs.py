"""The render worker's use case with the new renderers: a run's rows streamed from its source into a PDF
stored with the run, in the run's scope only; a large file stored a chunk at a time, byte for byte."""

from __future__ import annotations

import io
import os
import re
import uuid

from reports.handlers.rendering import render_run
from reports.store import runs
from shared import db
from shared.bus import Outbox
from shared.events import ReportRunRequested, make_envelope
from shared.uow import Work
from tests.reports.rendering_helpers import pdf_pages
from tests.support.reports import add_organisations


async def queue_run(pool, authority, organisation_id, *, format: str) -> tuple[object, ReportRunRequested]:
    run_id = uuid.uuid4()
    requested_at = await pool.fetchval(
        "INSERT INTO reports.report_run (run_id, authority_id, organisation_id, report, format, requested_by)"
        " VALUES ($1, $2, $3, 'organisation-directory', $4, 'user-1') RETURNING requested_at",
        run_id,
        authority,
        organisation_id,
        format,
    )
    job = ReportRunRequested(
        run_id=run_id,
        authority_id=authority,
        organisation_id=organisation_id,
        report="organisation-directory",
        format=format,
        requested_by="user-1",
        requested_at=requested_at,
    )
    return make_envelope(job, aggregate_id=run_id, authority_id=authority), job


async def test_a_council_pdf_run_lists_its_own_organisations_only(env, authority):
    await add_organisations(env, authority, ["Zebra Care", "Acorn Homes"])
    await add_organisations(env, uuid.uuid4(), ["Another Council's Care"])
    pool = await db.create_pool(env.dsn("reports"))
    try:
        envelope, job = await queue_run(pool, authority, None, format="pdf")
        async with pool.acquire() as conn, conn.transaction():
            await render_run(Work(pool, Outbox("reports")), conn, envelope, job)
        stored = await pool.fetchrow(
            "SELECT a.content_type, a.filename, a.body, r.status FROM reports.artifact a"
            " JOIN reports.report_run r USING (run_id) WHERE run_id = $1",
            job.run_id,
        )
        audit = await pool.fetchrow(
            "SELECT detail FROM reports.audit_event WHERE subject_id = $1 AND action = 'report_run_rendered'",
            job.run_id,
        )
    finally:
        await pool.close()
    assert stored["status"] == "done" and stored["content_type"] == "application/pdf"
    assert re.fullmatch(r"organisation-directory-\d{8}-\d{4}\.pdf", stored["filename"])
    (text,) = pdf_pages(stored["body"])
    assert re.search(
        r"Organisation\s+Reference\s+Status\s+Acorn Homes\s+R1\s+Active\s+Zebra Care\s+R1\s+Active", text
    )
    assert "Another Council" not in text
    assert "Provider Portal" in text  # no council branding projected yet: the portal's own
    assert audit["detail"]["rows"] == 2


async def test_a_large_file_is_stored_in_chunks_byte_for_byte(env, authority, monkeypatch):
    monkeypatch.setattr(runs, "ARTIFACT_CHUNK", 1000)
    body = os.urandom(4500)
    pool = await db.create_pool(env.dsn("reports"))
    try:
        _, job = await queue_run(pool, authority, None, format="csv")
        async with pool.acquire() as conn, conn.transaction():
            await runs.finish_run(
                conn=conn, run_id=job.run_id, content_type="text/csv", filename="x.csv", body=io.BytesIO(body)
            )
        stored = await pool.fetchval("SELECT body FROM reports.artifact WHERE run_id = $1", job.run_id)
        status = await pool.fetchval("SELECT status FROM reports.report_run WHERE run_id = $1", job.run_id)
    finally:
        await pool.close()
    assert stored == body and status == "done"
