"""The log-in pages: e-mail and password, then the step identity asks for (a forced password change,
setting a security code, or two digits of the code), then the home page.

Identity keeps the journey (docs/identity-api.md section 1); the browser only holds its id, in an
HttpOnly, SameSite=Strict cookie limited to /<slug>/login (never in a URL or a page). Each step page
asks identity where the journey is, so a reload, the back button or an old tab lands on the right step.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.identity_client import IdentityError
from gateway.web.branding import Branding
from gateway.web.forms import FormErrors
from gateway.web.identity_errors import identity_form_errors, problem_text, required
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import address, identity, settings, start_session

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
JOURNEY_COOKIE = "portal_journey"
# identity's step -> (the page's address under /<slug>/, its template)
STEPS = {
    "change_password": ("login/change-password", "login/login_change_password.html"),
    "set_security_code": ("login/set-security-code", "login/login_set_security_code.html"),
    "security_code_challenge": ("login/security-code", "login/login_challenge.html"),
}
PASSWORD_FIELDS = ("new_password", "confirm_password")
CODE_FIELDS = ("new_code", "confirm_code")
DIGIT_FIELDS = ("digit_1", "digit_2")
LABELS = {
    "email": "Your e-mail address",
    "password": "Your password",
    "new_password": "The new password",
    "confirm_password": "The confirmation",
    "new_code": "The new security code",
    "confirm_code": "The confirmation",
}


def ordinal(n: int) -> str:
    """2 -> "2nd" (positions 1 to 6 of a security code)."""
    return str(n) + {1: "st", 2: "nd", 3: "rd"}.get(n, "th")


def _login_path(branding: Branding) -> str:
    return f"/{branding.slug}/login"


def _render_login(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    *,
    email: str = "",
    errors: FormErrors | None = None,
) -> HTMLResponse:
    response = portal.render(
        request, "login/login.html", branding=branding, values={"email": email}, errors=errors or FormErrors()
    )
    if errors:
        response.delete_cookie(JOURNEY_COOKIE, path=_login_path(branding))
    return response


async def _next(request: Request, portal: WebPortal, branding: Branding, state: dict[str, Any]) -> Response:
    """Where the journey goes after `state`: the home page once done, else the step's page."""
    if state.get("step") == "done":
        response = RedirectResponse(f"/{branding.slug}/home", status_code=303)
        await start_session(request, response, portal, str((state.get("session") or {})["session_id"]))
        response.delete_cookie(JOURNEY_COOKIE, path=_login_path(branding))
        return response
    page = STEPS.get(str(state.get("step")))
    if page is None:
        return RedirectResponse(_login_path(branding), status_code=303)
    response = RedirectResponse(f"/{branding.slug}/{page[0]}", status_code=303)
    if state.get("journey_id"):
        response.set_cookie(
            JOURNEY_COOKIE,
            str(state["journey_id"]),
            httponly=True,
            samesite="strict",
            secure=settings(request).cookie_secure,
            path=_login_path(branding),
        )
    return response


@router.get("/{slug}/login", response_class=HTMLResponse)
async def show_login(request: Request, portal: Portal, branding: AuthorityBranding) -> HTMLResponse:
    return _render_login(request, portal, branding)


@router.post("/{slug}/login")
async def send_login(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    form = await request.form()
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    missing = required(
        {"email": email, "password": password},
        {"email": "Enter your e-mail address", "password": "Enter your password"},
    )
    if missing:
        return _render_login(request, portal, branding, email=email, errors=missing)
    try:
        state = await identity(request).start_login(
            authority=branding.slug, email=email, password=password, address=address(request)
        )
    except IdentityError as exc:
        on_field = "password" if exc.type.endswith("invalid-credentials") else None
        errors = identity_form_errors(exc, fields=("email", "password"), labels=LABELS, on_field=on_field)
        return _render_login(request, portal, branding, email=email, errors=errors)
    return await _next(request, portal, branding, state)


async def _state(request: Request, branding: Branding) -> dict[str, Any] | None:
    """The journey's current step, or None when there is none (never started, ended, expired)."""
    journey_id = request.cookies.get(JOURNEY_COOKIE)
    if not journey_id:
        return None
    try:
        return await identity(request).journey_state(journey_id=journey_id, address=address(request))
    except IdentityError as exc:
        if exc.status >= 500:
            raise
        return None


async def _show_step(
    request: Request, portal: WebPortal, branding: Branding, step: str, errors: FormErrors | None = None
) -> Response:
    state = await _state(request, branding)
    if state is None:
        return RedirectResponse(_login_path(branding), status_code=303)
    if state.get("step") != step:
        return await _next(request, portal, branding, state)
    positions = [int(p) for p in state.get("positions") or []]
    return portal.render(
        request,
        STEPS[step][1],
        branding=branding,
        state=state,
        digits=[(f"digit_{i + 1}", ordinal(p)) for i, p in enumerate(positions)],
        values={},
        errors=errors or FormErrors(),
    )


async def _send_step(request: Request, portal: WebPortal, branding: Branding, step: str) -> Response:
    form = await request.form()
    journey_id = request.cookies.get(JOURNEY_COOKIE, "")
    client, where = identity(request), address(request)
    values = {name: str(form.get(name) or "") for name in (*PASSWORD_FIELDS, *CODE_FIELDS, *DIGIT_FIELDS)}
    fields: tuple[str, ...]
    if step == "change_password":
        fields = PASSWORD_FIELDS
        missing = required(
            values, {"new_password": "Enter a new password", "confirm_password": "Confirm the new password"}
        )
        call = client.change_password(
            journey_id=journey_id,
            new_password=values["new_password"],
            confirm_password=values["confirm_password"],
            address=where,
        )
    elif step == "set_security_code":
        fields = CODE_FIELDS
        missing = required(
            values, {"new_code": "Enter a new security code", "confirm_code": "Confirm the new security code"}
        )
        call = client.set_security_code(
            journey_id=journey_id,
            new_code=values["new_code"],
            confirm_code=values["confirm_code"],
            address=where,
        )
    else:
        fields = DIGIT_FIELDS
        missing = required(
            values, {"digit_1": "Choose the first digit", "digit_2": "Choose the second digit"}
        )
        call = client.answer_challenge(
            journey_id=journey_id, digits=[values["digit_1"], values["digit_2"]], address=where
        )
    if missing:
        call.close()
        return await _show_step(request, portal, branding, step, errors=missing)
    try:
        state = await call
    except IdentityError as exc:
        if exc.type.endswith(("login-ended", "wrong-step")) or exc.status == 404:
            return RedirectResponse(_login_path(branding), status_code=303)
        if exc.type.endswith("account-locked"):
            return _render_login(request, portal, branding, errors=FormErrors.whole(problem_text(exc)))
        errors = identity_form_errors(
            exc,
            fields=fields,
            labels=LABELS,
            confirm={"new_password": "confirm_password", "new_code": "confirm_code"},
            on_field=fields[0],
            aliases={"digits": "digit_1"},
        )
        return await _show_step(request, portal, branding, step, errors=errors)
    return await _next(request, portal, branding, state)


@router.get("/{slug}/login/change-password", response_class=HTMLResponse)
async def show_change_password(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _show_step(request, portal, branding, "change_password")


@router.post("/{slug}/login/change-password")
async def send_change_password(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _send_step(request, portal, branding, "change_password")


@router.get("/{slug}/login/set-security-code", response_class=HTMLResponse)
async def show_set_security_code(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _show_step(request, portal, branding, "set_security_code")


@router.post("/{slug}/login/set-security-code")
async def send_set_security_code(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _send_step(request, portal, branding, "set_security_code")


@router.get("/{slug}/login/security-code", response_class=HTMLResponse)
async def show_challenge(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _show_step(request, portal, branding, "security_code_challenge")


@router.post("/{slug}/login/security-code")
async def send_challenge(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _send_step(request, portal, branding, "security_code_challenge")
