"""The organisation directory report's rows, from the organisation projection (reports.organisation)."""

from __future__ import annotations

import uuid

import asyncpg

from shared.records import Record
from shared.store import AuthorityScope, fetch


class DirectoryRow(Record):
    name: str
    reference: str
    status: str  # Active or Closed, as the report prints it


async def organisations_for_report(
    *, conn: asyncpg.Connection, scope: AuthorityScope, organisation_id: uuid.UUID | None
) -> list[DirectoryRow]:
    """The organisations of the scope's authority by name; only `organisation_id` when given (a
    provider's run)."""
    return await fetch(
        conn,
        DirectoryRow,
        """
        SELECT name, reference, CASE WHEN active THEN 'Active' ELSE 'Closed' END AS status
          FROM reports.organisation
         WHERE {scope} AND ($1::uuid IS NULL OR organisation_id = $1)
         ORDER BY name, organisation_id
        """,
        organisation_id,
        scope=scope,
    )
