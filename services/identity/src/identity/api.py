"""Routes of the identity service."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from identity import handlers, store
from shared.http import CurrentPrincipal
from shared.problems import Problem
from shared.scoping import organisation_filter
from shared.service import RuntimeDep

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
async def list_organisations(principal: CurrentPrincipal, runtime: RuntimeDep) -> list[dict[str, Any]]:
    authority_id, organisation_id = organisation_filter(principal)
    async with runtime.pool.acquire() as conn:
        return await store.list_organisations(
            conn=conn, authority_id=authority_id, organisation_id=organisation_id
        )


@council_api.put("/organisations", response_model=OrganisationPublic)
async def put_organisation(
    body: OrganisationUpsert, principal: CurrentPrincipal, runtime: RuntimeDep, request: Request
) -> dict[str, Any]:
    """Create or change a provider organisation of the caller's authority (council systems only)."""
    if not principal.is_council or not principal.can_edit:
        raise Problem(403, "Forbidden", detail="only the council may maintain organisations")
    async with runtime.pool.acquire() as conn:
        if await store.get_authority(conn=conn, authority_id=principal.authority_id) is None:
            raise Problem(404, "Not Found", detail="your authority is not known to identity")
    return await handlers.upsert_organisation(
        pool=runtime.pool,
        outbox=runtime.outbox,
        authority_id=principal.authority_id,
        reference=body.reference,
        name=body.name,
        active=body.active,
        correlation_id=request.state.request_id,
    )


ROUTERS = [provider_api, council_api]
