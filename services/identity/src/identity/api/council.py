"""The council's administration of accounts and its reading of the audit log (/council/v1)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from identity.api.deps import ContextDep
from identity.api.schemas import EMAIL, GrantIn, Membership, OneLine, UserPublic
from identity.handlers import accounts, audit
from identity.store.audit import AuditEntry as AuditRecord
from identity.store.users import Grant, User
from shared.http import CurrentCaller
from shared.lanes import HASHING, lane
from shared.paging import PAGED, PageDep

router = APIRouter(prefix="/council/v1/identity", tags=["council"])


class UserCreate(BaseModel):
    email: str = Field(pattern=EMAIL, max_length=254)
    forename: OneLine = Field(min_length=1, max_length=100)
    surname: OneLine = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=500)
    is_council: bool = Field(False, description="council staff see the whole authority")
    council_can_edit: bool = False
    grant: GrantIn | None = Field(None, description="the organisation, role and scope of a provider user")


class UserWithPassword(BaseModel):
    user: UserPublic
    temporary_password: str = Field(description="shown once; the user must change it at first login")


def _grant(grant: GrantIn | None) -> Grant | None:
    if grant is None:
        return None
    return Grant(
        organisation_id=grant.organisation_id,
        role=grant.role,
        can_edit=grant.can_edit,
        scope_type=grant.scope_type,
        scope_id=grant.scope_id or grant.organisation_id,
    )


@router.post("/users", status_code=201, response_model=UserWithPassword, openapi_extra=lane(HASHING))
async def create_user(body: UserCreate, caller: CurrentCaller, ctx: ContextDep) -> UserWithPassword:
    new = accounts.NewUser(
        email=body.email,
        forename=body.forename,
        surname=body.surname,
        phone=body.phone,
        address=body.address,
        is_council=body.is_council,
        council_can_edit=body.council_can_edit,
    )
    user, password = await accounts.create_user(caller, ctx, new=new, grant=_grant(body.grant))
    return UserWithPassword(user=user, temporary_password=password)


@router.post("/users/{user_id}/unlock", response_model=UserPublic)
async def unlock_user(user_id: uuid.UUID, caller: CurrentCaller, ctx: ContextDep) -> User:
    return await accounts.unlock(caller, ctx, user_id=user_id)


class ResetIn(BaseModel):
    reset_security_code: bool = Field(False, description="also clear the security code (set again at login)")


@router.post("/users/{user_id}/password-reset", response_model=UserWithPassword, openapi_extra=lane(HASHING))
async def reset_password(
    user_id: uuid.UUID, body: ResetIn, caller: CurrentCaller, ctx: ContextDep
) -> UserWithPassword:
    user, password = await accounts.reset_password(
        caller, ctx, user_id=user_id, reset_security_code=body.reset_security_code
    )
    return UserWithPassword(user=user, temporary_password=password)


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


@router.get(
    "/audit", response_model=list[AuditEntry], summary="The access audit log, newest first", responses=PAGED
)
async def read_audit(
    caller: CurrentCaller,
    ctx: ContextDep,
    page: PageDep,
    user_id: uuid.UUID | None = None,
    action: str | None = Query(None, max_length=60),
    since: datetime | None = None,
    before_id: int | None = Query(
        None, ge=1, description="only entries older than this audit_id (the smallest seen); or use offset"
    ),
) -> list[AuditRecord]:
    rows = await audit.read_audit(
        caller,
        ctx,
        user_id=user_id,
        action=action,
        since=since,
        before_id=before_id,
        limit=page.fetch,
        offset=page.offset,
    )
    return page.of(rows)


class UserDetail(UserPublic):
    memberships: list[Membership]


@router.get(
    "/users",
    response_model=list[UserPublic],
    summary="Users of the authority, or of one organisation",
    responses=PAGED,
)
async def list_users(
    caller: CurrentCaller, ctx: ContextDep, page: PageDep, organisation_id: uuid.UUID | None = None
) -> list[User]:
    rows = await accounts.list_users(
        caller, ctx, organisation_id=organisation_id, limit=page.fetch, offset=page.offset
    )
    return page.of(rows)


@router.get("/users/{user_id}", response_model=UserDetail)
async def get_user(user_id: uuid.UUID, caller: CurrentCaller, ctx: ContextDep) -> accounts.UserDetail:
    return await accounts.user_detail(caller, ctx, user_id=user_id)


class MembershipIn(BaseModel):
    role: str = Field(
        pattern="^(full|finance|care|admin|main)$", description="main is set by the council only"
    )
    can_edit: bool
    scope_type: str = Field("organisation", pattern="^(organisation|contract|service)$")
    scope_id: uuid.UUID | None = Field(None, description="the contract or service; default the organisation")


@router.put(
    "/users/{user_id}/memberships/{organisation_id}",
    response_model=UserDetail,
    summary="Grant a role and scope in an organisation (or change it)",
)
async def put_membership(
    user_id: uuid.UUID, organisation_id: uuid.UUID, body: MembershipIn, caller: CurrentCaller, ctx: ContextDep
) -> accounts.UserDetail:
    grant = Grant(
        organisation_id=organisation_id,
        role=body.role,
        can_edit=body.can_edit,
        scope_type=body.scope_type,
        scope_id=body.scope_id or organisation_id,
    )
    return await accounts.grant(caller, ctx, user_id=user_id, grant=grant)


@router.delete(
    "/users/{user_id}/memberships/{organisation_id}", status_code=204, summary="Unlink from an organisation"
)
async def delete_membership(
    user_id: uuid.UUID, organisation_id: uuid.UUID, caller: CurrentCaller, ctx: ContextDep
) -> Response:
    await accounts.revoke(caller, ctx, user_id=user_id, organisation_id=organisation_id)
    return Response(status_code=204)
