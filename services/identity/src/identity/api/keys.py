"""Organisations' API keys: a provider's own, the council's view of any organisation's, and the
gateway's exchange of a key for a token."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from identity.api.deps import ContextDep, GatewayActor
from identity.api.schemas import OneLine, ScopedGrant
from identity.handlers import keys
from identity.store.keys import ApiKey
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep

provider_api = APIRouter(prefix="/api/v1/identity", tags=["api keys"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])
internal = APIRouter(prefix="/internal/v1/identity", tags=["internal"], include_in_schema=False)


class ApiKeyCreate(ScopedGrant):
    name: OneLine = Field(min_length=1, max_length=100, description="what the key is for, e.g. 'Care system'")
    expires_in_days: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="how long the key works: default a year, never longer than the council's policy allows",
    )


class ApiKeyPublic(BaseModel):
    key_id: uuid.UUID
    name: str
    prefix: str = Field(description="the first characters of the key, to recognise it")
    role: str
    can_edit: bool
    scope_type: str
    scope_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime = Field(
        description="the key stops working then; it also stops when its creator loses access"
    )


class ApiKeyCreated(ApiKeyPublic):
    api_key: str = Field(description="shown this once: send it as the X-API-Key header")


@provider_api.post("/api-keys", status_code=201, response_model=ApiKeyCreated, summary="Create an API key")
async def create_api_key(body: ApiKeyCreate, caller: CurrentCaller, ctx: ContextDep) -> ApiKeyCreated:
    key, secret = await keys.create_api_key(
        caller,
        ctx,
        name=body.name,
        role=body.role,
        can_edit=body.can_edit,
        scope_type=body.scope_type,
        scope_id=body.scope_id,
        valid_days=body.expires_in_days,
    )
    return ApiKeyCreated(**key.model_dump(), api_key=secret)


@provider_api.get(
    "/api-keys", response_model=list[ApiKeyPublic], summary="My organisation's API keys", responses=PAGED
)
async def list_api_keys(caller: CurrentCaller, ctx: ContextDep, page: PageDep) -> list[ApiKey]:
    return page.of(await keys.list_api_keys(caller, ctx, limit=page.fetch, offset=page.offset))


@provider_api.delete("/api-keys/{key_id}", response_model=ApiKeyPublic, summary="Revoke an API key")
async def revoke_api_key(key_id: uuid.UUID, caller: CurrentCaller, ctx: ContextDep) -> ApiKey:
    return await keys.revoke_api_key(caller, ctx, key_id=key_id)


@council_api.get(
    "/organisations/{organisation_id}/api-keys",
    response_model=list[ApiKeyPublic],
    summary="An organisation's API keys",
    responses=PAGED,
)
async def list_organisation_keys(
    organisation_id: uuid.UUID, caller: CurrentCaller, ctx: ContextDep, page: PageDep
) -> list[ApiKey]:
    rows = await keys.list_api_keys(
        caller, ctx, organisation_id=organisation_id, limit=page.fetch, offset=page.offset
    )
    return page.of(rows)


@council_api.delete(
    "/organisations/{organisation_id}/api-keys/{key_id}",
    response_model=ApiKeyPublic,
    summary="Revoke an organisation's API key",
)
async def revoke_organisation_key(
    organisation_id: uuid.UUID, key_id: uuid.UUID, caller: CurrentCaller, ctx: ContextDep
) -> ApiKey:
    return await keys.revoke_api_key(caller, ctx, key_id=key_id, organisation_id=organisation_id)


class ApiKeyIn(BaseModel):
    api_key: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    expires_in: int


@internal.post("/api-keys/token", response_model=TokenOut)
async def api_key_token(body: ApiKeyIn, actor: GatewayActor, ctx: ContextDep) -> TokenOut:
    issued = await keys.exchange_api_key(actor, ctx, api_key=body.api_key)
    return TokenOut(token=issued.token, expires_in=issued.expires_in)
