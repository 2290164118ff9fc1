"""The organisation projection that every service but identity keeps, from identity's events.

Events may arrive out of order or twice; the row keeps the highest revision, so applying an older
state after a newer one changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from fastapi import APIRouter
from pydantic import BaseModel

from shared.bus import Subscription
from shared.db import ident
from shared.events import Envelope, OrganisationUpserted
from shared.http import CurrentPrincipal
from shared.migrations import AUDIT_LOG, ORGANISATION_PROJECTION, OUTBOX_INBOX
from shared.paging import PAGED, PageDep
from shared.scoping import organisation_filter
from shared.service import RuntimeDep

PLATFORM_WITH_ORGANISATIONS = (OUTBOX_INBOX, ORGANISATION_PROJECTION, AUDIT_LOG)


class OrganisationPublic(BaseModel):
    organisation_id: uuid.UUID
    name: str
    reference: str
    active: bool


class OrganisationProjection:
    def __init__(self, schema: str) -> None:
        table = f"{ident(schema)}.organisation"
        self._upsert = (
            f"INSERT INTO {table} AS o (organisation_id, authority_id, name, reference, active, revision, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (organisation_id) DO UPDATE SET authority_id = EXCLUDED.authority_id,"
            " name = EXCLUDED.name, reference = EXCLUDED.reference, active = EXCLUDED.active,"
            " revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at"
            " WHERE o.revision < EXCLUDED.revision"
        )
        self._list = (
            f"SELECT organisation_id, name, reference, active FROM {table}"
            " WHERE authority_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2)"
            " ORDER BY name, organisation_id LIMIT $3 OFFSET $4"
        )

    async def apply(self, conn: asyncpg.Connection, envelope: Envelope, event: OrganisationUpserted) -> None:
        await conn.execute(self._upsert, *_row(event))

    async def apply_many(
        self, conn: asyncpg.Connection, events: Sequence[tuple[Envelope, OrganisationUpserted]]
    ) -> None:
        """Several upserts in one round trip (asyncpg pipelines executemany), each as `apply`."""
        await conn.executemany(self._upsert, [_row(event) for _, event in events])

    def subscription(self) -> Subscription:
        return Subscription(OrganisationUpserted, self.apply, self.apply_many)

    async def list_visible(
        self,
        conn: asyncpg.Connection,
        *,
        authority_id: uuid.UUID,
        organisation_id: uuid.UUID | None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """By name (limit None: all)."""
        rows = await conn.fetch(self._list, authority_id, organisation_id, limit, offset)
        return [dict(r) for r in rows]

    def router(self, service: str) -> APIRouter:
        """GET /api/v1/<service>/organisations: what this service knows, as the caller may see it."""
        router = APIRouter(prefix=f"/api/v1/{service}", tags=["organisations"])
        projection = self

        @router.get("/organisations", response_model=list[OrganisationPublic], responses=PAGED)
        async def list_organisations(
            principal: CurrentPrincipal, runtime: RuntimeDep, page: PageDep
        ) -> list[dict[str, Any]]:
            authority_id, organisation_id = organisation_filter(principal)
            async with runtime.pool.acquire() as conn:
                rows = await projection.list_visible(
                    conn,
                    authority_id=authority_id,
                    organisation_id=organisation_id,
                    limit=page.fetch,
                    offset=page.offset,
                )
            return page.of(rows)

        return router


def _row(event: OrganisationUpserted) -> tuple[object, ...]:
    return (
        event.organisation_id,
        event.authority_id,
        event.name,
        event.reference,
        event.active,
        event.revision,
        event.updated_at,
    )
