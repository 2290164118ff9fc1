"""Identity's organisations, as every service but identity keeps them: a declared projection of
`identity.organisation.upserted` into the service's own `organisation` table (created by the service's
migration), and the list route `GET /api/v1/<service>/organisations` over it.

Closed organisations stay (`active` false): they are listed, and older rows still point at them.
"""

from __future__ import annotations

import uuid

import asyncpg
from fastapi import APIRouter
from pydantic import BaseModel

from shared.bus import Subscription
from shared.events import OrganisationUpserted
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.projections.declared import Projection
from shared.records import Record
from shared.scoping import Columns
from shared.service import WorkDep
from shared.store import AnyScope, Scope, fetch

# The table's columns, in its order (each filled by the payload field of the same name).
ORGANISATION_COLUMNS = (
    "organisation_id",
    "authority_id",
    "name",
    "reference",
    "active",
    "revision",
    "updated_at",
)
# An organisation row belongs to no contract: contract- and service-scoped callers see their organisation.
ORGANISATION_SCOPE = Columns(organisation="organisation_id")


def organisation_projection(schema: str) -> Projection:
    return Projection.mirror(
        OrganisationUpserted, schema, "organisation", key="organisation_id", columns=ORGANISATION_COLUMNS
    )


class Organisation(Record):
    organisation_id: uuid.UUID
    name: str
    reference: str
    active: bool


class OrganisationPublic(BaseModel):
    organisation_id: uuid.UUID
    name: str
    reference: str
    active: bool


async def list_organisations(
    *, conn: asyncpg.Connection, projection: Projection, scope: AnyScope, limit: int, offset: int = 0
) -> list[Organisation]:
    """By name, then id (a unique key, so pages neither repeat nor skip)."""
    return await fetch(
        conn,
        Organisation,
        f"SELECT organisation_id, name, reference, active FROM {projection.qualified_table}"
        f" WHERE {{scope}} AND {projection.live} ORDER BY name, organisation_id LIMIT $1 OFFSET $2",
        limit,
        offset,
        scope=scope,
    )


class OrganisationProjection:
    """The organisation projection of one service (its schema), with its subscription and its route."""

    def __init__(self, schema: str) -> None:
        self.projection = organisation_projection(schema)

    def subscription(self) -> Subscription:
        (only,) = self.projection.subscriptions()
        return only

    def router(self, service: str) -> APIRouter:
        """GET /api/v1/<service>/organisations: what this service knows, as the caller may see it."""
        router = APIRouter(prefix=f"/api/v1/{service}", tags=["organisations"])
        projection = self.projection

        @router.get("/organisations", response_model=list[OrganisationPublic], responses=PAGED)
        async def list_organisations_route(
            caller: CurrentCaller, work: WorkDep, page: PageDep
        ) -> list[Organisation]:
            scope = Scope.of(caller.principal, ORGANISATION_SCOPE, organisation_rows=True)
            async with work.read() as conn:
                rows = await list_organisations(
                    conn=conn, projection=projection, scope=scope, limit=page.fetch, offset=page.offset
                )
            return page.of(rows)

        return router
