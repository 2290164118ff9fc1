"""Council systems' client credentials, and the OAuth 2.0 client-credentials token endpoint."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from identity.api.deps import AnonymousActor, ContextDep
from identity.api.schemas import OneLine
from identity.handlers import clients
from identity.store.keys import CouncilClient
from shared.errors import PROBLEM_BASE
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.problems import PROBLEM_JSON

council_api = APIRouter(prefix="/council/v1/identity", tags=["council"])


class ClientCreate(BaseModel):
    name: OneLine = Field(
        min_length=1, max_length=100, description="which council system, e.g. 'Finance ledger'"
    )
    can_edit: bool = Field(True, description="false: read-only access to the council API")
    grants: list[Literal["clients:manage", "users:manage", "operations"]] = Field(
        default_factory=list,
        description="what else the client may do: create and revoke other clients (clients:manage); create"
        " council users and unlock or reset their passwords (users:manage); list and redrive every"
        " service's dead letters (operations: its tokens carry the operator claim). A client never hands"
        " on more.",
    )


class ClientPublic(BaseModel):
    client_id: str
    name: str
    can_edit: bool
    grants: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ClientCreated(ClientPublic):
    client_secret: str = Field(description="shown this once")


@council_api.post("/clients", status_code=201, response_model=ClientCreated, summary="New client credentials")
async def create_client(body: ClientCreate, caller: CurrentCaller, ctx: ContextDep) -> ClientCreated:
    client, secret = await clients.create_council_client(
        caller, ctx, name=body.name, can_edit=body.can_edit, grants=list(body.grants)
    )
    return ClientCreated(**client.model_dump(), client_secret=secret)


@council_api.get("/clients", response_model=list[ClientPublic], responses=PAGED)
async def list_clients(caller: CurrentCaller, ctx: ContextDep, page: PageDep) -> list[CouncilClient]:
    return page.of(await clients.list_council_clients(caller, ctx, limit=page.fetch, offset=page.offset))


@council_api.delete("/clients/{client_id}", response_model=ClientPublic)
async def revoke_client(client_id: str, caller: CurrentCaller, ctx: ContextDep) -> CouncilClient:
    return await clients.revoke_council_client(caller, ctx, client_id=client_id[:64])


def _oauth_error(status: int, error: str, detail: str) -> JSONResponse:
    """RFC 6749 5.2 `error`, inside a problem+json body (RFC 9457 allows extension members)."""
    body = {
        "type": PROBLEM_BASE + error.replace("_", "-"),
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
async def token(request: Request, actor: AnonymousActor, ctx: ContextDep) -> Response:
    """grant_type=client_credentials, client_id and client_secret, form-encoded (RFC 6749 4.4) or JSON."""
    raw = (await request.body())[:4096]
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            fields = {k: str(v) for k, v in json.loads(raw or b"{}").items()}
        else:
            fields = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
    except (ValueError, AttributeError, RecursionError):  # RecursionError: JSON nested a thousand deep
        return _oauth_error(400, "invalid_request", "the body is neither form-encoded nor a JSON object")
    if fields.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if not fields.get("client_id") or not fields.get("client_secret"):
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required")
    try:
        issued = await clients.client_credentials(
            actor, ctx, client_id=fields["client_id"][:64], client_secret=fields["client_secret"][:200]
        )
    except clients.InvalidClient as refused:
        return _oauth_error(401, "invalid_client", refused.detail)
    return JSONResponse(
        {"access_token": issued.token, "token_type": "Bearer", "expires_in": issued.expires_in},
        headers={"Cache-Control": "no-store"},
    )
