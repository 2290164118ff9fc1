"""The login journey as JSON at the gateway (/api/v1/auth): what a script or a page calls from the
browser. Identity keeps the journey; the gateway relays each step, and when the login is done sets the
session cookie (the session id never reaches the browser's JavaScript). docs/identity-api.md.

CSRF: every route refuses a request the browser marks as cross-site (gateway.cross_site); they take
JSON only, and the cookie is SameSite=Lax.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gateway.auth import end_session, forget_session
from gateway.client_address import client_address
from gateway.config import Settings
from gateway.cross_site import refuse_cross_site
from gateway.identity_client import IdentityClient, IdentityError
from gateway.sessions import clear_session_cookie, session_id_from, set_session_cookie

router = APIRouter(prefix="/api/v1/auth", tags=["login"], dependencies=[Depends(refuse_cross_site)])
JsonBody = dict[str, Any]
JsonIn = Annotated[JsonBody, Body(description="a JSON object")]


def _identity(request: Request) -> IdentityClient:
    client: IdentityClient = request.app.state.identity
    return client


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.gateway_settings
    return settings


async def _step(request: Request, call: Any) -> Response:
    """Relay one step; on `done`, end any session this browser had and set the new one's cookie."""
    try:
        state: dict[str, Any] = await call
    except IdentityError as exc:
        return exc.response(request)
    session = state.pop("session", None)
    response = JSONResponse(state)
    if state.get("step") == "done" and session:
        previous = session_id_from(request)
        if previous:
            await end_session(request, previous)
        set_session_cookie(response, _settings(request), session["session_id"])
        response.body = response.render(
            {**state, "session": {k: v for k, v in session.items() if k != "session_id"}}
        )
        response.headers["content-length"] = str(len(response.body))
    return response


def _text(body: JsonBody, name: str) -> str:
    value = body.get(name, "")
    return value if isinstance(value, str) else ""


@router.post("/login")
async def start_login(request: Request, body: JsonIn) -> Response:
    """authority, email, password -> the next step (with a journey_id)."""
    return await _step(
        request,
        _identity(request).start_login(
            authority=_text(body, "authority"),
            email=_text(body, "email"),
            password=_text(body, "password"),
            address=client_address(request),
        ),
    )


@router.post("/login/state")
async def journey_state(request: Request, body: JsonIn) -> Response:
    return await _step(
        request,
        _identity(request).journey_state(
            journey_id=_text(body, "journey_id"), address=client_address(request)
        ),
    )


@router.post("/login/password")
async def change_password(request: Request, body: JsonIn) -> Response:
    return await _step(
        request,
        _identity(request).change_password(
            journey_id=_text(body, "journey_id"),
            new_password=_text(body, "new_password"),
            confirm_password=_text(body, "confirm_password"),
            address=client_address(request),
        ),
    )


@router.post("/login/security-code")
async def set_security_code(request: Request, body: JsonIn) -> Response:
    return await _step(
        request,
        _identity(request).set_security_code(
            journey_id=_text(body, "journey_id"),
            new_code=_text(body, "new_code"),
            confirm_code=_text(body, "confirm_code"),
            address=client_address(request),
        ),
    )


@router.post("/login/challenge")
async def answer_challenge(request: Request, body: JsonIn) -> Response:
    digits = body.get("digits")
    return await _step(
        request,
        _identity(request).answer_challenge(
            journey_id=_text(body, "journey_id"),
            digits=[d for d in digits if isinstance(d, str)] if isinstance(digits, list) else [],
            address=client_address(request),
        ),
    )


@router.post("/logout", status_code=204)
async def logout(request: Request) -> Response:
    """End the session at identity and in this gateway's cache, at once; clear the cookie."""
    response = Response(status_code=204)
    session_id = session_id_from(request)
    if session_id:
        await end_session(request, session_id)
    clear_session_cookie(response, _settings(request))
    return response


class SwitchOrganisation(BaseModel):
    organisation_id: uuid.UUID


@router.post("/organisation")
async def switch_organisation(body: SwitchOrganisation, request: Request) -> Response:
    """Show another organisation the login is linked to; the next request carries its role and scope."""
    session_id = session_id_from(request)
    if not session_id:
        return IdentityError(401, {"title": "Unauthorized", "detail": "log in first"}).response(request)
    forget_session(request, session_id)
    try:
        issued = await _identity(request).switch_organisation(
            session_id=session_id, organisation_id=body.organisation_id, address=client_address(request)
        )
    except IdentityError as exc:
        return exc.response(request)
    keep = ("organisation_id", "role", "can_edit")
    return JSONResponse({k: issued[k] for k in keep})


@router.post("/password-reset-requests", status_code=202)
async def request_password_reset(request: Request, body: JsonIn) -> Response:
    """The forgotten-password form: authority, name, organisation_name, email, phone."""
    fields = ("authority", "name", "organisation_name", "email", "phone")
    try:
        answer = await _identity(request).request_password_reset(
            form={f: _text(body, f) for f in fields}, address=client_address(request)
        )
    except IdentityError as exc:
        return exc.response(request)
    return JSONResponse(answer, status_code=202)
