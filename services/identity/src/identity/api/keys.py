"""Machine credentials: organisations' API keys, council clients, the client-credentials token
endpoint, and the gateway's exchange of an API key."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from identity import errors
from identity.api.deps import Authenticated, ContextDep, GatewayCaller
from identity.api.schemas import ScopedGrant
from identity.handlers import keys
from identity.store import keys as key_store
from shared.problems import PROBLEM_JSON

provider_api = APIRouter(prefix="/api/v1/identity", tags=["api keys"])
council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])
internal = APIRouter(prefix="/internal/v1/identity", tags=["internal"], include_in_schema=False)


class ApiKeyCreate(ScopedGrant):
    name: str = Field(min_length=1, max_length=100, description="what the key is for, e.g. 'Care system'")


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


class ApiKeyCreated(ApiKeyPublic):
    api_key: str = Field(description="shown this once: send it as the X-API-Key header")


@provider_api.post("/api-keys", status_code=201, response_model=ApiKeyCreated, summary="Create an API key")
async def create_api_key(body: ApiKeyCreate, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    grant = body.model_dump(exclude={"name"})
    grant["scope_id"] = body.scope_id or principal.organisation_id
    key, secret = await keys.create_api_key(ctx, caller, principal, name=body.name, grant=grant)
    return {**key, "api_key": secret}


@provider_api.get("/api-keys", response_model=list[ApiKeyPublic], summary="My organisation's API keys")
async def list_api_keys(auth: Authenticated, ctx: ContextDep) -> list[dict[str, Any]]:
    principal, _ = auth
    return await keys.list_api_keys(ctx, principal)


@provider_api.delete("/api-keys/{key_id}", response_model=ApiKeyPublic, summary="Revoke an API key")
async def revoke_api_key(key_id: uuid.UUID, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    return await keys.revoke_api_key(ctx, caller, principal, key_id=key_id)


class ApiKeyIn(BaseModel):
    api_key: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    expires_in: int


@internal.post("/api-keys/token", response_model=TokenOut)
async def api_key_token(body: ApiKeyIn, caller: GatewayCaller, ctx: ContextDep) -> TokenOut:
    issued = await keys.exchange_api_key(ctx, api_key=body.api_key)
    return TokenOut(token=issued.token, expires_in=issued.expires_in)


class ClientCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="which council system, e.g. 'Finance ledger'")
    can_edit: bool = Field(True, description="false: read-only access to the council API")


class ClientPublic(BaseModel):
    client_id: str
    name: str
    can_edit: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ClientCreated(ClientPublic):
    client_secret: str = Field(description="shown this once")


@council_api.post("/clients", status_code=201, response_model=ClientCreated, summary="New client credentials")
async def create_client(body: ClientCreate, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    client, secret = await keys.create_council_client(
        ctx, caller, principal, name=body.name, can_edit=body.can_edit
    )
    return {**client, "client_secret": secret}


@council_api.get("/clients", response_model=list[ClientPublic])
async def list_clients(auth: Authenticated, ctx: ContextDep) -> list[dict[str, Any]]:
    principal, _ = auth
    if not principal.is_council:
        raise errors.forbidden("only the council can use the council API")
    async with ctx.pool.acquire() as conn:
        return await key_store.list_council_clients(conn=conn, authority_id=principal.authority_id)


@council_api.delete("/clients/{client_id}", response_model=ClientPublic)
async def revoke_client(client_id: str, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    return await keys.revoke_council_client(ctx, caller, principal, client_id=client_id[:64])


def _oauth_error(status: int, error: str, detail: str) -> JSONResponse:
    """RFC 6749 5.2 `error`, inside a problem+json body (RFC 9457 allows extension members)."""
    body = {
        "type": errors.BASE + error.replace("_", "-"),
        "title": "Token request refused",
        "status": status,
        "detail": detail,
        "error": error,
        "error_description": detail,
    }
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers={"Cache-Control": "no-store"}
    )


@council_api.post("/token", summary="OAuth 2.0 client credentials: a token for the council API")
async def token(request: Request, ctx: ContextDep) -> Response:
    """grant_type=client_credentials, client_id and client_secret, form-encoded (RFC 6749 4.4) or JSON."""
    raw = (await request.body())[:4096]
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            fields = {k: str(v) for k, v in json.loads(raw or b"{}").items()}
        else:
            fields = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
    except (ValueError, AttributeError):
        return _oauth_error(400, "invalid_request", "the body is neither form-encoded nor a JSON object")
    if fields.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if not fields.get("client_id") or not fields.get("client_secret"):
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required")
    try:
        issued = await keys.client_credentials(
            ctx, client_id=fields["client_id"][:64], client_secret=fields["client_secret"][:200]
        )
    except keys.InvalidClient:
        return _oauth_error(401, "invalid_client", "the client is unknown, revoked, or the secret is wrong")
    return JSONResponse(
        {"access_token": issued.token, "token_type": "Bearer", "expires_in": issued.expires_in},
        headers={"Cache-Control": "no-store"},
    )
