"""The provider directory: organisations (later contracts and services), read by providers within
their scope and maintained by the council."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from identity import errors
from identity.api.deps import ContextDep
from identity.handlers import directory
from identity.store import directory as store
from shared.http import CurrentPrincipal
from shared.scoping import organisation_filter

provider_api = APIRouter(prefix="/api/v1/identity", tags=["directory"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])


class OrganisationUpsert(BaseModel):
    reference: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9/_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    active: bool = True


class OrganisationPublic(BaseModel):
    organisation_id: uuid.UUID
    reference: str
    name: str
    active: bool
    revision: int


@provider_api.get("/organisations", response_model=list[OrganisationPublic])
async def list_organisations(principal: CurrentPrincipal, ctx: ContextDep) -> list[dict[str, Any]]:
    authority_id, organisation_id = organisation_filter(principal)
    async with ctx.pool.acquire() as conn:
        return await store.list_organisations(
            conn=conn, authority_id=authority_id, organisation_id=organisation_id
        )


@council_api.put("/organisations", response_model=OrganisationPublic)
async def put_organisation(
    body: OrganisationUpsert, principal: CurrentPrincipal, ctx: ContextDep, request: Request
) -> dict[str, Any]:
    """Create or change a provider organisation of the caller's authority (council systems only)."""
    if not principal.is_council or not principal.can_edit:
        raise errors.forbidden("only the council may maintain organisations")
    async with ctx.pool.acquire() as conn:
        if await store.get_authority(conn=conn, authority_id=principal.authority_id) is None:
            raise errors.not_found("authority")
    return await directory.upsert_organisation(
        pool=ctx.pool,
        outbox=ctx.outbox,
        authority_id=principal.authority_id,
        reference=body.reference,
        name=body.name,
        active=body.active,
        correlation_id=request.state.request_id,
    )
