"""The council's administration of accounts and its reading of the audit log (/council/v1)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from identity import errors
from identity.api.deps import Authenticated, ContextDep
from identity.api.schemas import EMAIL, GrantIn, UserPublic
from identity.handlers import accounts
from identity.store import audit

router = APIRouter(prefix="/council/v1/identity", tags=["council"])


class UserCreate(BaseModel):
    email: str = Field(pattern=EMAIL, max_length=254)
    forename: str = Field(min_length=1, max_length=100)
    surname: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=500)
    is_council: bool = Field(False, description="council staff see the whole authority")
    council_can_edit: bool = False
    grant: GrantIn | None = Field(None, description="the organisation, role and scope of a provider user")


class UserWithPassword(BaseModel):
    user: UserPublic
    temporary_password: str = Field(description="shown once; the user must change it at first login")


def _grant(grant: GrantIn | None) -> accounts.Grant | None:
    if grant is None:
        return None
    return accounts.Grant(
        organisation_id=grant.organisation_id,
        role=grant.role,
        can_edit=grant.can_edit,
        scope_type=grant.scope_type,
        scope_id=grant.scope_id or grant.organisation_id,
    )


@router.post("/users", status_code=201, response_model=UserWithPassword)
async def create_user(body: UserCreate, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    if body.is_council == (body.grant is not None):
        raise errors.bad_request("a council user has no grant; a provider user needs one")
    new = accounts.NewUser(
        email=body.email,
        forename=body.forename,
        surname=body.surname,
        phone=body.phone,
        address=body.address,
        is_council=body.is_council,
        council_can_edit=body.council_can_edit,
    )
    user, password = await accounts.create_user(ctx, caller, principal, new=new, grant=_grant(body.grant))
    return {"user": user, "temporary_password": password}


@router.post("/users/{user_id}/unlock", response_model=UserPublic)
async def unlock_user(user_id: uuid.UUID, auth: Authenticated, ctx: ContextDep) -> dict[str, Any]:
    principal, caller = auth
    return await accounts.unlock(ctx, caller, principal, user_id=user_id)


class ResetIn(BaseModel):
    reset_security_code: bool = Field(False, description="also clear the security code (set again at login)")


@router.post("/users/{user_id}/password-reset", response_model=UserWithPassword)
async def reset_password(
    user_id: uuid.UUID, body: ResetIn, auth: Authenticated, ctx: ContextDep
) -> dict[str, Any]:
    principal, caller = auth
    user, password = await accounts.reset_password(
        ctx, caller, principal, user_id=user_id, reset_security_code=body.reset_security_code
    )
    return {"user": user, "temporary_password": password}


class AuditEntry(BaseModel):
    audit_id: int
    occurred_at: datetime
    action: str
    outcome: str
    actor_kind: str
    actor_id: str | None
    subject_user_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    client_address: str | None
    request_id: str | None
    detail: dict[str, Any]


@router.get("/audit", response_model=list[AuditEntry], summary="The access audit log, newest first")
async def read_audit(
    auth: Authenticated,
    ctx: ContextDep,
    user_id: uuid.UUID | None = None,
    action: str | None = Query(None, max_length=60),
    since: datetime | None = None,
    before_id: int | None = Query(None, ge=1, description="page on: the smallest audit_id seen"),
    limit: int = Query(100, ge=1, le=500),
) -> list[dict[str, Any]]:
    principal, _ = auth
    if not principal.is_council:
        raise errors.forbidden("only the council can read the audit log")
    async with ctx.pool.acquire() as conn:
        return await audit.list_audit(
            conn=conn,
            authority_id=principal.authority_id,
            subject_user_id=user_id,
            action=action,
            since=since,
            before_id=before_id,
            limit=limit,
        )
