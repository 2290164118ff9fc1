"""Organisation Details (seed 003, Admin Functions): the organisation's name, reference and contact
details, the changes asked for and the council's decisions, and the form to ask for a change (the
council approves it; identity's organisation change requests, docs/identity-api.md section 4)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.identity_client import IdentityError
from gateway.web.admin_access import WHOLE_LIST, TaskAccess, day, read, task_viewer
from gateway.web.branding import Branding
from gateway.web.forms import FormErrors, form_values
from gateway.web.identity_errors import identity_form_errors
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn, address, identity
from gateway.web.tasks import TaskId

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
# A change is asked for here and made by the council.
ACCESS = TaskAccess(TaskId.organisation_details, "your organisation's details", "request changes to them")
FIELDS = ("name", "address", "postcode", "phone", "email")
LABELS = {
    "name": "Organisation name",
    "address": "Address",
    "postcode": "Postcode",
    "phone": "Telephone number",
    "email": "Email address",
}
# What each field asks for when it is left blank (identity refuses it; the page words it).
BLANK = {
    "name": "Enter the organisation's name",
    "address": "Enter the organisation's address",
    "postcode": "Enter the postcode",
    "phone": "Enter the organisation's telephone number",
    "email": "Enter the organisation's email address",
}


def may_request(user: SignedIn) -> bool:
    """Edit access to the whole organisation (not one contract or service of it)."""
    return user.viewer.can_edit and (user.me.get("scope") or {}).get("type") == "organisation"


async def _viewer(request: Request, branding: Branding) -> SignedIn | Response:
    return await task_viewer(request, branding, TaskId.organisation_details)


@router.get("/{slug}/organisation-details", response_class=HTMLResponse)
async def show_organisation_details(
    request: Request, portal: Portal, branding: AuthorityBranding
) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    organisation = await read(request, user, "organisation")
    changes = await read(request, user, "organisation-change-requests?" + WHOLE_LIST)
    pending = next((c for c in changes if c["status"] == "pending"), None)
    decided = next((c for c in changes if c["status"] != "pending"), None)
    return portal.render(
        request,
        "organisation/organisation_details.html",
        branding=branding,
        viewer=user.viewer,
        organisation=organisation,
        pending=pending,
        decided=decided,
        labels=LABELS,
        day=day,
        may_request=may_request(user) and pending is None,
        whole_organisation=(user.me.get("scope") or {}).get("type") == "organisation",
        notice="Your change request has been sent to the council"
        if "requested" in request.query_params
        else None,
    )


def _render_form(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    values: dict[str, str],
    errors: FormErrors,
) -> HTMLResponse:
    return portal.render(
        request,
        "organisation/organisation_change.html",
        branding=branding,
        viewer=user.viewer,
        values=values,
        errors=errors,
    )


@router.get("/{slug}/organisation-details/change", response_class=HTMLResponse)
async def show_organisation_change(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await ACCESS.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    organisation = await read(request, user, "organisation")
    values = {name: str(organisation.get(name) or "") for name in FIELDS}
    return _render_form(request, portal, branding, user, values, FormErrors())


@router.post("/{slug}/organisation-details/change")
async def send_organisation_change(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await ACCESS.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    values = form_values(await request.form(), FIELDS)
    try:
        await identity(request).provider_post(
            "organisation-change-requests", values, token=user.token, address=address(request)
        )
    except IdentityError as exc:
        errors = identity_form_errors(exc, fields=FIELDS, labels=LABELS, values=values, blank=BLANK)
        return _render_form(request, portal, branding, user, values, errors)
    return RedirectResponse(f"/{branding.slug}/organisation-details?requested", status_code=303)
