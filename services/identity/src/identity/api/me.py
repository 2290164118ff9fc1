"""The caller's own account: who am I, change password, change security code (via the gateway proxy)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from identity.api.deps import ContextDep
from identity.api.schemas import PASSWORD_INPUT_MAX, AuthorityBranding, Membership
from identity.handlers import credentials, me
from shared.http import CurrentCaller
from shared.lanes import HASHING, lane

router = APIRouter(prefix="/api/v1/identity", tags=["me"])


class UserSummary(BaseModel):
    user_id: uuid.UUID
    email: str
    forename: str
    surname: str
    is_council: bool


class OrganisationSummary(BaseModel):
    organisation_id: uuid.UUID
    name: str
    reference: str


class Scope(BaseModel):
    type: str = Field(description="authority | organisation | contract | service")
    id: uuid.UUID | None


class Me(BaseModel):
    kind: str = Field(description="user | api_key | council_client")
    user: UserSummary | None
    authority: AuthorityBranding
    organisation: OrganisationSummary | None = Field(description="the organisation shown now")
    organisations: list[Membership] = Field(description="every organisation the login is linked to")
    role: str
    can_edit: bool
    scope: Scope
    password_rules: list[str]


@router.get("/me", response_model=Me, summary="Who am I: user, organisation(s), role, scope, branding")
async def get_me(caller: CurrentCaller, ctx: ContextDep) -> Me:
    return Me.model_validate(await me.whoami(caller, ctx), from_attributes=True)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=PASSWORD_INPUT_MAX)
    new_password: str = Field(max_length=PASSWORD_INPUT_MAX)
    confirm_password: str = Field(max_length=PASSWORD_INPUT_MAX)


@router.post(
    "/me/password",
    status_code=204,
    summary="Change my password (other sessions end)",
    openapi_extra=lane(HASHING),
)
async def change_my_password(body: PasswordChange, caller: CurrentCaller, ctx: ContextDep) -> Response:
    await credentials.change_password(
        caller,
        ctx,
        current=body.current_password,
        new=body.new_password,
        confirm=body.confirm_password,
    )
    return Response(status_code=204)


class CodeChange(BaseModel):
    current_password: str = Field(max_length=PASSWORD_INPUT_MAX)
    new_code: str = Field(max_length=32)
    confirm_code: str = Field(max_length=32)


@router.post(
    "/me/security-code", status_code=204, summary="Change my security code", openapi_extra=lane(HASHING)
)
async def change_my_security_code(body: CodeChange, caller: CurrentCaller, ctx: ContextDep) -> Response:
    await credentials.change_security_code(
        caller,
        ctx,
        current_password=body.current_password,
        new=body.new_code,
        confirm=body.confirm_code,
    )
    return Response(status_code=204)
