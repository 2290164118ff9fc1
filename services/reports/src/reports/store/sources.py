"""Where each report's rows come from: `SOURCES` maps a definition's `source` to an async generator of
row dicts keyed by its column keys, everything filtered by the run's authority and organisation.

A stand-in until the read model's sources land (issue 14, "read"): only the organisation directory, and no
council branding projected yet. The shapes are the agreed ones.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

from reports.store.directory import organisations_for_report
from shared.store import AuthorityScope

RowSource = Callable[..., AsyncIterator[dict[str, Any]]]


async def organisation_directory(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    params: dict[str, Any],
) -> AsyncIterator[dict[str, Any]]:
    for row in await organisations_for_report(
        conn=conn, scope=AuthorityScope(authority_id), organisation_id=organisation_id
    ):
        yield row.model_dump()


SOURCES: dict[str, RowSource] = {"organisation-directory": organisation_directory}


async def council_branding(conn: asyncpg.Connection, *, authority_id: uuid.UUID) -> tuple[str, str] | None:
    """The council's name and colour (`#rrggbb`), once the read model projects identity.authority.upserted."""
    return None
