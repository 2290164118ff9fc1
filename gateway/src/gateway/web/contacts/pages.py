"""Contacts (seed 003, "How do I request access for new users?"): the organisation's contacts with
their role and what it covers, the contacts asked for and the council's decisions, and the New Contact
form (forename, surname, address, telephone, portal e-mail, "For" and "Role"; the council approves and
e-mails a temporary password). Main is never offered: the council sets it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.identity_client import IdentityError
from gateway.web.admin_access import WHOLE_LIST, TaskAccess, day, read, task_viewer
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors, form_values
from gateway.web.identity_errors import identity_form_errors
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn, address, identity
from gateway.web.tasks import TaskId
from shared.auth import Role
from shared.capabilities import ROLE_NAMES

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
# A new contact, a removal or a change of role is asked for here and made by the council.
ACCESS = TaskAccess(TaskId.contacts, "your organisation's contacts", "request changes to them")
FIELDS = ("forename", "surname", "address", "phone", "email", "scope", "role")
LABELS = {
    "forename": "Forename",
    "surname": "Surname",
    "address": "Address",
    "phone": "Mobile / Telephone",
    "email": "Provider Portal Email Address",
    "scope": "For",
    "role": "Role",
}
# The roles a provider may ask for, each Edit or Read Only (the seeds' Role drop-down; never Main).
ROLE_CHOICES = tuple(
    (f"{role.value}:{access}", f"{ROLE_NAMES[role]} - {'Edit' if access == 'edit' else 'Read Only'}")
    for role in (Role.full, Role.finance, Role.care, Role.admin)
    for access in ("edit", "read")
)
# What each field asks for when it is left blank (identity refuses it; the page words it).
BLANK = {
    "forename": "Enter a forename",
    "surname": "Enter a surname",
    "address": "Enter an address",
    "phone": "Enter a mobile or telephone number",
    "email": "Enter the email address they will log in with",
    "scope": "Choose what the access is for",
    "role": "Choose a role",
}
SCOPE_NAMES = {"organisation": "Organisation", "contract": "Contract", "service": "Service"}
NOTICES = {
    "requested": "Your request for a new contact has been sent to the council",
    "removal-requested": "Your request to remove the contact has been sent to the council",
    "change-requested": "Your request to change the contact's role or scope has been sent to the council",
}


def role_text(contact: dict[str, Any]) -> str:
    """E.g. "Finance Functions - Read Only" (the seeds' Role drop-down)."""
    try:
        role = ROLE_NAMES[Role(contact["role"])]
    except (ValueError, KeyError):
        role = str(contact["role"])
    return f"{role} - {'Edit' if contact['can_edit'] else 'Read Only'}"


def scope_text(row: dict[str, Any], choices: dict[str, str]) -> str:
    """What a contact's (or a request's) access is for, as the "For" drop-down names it."""
    known = choices.get(f"{row['scope_type']}:{row['scope_id']}")
    if known:
        return known
    kind = SCOPE_NAMES.get(row["scope_type"], row["scope_type"])
    return f"{kind} - {row['scope_name']}" if row.get("scope_name") else kind


def change_text(change: dict[str, Any], scopes: dict[str, str]) -> str:
    """What a request asks, in a sentence: "Remove from the organisation" or "Finance Functions - Read
    Only, for Contract - Home Care"."""
    asked = change.get("asked")
    if not asked:
        return "Remove from the organisation"
    return f"{role_text(asked)}, for {scope_text(asked, scopes)}"


async def _viewer(request: Request, branding: Branding) -> SignedIn | Response:
    return await task_viewer(request, branding, TaskId.contacts)


@router.get("/{slug}/contacts", response_class=HTMLResponse)
async def show_contacts(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    contacts = await read(request, user, "contacts?" + WHOLE_LIST)
    requests = await read(request, user, "contact-requests?" + WHOLE_LIST)
    changes = await read(request, user, "contact-change-requests?" + WHOLE_LIST)
    scopes = dict(await scope_choices(request, user))
    return portal.render(
        request,
        "contacts/contacts.html",
        branding=branding,
        viewer=user.viewer,
        contacts=contacts,
        requests=requests,
        role_text=role_text,
        scope_text=lambda row: scope_text(row, scopes),
        day=day,
        notice=next((text for key, text in NOTICES.items() if key in request.query_params), None),
        # Removals and changes of role or scope (contacts/changes.py).
        changes=changes,
        changing={c["user_id"] for c in changes if c["status"] == "pending"},
        change_text=lambda change: change_text(change, scopes),
    )


async def scope_choices(request: Request, user: SignedIn) -> list[tuple[str, str]]:
    """The seeds' "For" drop-down: the organisation (for a login that covers it), then its contracts
    and services within the login's scope."""
    choices = []
    scope = user.me.get("scope") or {}
    organisation = user.me.get("organisation") or {}
    if scope.get("type") == "organisation" and organisation:
        choices.append(
            (f"organisation:{organisation['organisation_id']}", f"Organisation - {organisation['name']}")
        )
    contracts = await read(request, user, "contracts?" + WHOLE_LIST)
    services = await read(request, user, "services?" + WHOLE_LIST)
    for contract in contracts:
        if scope.get("type") != "service":  # a service's login may only give access to its service
            choices.append((f"contract:{contract['contract_id']}", f"Contract - {contract['name']}"))
        for service in services:
            if service["contract_id"] == contract["contract_id"]:
                choices.append((f"service:{service['service_id']}", f"Service - {service['name']}"))
    return choices


async def _render_form(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    values: dict[str, str],
    errors: FormErrors,
) -> HTMLResponse:
    return portal.render(
        request,
        "contacts/contact_new.html",
        branding=branding,
        viewer=user.viewer,
        values=values,
        errors=errors,
        scopes=await scope_choices(request, user),
        roles=ROLE_CHOICES,
    )


@router.get("/{slug}/contacts/new", response_class=HTMLResponse)
async def show_new_contact(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await ACCESS.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    return await _render_form(request, portal, branding, user, {}, FormErrors())


@router.post("/{slug}/contacts/new")
async def send_new_contact(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await ACCESS.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    values = form_values(await request.form(), FIELDS)
    # The drop-downs' values: "<scope type>:<id>" and "<role>:<edit|read>" (identity checks both).
    scope_type, _, scope_id = values["scope"].partition(":")
    role, _, access = values["role"].partition(":")
    body = {
        **{name: values[name] for name in FIELDS if name not in {"scope", "role"}},
        "role": role,
        "can_edit": access == "edit",
        "scope_type": scope_type,
        "scope_id": scope_id,
    }
    try:
        await identity(request).provider_post(
            "contact-requests", body, token=user.token, address=address(request)
        )
    except IdentityError as exc:
        if exc.type.endswith("bad-scope") or exc.status == 404:
            errors = FormErrors((FieldError("scope", "Choose what the access is for from the list"),))
        else:
            errors = identity_form_errors(
                exc,
                fields=FIELDS,
                labels=LABELS,
                aliases={"scope_type": "scope", "scope_id": "scope", "can_edit": "role"},
                on_field="email" if exc.status == 409 else None,
                values=values,
                blank=BLANK,
            )
        return await _render_form(request, portal, branding, user, values, errors)
    return RedirectResponse(f"/{branding.slug}/contacts?requested", status_code=303)
