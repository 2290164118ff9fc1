"""The forgotten-password request (the seeds' form: name, organisation name, e-mail, telephone), which
reaches the authority's support team. The confirmation never says whether the e-mail has an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict

from gateway.identity_client import IdentityError
from gateway.web.forms import check_form, email_format, required_text, telephone_format
from gateway.web.identity_errors import identity_form_errors
from gateway.web.rendering import AuthorityBranding, Portal, page_router_dependencies
from gateway.web.session import address, identity

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
FIELDS = ("name", "organisation_name", "email", "telephone")


class ForgottenPasswordRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    name: Annotated[
        str, required_text("Enter your name", max_length=100, too_long="Name must be 100 characters or less")
    ]
    organisation_name: Annotated[
        str,
        required_text(
            "Enter the name of your organisation",
            max_length=200,
            too_long="Organisation name must be 200 characters or less",
        ),
    ]
    email: Annotated[
        str,
        required_text(
            "Enter your email address",
            max_length=254,
            too_long="Email address must be 254 characters or less",
        ),
        AfterValidator(email_format),
    ]
    telephone: Annotated[
        str,
        required_text(
            "Enter your telephone number",
            max_length=30,
            too_long="Telephone number must be 30 characters or less",
        ),
        AfterValidator(telephone_format),
    ]


@router.get("/{slug}/forgotten-password", response_class=HTMLResponse)
async def show_forgotten_password(
    request: Request, portal: Portal, branding: AuthorityBranding
) -> HTMLResponse:
    return portal.render(request, "forgotten_password.html", branding=branding, values={})


@router.post("/{slug}/forgotten-password")
async def send_forgotten_password(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    values, checked, errors = check_form(await request.form(), ForgottenPasswordRequest, FIELDS)
    if checked is None:
        return portal.render(
            request, "forgotten_password.html", branding=branding, values=values, errors=errors
        )
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
        errors = identity_form_errors(exc, fields=FIELDS, labels={}, aliases={"phone": "telephone"})
        return portal.render(
            request, "forgotten_password.html", branding=branding, values=values, errors=errors
        )
    return RedirectResponse(f"/{branding.slug}/forgotten-password/sent", status_code=303)


@router.get("/{slug}/forgotten-password/sent", response_class=HTMLResponse)
async def show_forgotten_password_sent(
    request: Request, portal: Portal, branding: AuthorityBranding
) -> HTMLResponse:
    return portal.render(request, "forgotten_password_sent.html", branding=branding)
