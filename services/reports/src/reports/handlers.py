"""Use cases of the reports service."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from reports import store
from reports.catalogue import CATALOGUE, render_csv, render_pdf
from shared.auth import Principal
from shared.bus import Outbox
from shared.events import Envelope, ReportRunRequested, make_envelope
from shared.logging import get_logger
from shared.scoping import organisation_filter

log = get_logger(__name__)
CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


async def request_run(
    *,
    pool: asyncpg.Pool,
    outbox: Outbox,
    principal: Principal,
    report: str,
    format: str,
    correlation_id: str | None,
) -> dict[str, Any]:
    """Queue a run of `report` for what the caller may see; the render queue picks it up."""
    authority_id, organisation_id = organisation_filter(principal)
    run_id = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        run = await store.add_run(
            conn=conn,
            run_id=run_id,
            authority_id=authority_id,
            organisation_id=organisation_id,
            report=report,
            format=format,
            requested_by=principal.subject,
        )
        event = ReportRunRequested(
            run_id=run_id,
            authority_id=authority_id,
            organisation_id=organisation_id,
            report=report,
            format=format,
            requested_by=principal.subject,
            requested_at=run["requested_at"],
        )
        await outbox.add(
            conn,
            make_envelope(
                event, aggregate_id=run_id, authority_id=authority_id, correlation_id=correlation_id
            ),
        )
    log.info("report_run_requested", run_id=str(run_id), report=report, format=format)
    return run


async def render_run(conn: asyncpg.Connection, envelope: Envelope, event: ReportRunRequested) -> None:
    """Render one run inside the consumer's transaction (idempotent: a finished run is left alone)."""
    run = await store.lock_run(conn=conn, run_id=event.run_id)
    if run is None or run["status"] != "queued":
        return
    definition = CATALOGUE.get(event.report)
    if definition is None:
        await store.fail_run(
            conn=conn, run_id=event.run_id, error=f"there is no report called {event.report!r}"
        )
        return
    rows = await store.organisations_for_report(
        conn=conn, authority_id=event.authority_id, organisation_id=event.organisation_id
    )
    printed = datetime.now(UTC)
    # Rendering is CPU work: off the event loop, so the worker's other messages keep moving.
    if event.format == "pdf":
        body = await asyncio.to_thread(render_pdf, definition, rows, printed=printed)
    else:
        body = await asyncio.to_thread(render_csv, definition, rows)
    filename = f"{definition.key}-{printed:%Y%m%d-%H%M}.{event.format}"
    await store.finish_run(
        conn=conn, run_id=event.run_id, content_type=CONTENT_TYPES[event.format], filename=filename, body=body
    )
    log.info("report_rendered", run_id=str(event.run_id), bytes=len(body), rows=len(rows))
