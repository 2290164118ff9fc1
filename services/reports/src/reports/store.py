"""SQL of the reports service: one function per query, keyword-only arguments."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg


async def add_run(
    *,
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    report: str,
    format: str,
    requested_by: str,
) -> dict[str, Any]:
    """Record a queued run."""
    row = await conn.fetchrow(
        """
        INSERT INTO reports.report_run (run_id, authority_id, organisation_id, report, format, requested_by)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING *
        """,
        run_id,
        authority_id,
        organisation_id,
        report,
        format,
        requested_by,
    )
    assert row is not None
    return dict(row)


async def get_run(
    *, conn: asyncpg.Connection, run_id: uuid.UUID, authority_id: uuid.UUID, organisation_id: uuid.UUID | None
) -> dict[str, Any] | None:
    """The run, only if it belongs to the caller's authority (and organisation, for providers)."""
    row = await conn.fetchrow(
        """
        SELECT * FROM reports.report_run
         WHERE run_id = $1 AND authority_id = $2
           AND organisation_id IS NOT DISTINCT FROM COALESCE($3, organisation_id)
        """,
        run_id,
        authority_id,
        organisation_id,
    )
    return dict(row) if row else None


async def lock_run(*, conn: asyncpg.Connection, run_id: uuid.UUID) -> dict[str, Any] | None:
    """The run, locked for the render worker's transaction."""
    row = await conn.fetchrow("SELECT * FROM reports.report_run WHERE run_id = $1 FOR UPDATE", run_id)
    return dict(row) if row else None


async def organisations_for_report(
    *, conn: asyncpg.Connection, authority_id: uuid.UUID, organisation_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Rows of the organisation directory."""
    rows = await conn.fetch(
        """
        SELECT name, reference, CASE WHEN active THEN 'Active' ELSE 'Closed' END AS status
          FROM reports.organisation
         WHERE authority_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2)
         ORDER BY name
        """,
        authority_id,
        organisation_id,
    )
    return [dict(r) for r in rows]


async def finish_run(
    *, conn: asyncpg.Connection, run_id: uuid.UUID, content_type: str, filename: str, body: bytes
) -> None:
    """Store the artifact and mark the run done."""
    await conn.execute(
        "INSERT INTO reports.artifact (run_id, content_type, filename, body) VALUES ($1, $2, $3, $4)",
        run_id,
        content_type,
        filename,
        body,
    )
    await conn.execute(
        "UPDATE reports.report_run SET status = 'done', finished_at = now() WHERE run_id = $1", run_id
    )


async def fail_run(*, conn: asyncpg.Connection, run_id: uuid.UUID, error: str) -> bool:
    """Mark a queued run failed with a reason the user can read; False if it was not queued."""
    status = await conn.execute(
        """
        UPDATE reports.report_run SET status = 'failed', finished_at = now(), error = $2
         WHERE run_id = $1 AND status = 'queued'
        """,
        run_id,
        error,
    )
    return bool(status == "UPDATE 1")


async def get_artifact(*, conn: asyncpg.Connection, run_id: uuid.UUID) -> dict[str, Any] | None:
    """The rendered file of a run (call only after get_run has checked the caller may see it)."""
    row = await conn.fetchrow(
        "SELECT content_type, filename, body FROM reports.artifact WHERE run_id = $1", run_id
    )
    return dict(row) if row else None
