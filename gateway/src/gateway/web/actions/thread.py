"""An action's thread (seed 004 section 4): its posts and files; Comment (stays with whoever holds it),
Reply (passed to the other side), Request closure and Add a file; a closed action read only, with the
council's reason. messaging checks everything again and its refusals are shown at their fields."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actions import access, service
from gateway.web.actions.wording import (
    DONE,
    HELPERS,
    POST_FIELDS,
    TEXT_MAX,
    action_url,
    actions_url,
    files_of,
    refusal,
)
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())


def render_thread(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    thread: dict[str, Any],
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    writable = not thread.get("read_only") and user.viewer.can_edit
    return portal.render(
        request,
        "actions/thread.html",
        branding=branding,
        viewer=user.viewer,
        action=thread,
        base=action_url(branding.slug, str(thread["action_id"])),
        back_href=actions_url(branding.slug),
        writable=writable,
        may_request_closure=writable and thread.get("status") == "open",
        done=DONE.get(request.query_params.get("done", "")),
        values=values or {},
        errors=errors or FormErrors(),
        status_code=status_code,
        text_max=TEXT_MAX,
        **HELPERS,
    )


async def read_thread(request: Request, user: SignedIn, action_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await service.read(request, user, f"actions/{access.an_id(action_id)}")
    return found


@router.get("/{slug}/actions/{action_id}", response_class=HTMLResponse)
async def show_action(
    request: Request, portal: Portal, branding: AuthorityBranding, action_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    return render_thread(request, portal, branding, user, await read_thread(request, user, action_id))


MOVES = {"comment": "comments", "reply": "replies"}


@router.post("/{slug}/actions/{action_id}/post")
async def post_to_action(
    request: Request, portal: Portal, branding: AuthorityBranding, action_id: str
) -> Response:
    """Comment or Reply, as the button pressed says (any other value is not a move: nothing is sent)."""
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    action_id = access.an_id(action_id)
    form = await request.form()
    move = str(form.get("move") or "")
    text = str(form.get("text") or "")
    if move not in MOVES:
        thread = await read_thread(request, user, action_id)
        errors = FormErrors.whole("Choose Comment or Reply")
        return render_thread(
            request, portal, branding, user, thread, values={"text": text}, errors=errors, status_code=422
        )
    try:
        await service.write(request, user, "POST", f"actions/{action_id}/{MOVES[move]}", {"text": text})
    except ServiceError as exc:
        errors = refusal(exc, POST_FIELDS)
        thread = await read_thread(request, user, action_id)
        return render_thread(
            request,
            portal,
            branding,
            user,
            thread,
            values={"text": text},
            errors=errors,
            status_code=exc.status,
        )
    return RedirectResponse(action_url(branding.slug, action_id, move), status_code=303)


@router.post("/{slug}/actions/{action_id}/closure-request")
async def request_closure(
    request: Request, portal: Portal, branding: AuthorityBranding, action_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    action_id = access.an_id(action_id)
    try:
        await service.write(request, user, "POST", f"actions/{action_id}/closure-request", {})
    except ServiceError as exc:
        errors = refusal(exc, POST_FIELDS)
        thread = await read_thread(request, user, action_id)
        return render_thread(request, portal, branding, user, thread, errors=errors, status_code=exc.status)
    return RedirectResponse(action_url(branding.slug, action_id, "closure"), status_code=303)


@router.post("/{slug}/actions/{action_id}/attachments")
async def add_file(request: Request, portal: Portal, branding: AuthorityBranding, action_id: str) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    action_id = access.an_id(action_id)
    uploads = files_of(await request.form())
    errors, status = None, 422
    if not uploads:
        errors = FormErrors((FieldError("attachment", "Choose a file to add"),))
    else:
        try:
            await service.attach(request, user, action_id, uploads[0])
        except ServiceError as exc:
            errors, status = refusal(exc, POST_FIELDS), exc.status
    if errors:
        thread = await read_thread(request, user, action_id)
        return render_thread(request, portal, branding, user, thread, errors=errors, status_code=status)
    return RedirectResponse(action_url(branding.slug, action_id, "attached"), status_code=303)


@router.get("/{slug}/actions/{action_id}/attachments/{attachment_id}")
async def download(
    request: Request, branding: AuthorityBranding, action_id: str, attachment_id: str
) -> Response:
    """A file of the thread, through the gateway: messaging checks it is the caller's action's."""
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    route = f"actions/{access.an_id(action_id)}/attachments/{access.an_id(attachment_id)}"
    return await service.stream(request, user, route)
