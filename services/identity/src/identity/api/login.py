"""The login journey and sessions: internal routes that only the gateway calls (docs/identity-api.md).

Secrets (journey ids, session ids, passwords, codes) travel in JSON bodies, never in paths or query
strings, so that no access log can hold them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from identity.api.deps import ContextDep, GatewayActor
from identity.api.schemas import PASSWORD_INPUT_MAX, SLUG, AuthorityBranding, Email, OneLine, Phone
from identity.domain import security_codes
from identity.handlers import journey, login, resets, sessions
from identity.handlers.principals import IssuedToken

router = APIRouter(prefix="/internal/v1/identity", tags=["internal"], include_in_schema=False)


class LoginStart(BaseModel):
    authority: str = Field(pattern=SLUG, description="the authority's slug, e.g. telford-wrekin")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=PASSWORD_INPUT_MAX)


class JourneyRef(BaseModel):
    journey_id: str = Field(min_length=1, max_length=200)


class PasswordStep(JourneyRef):
    new_password: str = Field(max_length=PASSWORD_INPUT_MAX)
    confirm_password: str = Field(max_length=PASSWORD_INPUT_MAX)


class CodeStep(JourneyRef):
    new_code: str = Field(max_length=32)
    confirm_code: str = Field(max_length=32)


class ChallengeStep(JourneyRef):
    digits: list[Annotated[str, Field(pattern=r"^[0-9]$")]] = Field(
        min_length=2, max_length=2, description="the digits at `positions`, in that order, e.g. ['0', '1']"
    )


class NewSessionOut(BaseModel):
    session_id: str = Field(description="the cookie value; the gateway sets it and never shows it")
    expires_at: datetime
    absolute_expires_at: datetime


class JourneyOut(BaseModel):
    step: str = Field(description="change_password | set_security_code | security_code_challenge | done")
    journey_id: str | None = None
    positions: list[int] | None = Field(None, description="1-based positions asked for, e.g. [2, 5]")
    positions_text: str | None = Field(None, description="e.g. '2nd and 5th'")
    reason: str | None = Field(None, description="why the password must change: temporary | expired")
    password_rules: list[str] = []
    security_code_rules: list[str] = []
    session: NewSessionOut | None = None


CODE_RULES = [
    "exactly 6 digits, only 0-9",
    "different from the previous security code",
    "no digit more than 4 times",
    "no more than three consecutive digits up or down (like 1234 or 4321)",
]


def _out(state: login.JourneyState) -> JourneyOut:
    session = state.session
    return JourneyOut(
        step=state.step.value,
        journey_id=state.journey_id,
        positions=list(state.positions) if state.positions else None,
        positions_text=security_codes.describe_positions(state.positions) if state.positions else None,
        reason=state.reason.value if state.reason else None,
        password_rules=state.password_rules,
        security_code_rules=CODE_RULES if state.step.value == "set_security_code" else [],
        session=NewSessionOut(
            session_id=session.session_id,
            expires_at=session.expires_at,
            absolute_expires_at=session.absolute_expires_at,
        )
        if session
        else None,
    )


@router.post("/login", response_model=JourneyOut)
async def start_login(body: LoginStart, actor: GatewayActor, ctx: ContextDep) -> JourneyOut:
    return _out(
        await login.start(actor, ctx, authority_slug=body.authority, email=body.email, password=body.password)
    )


@router.post("/login/state", response_model=JourneyOut)
async def journey_state(body: JourneyRef, actor: GatewayActor, ctx: ContextDep) -> JourneyOut:
    return _out(await journey.current(actor, ctx, journey_id=body.journey_id))


@router.post("/login/password", response_model=JourneyOut)
async def change_password_step(body: PasswordStep, actor: GatewayActor, ctx: ContextDep) -> JourneyOut:
    return _out(
        await journey.change_password(
            actor,
            ctx,
            journey_id=body.journey_id,
            new_password=body.new_password,
            confirm_password=body.confirm_password,
        )
    )


@router.post("/login/security-code", response_model=JourneyOut)
async def set_security_code_step(body: CodeStep, actor: GatewayActor, ctx: ContextDep) -> JourneyOut:
    return _out(
        await journey.set_security_code(
            actor, ctx, journey_id=body.journey_id, new_code=body.new_code, confirm_code=body.confirm_code
        )
    )


@router.post("/login/challenge", response_model=JourneyOut)
async def answer_challenge_step(body: ChallengeStep, actor: GatewayActor, ctx: ContextDep) -> JourneyOut:
    return _out(
        await journey.answer_challenge(actor, ctx, journey_id=body.journey_id, digits=tuple(body.digits))
    )


class SessionRef(BaseModel):
    session_id: str = Field(min_length=1, max_length=200)


class SwitchOrganisation(SessionRef):
    organisation_id: uuid.UUID


class TokenOut(BaseModel):
    token: str
    token_type: str = "Bearer"
    expires_in: int
    session_expires_at: datetime | None = None
    subject: str
    organisation_id: uuid.UUID | None
    role: str
    can_edit: bool


def _token(issued: IssuedToken) -> TokenOut:
    p = issued.principal
    return TokenOut(
        token=issued.token,
        expires_in=issued.expires_in,
        session_expires_at=issued.session_expires_at,
        subject=p.subject,
        organisation_id=p.organisation_id,
        role=p.role.value,
        can_edit=p.can_edit,
    )


@router.post("/sessions/token", response_model=TokenOut)
async def session_token(body: SessionRef, actor: GatewayActor, ctx: ContextDep) -> TokenOut:
    """A short-lived signed token for a live session (the gateway caches it briefly)."""
    return _token(await sessions.exchange(actor, ctx, session_id=body.session_id))


@router.post("/sessions/logout", status_code=204)
async def logout(body: SessionRef, actor: GatewayActor, ctx: ContextDep) -> Response:
    await sessions.logout(actor, ctx, session_id=body.session_id)
    return Response(status_code=204)


@router.post("/sessions/organisation", response_model=TokenOut)
async def switch_organisation(body: SwitchOrganisation, actor: GatewayActor, ctx: ContextDep) -> TokenOut:
    return _token(
        await sessions.switch_organisation(
            actor, ctx, session_id=body.session_id, organisation_id=body.organisation_id
        )
    )


class ResetRequestIn(BaseModel):
    authority: str = Field(pattern=SLUG)
    name: OneLine = Field(min_length=1, max_length=200)
    organisation_name: OneLine = Field(min_length=1, max_length=200)
    email: Email
    phone: Phone


class Accepted(BaseModel):
    message: str


RESET_ANSWER = (
    "Thank you. If the e-mail belongs to an account, the support team will contact you with a new "
    "password. This is not instant: passwords are reset in working hours."
)


@router.post("/password-reset-requests", status_code=202, response_model=Accepted)
async def request_password_reset(body: ResetRequestIn, actor: GatewayActor, ctx: ContextDep) -> Accepted:
    """The same answer whether or not the e-mail belongs to an account."""
    form = resets.ResetForm(
        name=body.name, organisation_name=body.organisation_name, email=body.email, phone=body.phone
    )
    await resets.request_reset(actor, ctx, authority_slug=body.authority, form=form)
    return Accepted(message=RESET_ANSWER)


class AuthorityBrandingOut(AuthorityBranding):
    password_rules: list[str]


@router.get("/authorities", response_model=list[AuthorityBrandingOut])
async def list_authorities(actor: GatewayActor, ctx: ContextDep) -> list[login.PortalAuthority]:
    """Every authority's name, colours, support contact and password rules (for the pages)."""
    return await login.authorities(actor, ctx)
