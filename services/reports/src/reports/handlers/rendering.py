"""Report runs as the render worker does them: render one, or give up on one.

These run for the system, not for a caller: the run's own authority and organisation scope what a
render reads, and every change of a run's state is audited with the worker as the actor.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from reports import rendering
from reports.domain import parameters
from reports.domain.catalogue import CATALOGUE, ReportDefinition
from reports.domain.runs import RENDER_ABANDONED, RENDER_FAILED
from reports.rendering import Branding
from reports.store import runs, sources
from reports.store.runs import Run
from shared.events import Envelope, ReportRunRequested
from shared.logging import get_logger
from shared.uow import Actor, UnitOfWork, Work

log = get_logger(__name__)
RENDERER = "render"
DEAD_LETTERS = "render-dead-letters"
# A rendered file is kept in memory up to this size, then spills to a temporary file: it is stored from
# there in chunks, so a large report is never held whole in memory, let alone twice.
SPOOL_BYTES = 8 * 1024 * 1024


async def render_run(
    work: Work, conn: asyncpg.Connection, envelope: Envelope, event: ReportRunRequested
) -> None:
    """Render one run inside the consumer's transaction (idempotent: a finished run is left alone).

    A render that fails is recorded as failed and the message acked: rendering the same rows again
    would fail again. Only a broken database link is left to the consumer, to retry."""
    actor = Actor.system(RENDERER, correlation_id=envelope.correlation_id)
    run = await runs.lock_run(conn=conn, run_id=event.run_id)
    if run is None or run.status != "queued":
        return
    definition = CATALOGUE.get(event.report)
    if definition is None:
        async with work.within(conn, actor) as uow:
            await _fail(uow, run, f"there is no report called {event.report!r}")
        return
    try:
        async with work.within(
            conn, actor
        ) as uow:  # a savepoint: what a failed render wrote goes, the run stays
            await _render(uow, definition, run)
    except Exception as exc:
        if conn.is_closed():
            raise
        log.exception("report_render_failed", run_id=str(run.run_id), error=repr(exc))
        async with work.within(conn, actor) as uow:
            await _fail(uow, run, RENDER_FAILED)


async def abandon_run(work: Work, *, run_id: uuid.UUID, cause: str) -> bool:
    """Fail a run whose render job was dead-lettered (it kept stopping its worker); False if the run
    is not queued any more (or not there at all)."""
    async with work.begin(Actor.system(DEAD_LETTERS)) as uow:
        run = await runs.lock_run(conn=uow.conn, run_id=run_id)
        return run is not None and await _fail(uow, run, RENDER_ABANDONED, cause=cause)


async def _render(uow: UnitOfWork, definition: ReportDefinition, run: Run) -> None:
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
            )
        else:
            written = await rendering.write_csv(definition, rows, file)
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
