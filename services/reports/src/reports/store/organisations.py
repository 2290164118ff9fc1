"""The organisations a run may be for (the organisation projection, reports.organisation)."""

from __future__ import annotations

import uuid

import asyncpg

from shared.store import AnyScope, fetch_value


async def organisation_name(
    *, conn: asyncpg.Connection, organisation_id: uuid.UUID, scope: AnyScope
) -> str | None:
    """The organisation's name if it is within `scope` (None for a missing one or another tenant's)."""
    name: str | None = await fetch_value(
        conn,
        "SELECT name FROM reports.organisation WHERE organisation_id = $1 AND {scope}",
        organisation_id,
        scope=scope,
    )
    return name
