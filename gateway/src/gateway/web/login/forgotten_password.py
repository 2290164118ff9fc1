"""The forgotten-password request (the seeds' form: name, organisation name, e-mail, telephone), which
reaches the authority's support team. The confirmation never says whether the e-mail has an account."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.identity_client import IdentityError
from gateway.web.forms import form_values
from gateway.web.identity_errors import identity_form_errors
from gateway.web.rendering import AuthorityBranding, Portal, page_router_dependencies
from gateway.web.session import address, identity

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
FIELDS = ("name", "organisation_name", "email", "telephone")
LABELS = {
    "name": "Your name",
    "organisation_name": "The name of your organisation",
    "email": "Your email address",
    "telephone": "Your telephone number",
}
# What each field asks for when it is left blank (identity refuses it; the page words it).
BLANK = {
    "name": "Enter your name",
    "organisation_name": "Enter the name of your organisation",
    "email": "Enter your email address",
    "telephone": "Enter your telephone number",
}


@router.get("/{slug}/forgotten-password", response_class=HTMLResponse)
async def show_forgotten_password(
    request: Request, portal: Portal, branding: AuthorityBranding
) -> HTMLResponse:
    return portal.render(request, "login/forgotten_password.html", branding=branding, values={})


@router.post("/{slug}/forgotten-password")
async def send_forgotten_password(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    values = form_values(await request.form(), FIELDS)
    # Whatever identity knows about the e-mail, the person sees the same confirmation.
    form_sent = {
        "authority": branding.slug,
        "name": values["name"],
        "organisation_name": values["organisation_name"],
        "email": values["email"],
        "phone": values["telephone"],
    }
    try:
        await identity(request).request_password_reset(form=form_sent, address=address(request))
    except IdentityError as exc:
        errors = identity_form_errors(
            exc, fields=FIELDS, labels=LABELS, aliases={"phone": "telephone"}, values=values, blank=BLANK
        )
        return portal.render(
            request, "login/forgotten_password.html", branding=branding, values=values, errors=errors
        )
    return RedirectResponse(f"/{branding.slug}/forgotten-password/sent", status_code=303)


@router.get("/{slug}/forgotten-password/sent", response_class=HTMLResponse)
async def show_forgotten_password_sent(
    request: Request, portal: Portal, branding: AuthorityBranding
) -> HTMLResponse:
    return portal.render(request, "login/forgotten_password_sent.html", branding=branding)
