"""Retracting a submitted invoice: the question (what the credit note will be, and why), then the credit
note's page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actuals import figures
from gateway.web.branding import Branding
from gateway.web.forms import FormErrors, form_version
from gateway.web.invoices import access, service
from gateway.web.invoices.pages import invoice_url, read_invoice, refusal
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())


def _render_retract(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    invoice: dict[str, Any],
    *,
    reason: str = "",
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return portal.render(
        request,
        "invoices/retract.html",
        branding=branding,
        viewer=user.viewer,
        invoice=invoice,
        back_href=invoice_url(branding.slug, invoice["invoice_id"]),
        values={"reason": reason},
        errors=errors or FormErrors(),
        status_code=status_code,
        fmt=figures,
    )


@router.get("/{slug}/invoices/{invoice_id}/retract", response_class=HTMLResponse)
async def show_retract(
    request: Request, portal: Portal, branding: AuthorityBranding, invoice_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    return _render_retract(request, portal, branding, user, await read_invoice(request, user, invoice_id))


@router.post("/{slug}/invoices/{invoice_id}/retract")
async def retract_invoice(
    request: Request, portal: Portal, branding: AuthorityBranding, invoice_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    invoice_id = access.an_id(invoice_id)
    form = await request.form()
    reason = str(form.get("reason") or "")
    body = {"version": form_version(form), "reason": reason}
    try:
        note = await service.write(request, user, "POST", f"invoices/{invoice_id}/retract", body)
    except ServiceError as exc:
        errors = refusal(exc, ("reason",))
        invoice = await read_invoice(request, user, invoice_id)
        return _render_retract(
            request, portal, branding, user, invoice, reason=reason, errors=errors, status_code=exc.status
        )
    return RedirectResponse(invoice_url(branding.slug, note["invoice_id"], "retracted"), status_code=303)
