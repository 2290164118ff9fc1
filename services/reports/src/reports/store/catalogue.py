"""Each authority's choice of reports (reports.catalogue_entry): a report with no entry is offered."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.records import Record
from shared.store import AuthorityScope, Unscoped, fetch, fetch_one


class CatalogueEntry(Record):
    report: str
    enabled: bool
    updated_by: str
    updated_at: datetime


async def entries(*, conn: asyncpg.Connection, scope: AuthorityScope) -> dict[str, CatalogueEntry]:
    """The authority's entries by report key (reports it never configured are absent)."""
    rows = await fetch(
        conn,
        CatalogueEntry,
        "SELECT report, enabled, updated_by, updated_at FROM reports.catalogue_entry WHERE {scope}",
        scope=scope,
    )
    return {row.report: row for row in rows}


async def set_enabled(
    *, conn: asyncpg.Connection, scope: AuthorityScope, report: str, enabled: bool, updated_by: str
) -> CatalogueEntry:
    """Offer or withdraw `report` in the scope's authority (its id comes from the verified council caller)."""
    entry = await fetch_one(
        conn,
        CatalogueEntry,
        """
        INSERT INTO reports.catalogue_entry (authority_id, report, enabled, updated_by)
        VALUES ($4, $1, $2, $3)
        ON CONFLICT (authority_id, report)
        DO UPDATE SET enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = now()
        RETURNING report, enabled, updated_by, updated_at
        """,
        report,
        enabled,
        updated_by,
        scope.authority_id,
        scope=Unscoped("an upsert of the council caller's own authority: its id is the verified principal's"),
    )
    assert entry is not None
    return entry
