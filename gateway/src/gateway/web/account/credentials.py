"""Changing one's own password or security code when logged in (the seeds' "Change Password" and
"Change Security Code" links of the home page). Both ask for the current password; identity checks it
(a wrong one counts towards the lock) and the authority's rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.identity_client import IdentityError
from gateway.web.branding import Branding
from gateway.web.forms import FormErrors
from gateway.web.identity_errors import identity_form_errors, required
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn, address, identity, viewer_of

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
LABELS = {
    "current_password": "Your current password",
    "new_password": "The new password",
    "confirm_password": "The confirmation",
    "new_code": "The new security code",
    "confirm_code": "The confirmation",
}
ENTER = {
    "current_password": "Enter your current password",
    "new_password": "Enter a new password",
    "confirm_password": "Confirm the new password",
    "new_code": "Enter a new security code",
    "confirm_code": "Confirm the new security code",
}
# what -> (its fields, its template)
FORMS = {
    "password": (("current_password", "new_password", "confirm_password"), "account/change_password.html"),
    "security-code": (("current_password", "new_code", "confirm_code"), "account/change_security_code.html"),
}


def _render(
    request: Request, portal: WebPortal, branding: Branding, user: SignedIn, what: str, errors: FormErrors
) -> HTMLResponse:
    return portal.render(
        request,
        FORMS[what][1],
        branding=branding,
        viewer=user.viewer,
        password_rules=user.me.get("password_rules") or [],
        values={},
        errors=errors,
    )


async def _show(request: Request, portal: WebPortal, branding: Branding, what: str) -> Response:
    user = await viewer_of(request, branding.slug)
    if not isinstance(user, SignedIn):
        return user
    return _render(request, portal, branding, user, what, FormErrors())


async def _send(request: Request, portal: WebPortal, branding: Branding, what: str) -> Response:
    user = await viewer_of(request, branding.slug)
    if not isinstance(user, SignedIn):
        return user
    fields = FORMS[what][0]
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in fields}
    missing = required(values, {name: ENTER[name] for name in fields})
    if missing:
        return _render(request, portal, branding, user, what, missing)
    client = identity(request)
    change = client.change_my_password if what == "password" else client.change_my_security_code
    try:
        await change(token=user.token, form=values, address=address(request))
    except IdentityError as exc:
        errors = identity_form_errors(
            exc,
            fields=fields,
            labels=LABELS,
            confirm={"new_password": "confirm_password", "new_code": "confirm_code"},
            on_field=fields[0] if exc.status == 403 else None,
        )
        return _render(request, portal, branding, user, what, errors)
    return RedirectResponse(f"/{branding.slug}/home?changed={what}", status_code=303)


@router.get("/{slug}/change-password", response_class=HTMLResponse)
async def show_change_password(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _show(request, portal, branding, "password")


@router.post("/{slug}/change-password")
async def send_change_password(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    return await _send(request, portal, branding, "password")


@router.get("/{slug}/change-security-code", response_class=HTMLResponse)
async def show_change_security_code(
    request: Request, portal: Portal, branding: AuthorityBranding
) -> Response:
    return await _show(request, portal, branding, "security-code")


@router.post("/{slug}/change-security-code")
async def send_change_security_code(
    request: Request, portal: Portal, branding: AuthorityBranding
) -> Response:
    return await _send(request, portal, branding, "security-code")
