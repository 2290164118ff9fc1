"""The logged-in person's pages: the home page, changing their password and security code, switching
organisation (a login linked to several), and logging out. Without a session each page sends the
person to the log-in page."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.auth import forget_session
from gateway.identity_client import IdentityError
from gateway.web.account.home import card_notes, hidden_tasks, render_home
from gateway.web.rendering import AuthorityBranding, Portal, page_router_dependencies
from gateway.web.session import SignedIn, address, identity, stop_session, viewer_of

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
CHANGED = {
    "password": "Your password has been changed",
    "security-code": "Your security code has been changed",
}


@router.get("/{slug}/home", response_class=HTMLResponse)
async def show_home(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await viewer_of(request, branding.slug)
    if not isinstance(user, SignedIn):
        return user
    changed = CHANGED.get(request.query_params.get("changed", ""))
    notes, hidden = await asyncio.gather(
        card_notes(portal, request, user), hidden_tasks(portal, request, user)
    )
    return render_home(
        portal,
        request,
        branding=branding,
        viewer=user.viewer,
        organisations=user.organisations,
        organisation_id=user.organisation_id,
        notice=changed,
        notes=notes,
        hidden=hidden,
    )


@router.post("/{slug}/logout")
async def log_out(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    response = RedirectResponse(f"/{branding.slug}/?logged-out", status_code=303)
    await stop_session(request, response, portal)
    return response


@router.post("/{slug}/organisation")
async def switch_organisation(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await viewer_of(request, branding.slug)
    if not isinstance(user, SignedIn):
        return user
    form = await request.form()
    wanted = str(form.get("organisation_id") or "")
    linked = {str(o.get("organisation_id")) for o in user.organisations}
    if wanted in linked and wanted != user.organisation_id:
        forget_session(request, user.session_id)
        with contextlib.suppress(IdentityError):  # unlinked meanwhile: the home page shows what is left
            await identity(request).switch_organisation(
                session_id=user.session_id, organisation_id=uuid.UUID(wanted), address=address(request)
            )
    return RedirectResponse(f"/{branding.slug}/home", status_code=303)
