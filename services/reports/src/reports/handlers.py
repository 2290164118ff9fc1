"""Use cases of the reports service."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from reports import store
from reports.catalogue import CATALOGUE, ReportDefinition, render_csv, render_pdf
from reports.domain import RENDER_FAILED, RunNotFound, RunNotReady
from shared.auth import Principal
from shared.bus import Outbox
from shared.events import Envelope, ReportArtifactDownloaded, ReportRunRequested, make_envelope
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
    """Render one run inside the consumer's transaction (idempotent: a finished run is left alone).

    A render that fails is recorded as failed and the message acked: rendering the same rows again
    would fail again. Only a broken database link is left to the consumer, to retry."""
    run = await store.lock_run(conn=conn, run_id=event.run_id)
    if run is None or run["status"] != "queued":
        return
    definition = CATALOGUE.get(event.report)
    if definition is None:
        await store.fail_run(
            conn=conn, run_id=event.run_id, error=f"there is no report called {event.report!r}"
        )
        return
    try:
        async with conn.transaction():  # a savepoint: what a failed render wrote goes, the run stays
            await _render(conn, definition, event)
    except Exception as exc:
        if conn.is_closed():
            raise
        log.exception("report_render_failed", run_id=str(event.run_id), error=repr(exc))
        await store.fail_run(conn=conn, run_id=event.run_id, error=RENDER_FAILED)


async def _render(conn: asyncpg.Connection, definition: ReportDefinition, event: ReportRunRequested) -> None:
    rows = await store.organisations_for_report(
        conn=conn, authority_id=event.authority_id, organisation_id=event.organisation_id
    )
    printed = datetime.now(UTC)
    # Rendering is CPU work: off the event loop, so the worker's other messages keep moving.
    if event.format == "pdf":
        body = await asyncio.to_thread(render_pdf, definition, rows, printed=printed)
    else:
        body = await asyncio.to_thread(render_csv, definition, rows)
    log.info("report_rendered", run_id=str(event.run_id), bytes=len(body), rows=len(rows))
    filename = f"{definition.key}-{printed:%Y%m%d-%H%M}.{event.format}"
    await store.finish_run(
        conn=conn, run_id=event.run_id, content_type=CONTENT_TYPES[event.format], filename=filename, body=body
    )


async def download_artifact(
    *,
    pool: asyncpg.Pool,
    outbox: Outbox,
    principal: Principal,
    run_id: uuid.UUID,
    client_address: str | None,
    request_id: str | None,
) -> dict[str, Any]:
    """The rendered file of a run the caller can see; the download goes to the audit log (through
    identity, by an event written in the same transaction)."""
    authority_id, organisation_id = organisation_filter(principal)
    async with pool.acquire() as conn, conn.transaction():
        run = await store.get_run(
            conn=conn, run_id=run_id, authority_id=authority_id, organisation_id=organisation_id
        )
        if run is None:
            raise RunNotFound(run_id)
        artifact = await store.get_artifact(conn=conn, run_id=run_id)
        if run["status"] != "done" or artifact is None:
            raise RunNotReady(run["status"], run["error"])
        event = ReportArtifactDownloaded(
            run_id=run_id,
            authority_id=run["authority_id"],
            organisation_id=run["organisation_id"],
            report=run["report"],
            format=run["format"],
            filename=artifact["filename"],
            downloaded_by=principal.subject,
            actor_kind=principal.kind.value,
            role=principal.role.value,
            client_address=client_address,
            request_id=request_id,
            downloaded_at=datetime.now(UTC),
        )
        await outbox.add(
            conn,
            make_envelope(event, aggregate_id=run_id, authority_id=authority_id, correlation_id=request_id),
        )
    log.info("report_downloaded", run_id=str(run_id), format=run["format"])
    return artifact
