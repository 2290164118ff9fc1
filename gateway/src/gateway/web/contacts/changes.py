"""Changes to existing contacts (seed 003, "View and Request Changes to Contacts"): from a contact's card
on the Contacts page, "Request removal" (a leaver: a confirmation, then the request) and "Request a
change of role or scope" (the seeds' "For" and "Role" drop-downs, as for a new contact). The council
approves or rejects, as for new contacts; the request shows on the Contacts page meanwhile. The Main
contact is the council's: its card offers neither."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.identity_client import IdentityError
from gateway.web.admin_access import page_problem
from gateway.web.branding import Branding
from gateway.web.contacts.pages import ACCESS, BLANK, ROLE_CHOICES, role_text, scope_choices, scope_text
from gateway.web.forms import FieldError, FormErrors, form_values
from gateway.web.identity_errors import identity_form_errors
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn, address, identity

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
FIELDS = ("scope", "role")
LABELS = {"scope": "For", "role": "Role"}


async def _contact(
    request: Request, branding: Branding, user_id: uuid.UUID
) -> tuple[SignedIn | Response, dict[str, Any]]:
    """The person with Edit access, and the contact they ask about (the 404 page for anyone else)."""
    user = await ACCESS.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user, {}
    try:
        contact = await identity(request).provider_get(f"contacts/{user_id}", token=user.token)
    except IdentityError as exc:
        raise page_problem(exc) from exc
    return user, contact


async def _ask(request: Request, user: SignedIn, body: dict[str, Any]) -> IdentityError | None:
    try:
        await identity(request).provider_post(
            "contact-change-requests", body, token=user.token, address=address(request)
        )
    except IdentityError as exc:
        return exc
    return None


@router.get("/{slug}/contacts/{user_id}/remove", response_class=HTMLResponse)
async def show_removal(
    user_id: uuid.UUID, request: Request, portal: Portal, branding: AuthorityBranding
) -> Response:
    user, contact = await _contact(request, branding, user_id)
    if not isinstance(user, SignedIn):
        return user
    return _render_removal(request, portal, branding, user, contact, FormErrors())


@router.post("/{slug}/contacts/{user_id}/remove")
async def send_removal(
    user_id: uuid.UUID, request: Request, portal: Portal, branding: AuthorityBranding
) -> Response:
    user, contact = await _contact(request, branding, user_id)
    if not isinstance(user, SignedIn):
        return user
    refused = await _ask(request, user, {"change": "removal", "user_id": contact["user_id"]})
    if refused is not None:
        errors = identity_form_errors(refused, fields=(), labels={})
        return _render_removal(request, portal, branding, user, contact, errors)
    return RedirectResponse(f"/{branding.slug}/contacts?removal-requested", status_code=303)


def _render_removal(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    contact: dict[str, Any],
    errors: FormErrors,
) -> HTMLResponse:
    return portal.render(
        request,
        "contacts/contact_remove.html",
        branding=branding,
        viewer=user.viewer,
        contact=contact,
        errors=errors,
        role_text=role_text,
        scope_text=lambda row: scope_text(row, {}),
    )


@router.get("/{slug}/contacts/{user_id}/change", response_class=HTMLResponse)
async def show_change(
    user_id: uuid.UUID, request: Request, portal: Portal, branding: AuthorityBranding
) -> Response:
    user, contact = await _contact(request, branding, user_id)
    if not isinstance(user, SignedIn):
        return user
    current = {
        "scope": f"{contact['scope_type']}:{contact['scope_id']}",
        "role": f"{contact['role']}:{'edit' if contact['can_edit'] else 'read'}",
    }
    return await _render_change(request, portal, branding, user, contact, current, FormErrors())


@router.post("/{slug}/contacts/{user_id}/change")
async def send_change(
    user_id: uuid.UUID, request: Request, portal: Portal, branding: AuthorityBranding
) -> Response:
    user, contact = await _contact(request, branding, user_id)
    if not isinstance(user, SignedIn):
        return user
    values = form_values(await request.form(), FIELDS)
    # The drop-downs' values: "<scope type>:<id>" and "<role>:<edit|read>" (identity checks both, a
    # blank one too: the page only words it).
    scope_type, _, scope_id = values["scope"].partition(":")
    role, _, access = values["role"].partition(":")
    body = {
        "change": "access",
        "user_id": contact["user_id"],
        "role": role,
        "can_edit": access == "edit",
        "scope_type": scope_type,
        "scope_id": scope_id,
    }
    refused = await _ask(request, user, body)
    if refused is not None:
        if refused.type.endswith("bad-scope") or refused.status == 404:
            errors = FormErrors((FieldError("scope", "Choose what the access is for from the list"),))
        else:
            errors = identity_form_errors(
                refused,
                fields=FIELDS,
                labels=LABELS,
                aliases={"scope_type": "scope", "scope_id": "scope", "can_edit": "role"},
                values=values,
                blank=BLANK,
            )
        return await _render_change(request, portal, branding, user, contact, values, errors)
    return RedirectResponse(f"/{branding.slug}/contacts?change-requested", status_code=303)


async def _render_change(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    contact: dict[str, Any],
    values: dict[str, str],
    errors: FormErrors,
) -> HTMLResponse:
    return portal.render(
        request,
        "contacts/contact_change.html",
        branding=branding,
        viewer=user.viewer,
        contact=contact,
        values=values,
        errors=errors,
        scopes=await scope_choices(request, user),
        roles=ROLE_CHOICES,
        role_text=role_text,
        scope_text=lambda row: scope_text(row, {}),
    )
