"""Report runs and their rendered files (reports.report_run, reports.artifact)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import IO

import asyncpg

from shared.auth import Principal
from shared.records import Record
from shared.scoping import Columns
from shared.store import AnyScope, AuthorityScope, Scope, Unscoped, execute, fetch, fetch_one

# A run is an organisation-level row (no contract, no service): a contract- or service-scoped user of
# the organisation sees its runs as the rest of the organisation does.
RUN_COLUMNS = Columns(authority="authority_id", organisation="organisation_id")


class Run(Record):
    run_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    report: str
    format: str
    status: str
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None
    error: str | None
    parameters: dict[str, str]  # as reports.domain.parameters.canonical wrote them
    job_id: uuid.UUID | None  # the job that shows its progress (runs from before jobs have none)
    expires_at: datetime | None  # when its file stops being kept (None: kept, a run from before)


class Artifact(Record):
    content_type: str
    filename: str
    body: bytes


def visible_to(principal: Principal) -> Scope:
    """The runs `principal` may see: their authority's, and only their organisation's for a provider."""
    return Scope.of(principal, RUN_COLUMNS, organisation_rows=True)


async def add_run(
    *,
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    report: str,
    format: str,
    requested_by: str,
    parameters: dict[str, str],
    job_id: uuid.UUID,
    kept_for: timedelta,
) -> Run:
    """Record a queued run (the ids are the caller's own, from their verified principal)."""
    run = await fetch_one(
        conn,
        Run,
        """
        INSERT INTO reports.report_run
               (run_id, authority_id, organisation_id, report, format, requested_by, parameters, job_id,
                expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + $9::interval) RETURNING *
        """,
        run_id,
        authority_id,
        organisation_id,
        report,
        format,
        requested_by,
        parameters,
        job_id,
        kept_for,
        scope=Unscoped("an insert of the caller's own run: its ids come from the verified principal"),
    )
    assert run is not None
    return run


async def get_run(*, conn: asyncpg.Connection, run_id: uuid.UUID, scope: AnyScope) -> Run | None:
    """The run, if it is within `scope`."""
    return await fetch_one(
        conn, Run, "SELECT * FROM reports.report_run WHERE run_id = $1 AND {scope}", run_id, scope=scope
    )


async def lock_run(*, conn: asyncpg.Connection, run_id: uuid.UUID) -> Run | None:
    """The run, locked for the render worker's transaction."""
    return await fetch_one(
        conn,
        Run,
        "SELECT * FROM reports.report_run WHERE run_id = $1 FOR UPDATE",
        run_id,
        scope=Unscoped("the render worker renders the run its job names, for whoever requested it"),
    )


ARTIFACT_CHUNK = 4 * 1024 * 1024  # a file is stored this much at a time


async def finish_run(
    *,
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    content_type: str,
    filename: str,
    body: bytes | IO[bytes],
) -> None:
    """Store the artifact and mark the run done (the render worker's, for the run it holds locked). A
    file is read and stored a chunk at a time, so a large one is never held whole in memory."""
    worker = Unscoped("the render worker finishes the run it holds locked, for whoever requested it")
    chunks = iter([body]) if isinstance(body, bytes) else iter(lambda: body.read(ARTIFACT_CHUNK), b"")
    await execute(
        conn,
        "INSERT INTO reports.artifact (run_id, content_type, filename, body) VALUES ($1, $2, $3, $4)",
        run_id,
        content_type,
        filename,
        next(chunks, b""),
        scope=worker,
    )
    for chunk in chunks:
        await execute(
            conn,
            "UPDATE reports.artifact SET body = body || $2 WHERE run_id = $1",
            run_id,
            chunk,
            scope=worker,
        )
    await execute(
        conn,
        "UPDATE reports.report_run SET status = 'done', finished_at = now() WHERE run_id = $1",
        run_id,
        scope=worker,
    )


async def fail_run(*, conn: asyncpg.Connection, run_id: uuid.UUID, error: str) -> bool:
    """Mark a queued run failed with a reason the user can read; False if it was not queued."""
    status = await execute(
        conn,
        """
        UPDATE reports.report_run SET status = 'failed', finished_at = now(), error = $2
         WHERE run_id = $1 AND status = 'queued'
        """,
        run_id,
        error,
        scope=Unscoped("the render worker gives up on the run its job names, for whoever requested it"),
    )
    return status == "UPDATE 1"


async def get_artifact(*, conn: asyncpg.Connection, run_id: uuid.UUID) -> Artifact | None:
    """The rendered file of a run (call only after get_run has checked the caller may see it)."""
    return await fetch_one(
        conn,
        Artifact,
        "SELECT content_type, filename, body FROM reports.artifact WHERE run_id = $1",
        run_id,
        scope=Unscoped("the file of a run get_run has just found within the caller's scope"),
    )


async def list_requested_by(
    *, conn: asyncpg.Connection, requested_by: str, scope: AnyScope, limit: int, offset: int
) -> list[Run]:
    """ "My reports": the runs `requested_by` asked for whose files are still kept, newest first."""
    return await fetch(
        conn,
        Run,
        """
        SELECT * FROM reports.report_run
         WHERE requested_by = $1 AND (expires_at IS NULL OR expires_at > now()) AND {scope}
         ORDER BY requested_at DESC, run_id DESC LIMIT $2 OFFSET $3
        """,
        requested_by,
        limit,
        offset,
        scope=scope,
    )


async def find_kept_run(
    *,
    conn: asyncpg.Connection,
    requested_by: str,
    report: str,
    format: str,
    parameters: dict[str, str],
    requested_after: datetime,
    scope: AnyScope,
) -> Run | None:
    """The newest finished run `requested_by` asked for with exactly these parameters after
    `requested_after`, whose file is still kept (a document's run, reused instead of a new one)."""
    return await fetch_one(
        conn,
        Run,
        """
        SELECT r.* FROM reports.report_run r
         WHERE r.requested_by = $1 AND r.report = $2 AND r.format = $3 AND r.parameters = $4::jsonb
           AND r.status = 'done' AND r.requested_at > $5 AND r.expires_at > now()
           AND EXISTS (SELECT 1 FROM reports.artifact a WHERE a.run_id = r.run_id) AND {scope}
         ORDER BY r.requested_at DESC, r.run_id DESC LIMIT 1
        """,
        requested_by,
        report,
        format,
        parameters,
        requested_after,
        scope=scope,
    )


async def purge_expired(*, conn: asyncpg.Connection, authority_id: uuid.UUID) -> int:
    """Delete the files of the authority's runs kept past their time (the runs stay, as history)."""
    status = await execute(
        conn,
        """
        DELETE FROM reports.artifact a USING reports.report_run r
         WHERE a.run_id = r.run_id AND r.expires_at <= now() AND {scope}
        """,
        scope=AuthorityScope(authority_id, column="r.authority_id"),
    )
    return int(status.split()[-1])
