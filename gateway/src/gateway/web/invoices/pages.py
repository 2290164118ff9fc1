"""The Invoices pages: the list of the provider's invoices and credit notes (in pages), a new invoice (the
confirmed weeks not yet invoiced, as check boxes, and the provider's own reference), an invoice's page
(its lines by week and client, with "Submit invoice" and "Delete draft" while a draft, "Retract invoice"
once submitted). The retraction is in `retract.py`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actuals import figures
from gateway.web.actuals.listing import page_number, unnumbered
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors, form_errors, form_version
from gateway.web.invoices import access, service
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
PAGE_SIZE = 25
DONE = {
    "created": "Draft invoice created: check it, then submit it",
    "submitted": "Invoice submitted to the council",
    "deleted": "Draft invoice deleted",
    "retracted": "Invoice retracted: this credit note was issued",
}
CONFLICT = "Someone else changed this invoice while you were working on it. Check it and try again."


def invoices_url(slug: str, done: str | None = None) -> str:
    return f"/{slug}/invoices" + (f"?done={done}" if done else "")


def invoice_url(slug: str, invoice_id: str, done: str | None = None) -> str:
    return f"/{slug}/invoices/{invoice_id}" + (f"?done={done}" if done else "")


def weeks_field(field: str) -> str:
    """The service names a week by its place in the list ("week_ids[2]"): the form has one field."""
    return "weeks" if field.startswith("week_ids") else field


def refusal(exc: ServiceError, fields: tuple[str, ...]) -> FormErrors:
    """A refusal at the form's fields (every week's problem in the summary), a conflict in words."""
    if exc.status in {403, 404}:
        raise service.page_problem(exc) from exc
    listed = exc.body.get("errors")
    if isinstance(listed, list) and listed:
        errors = [
            {
                "field": weeks_field(str(e.get("field") or "")),
                "message": _sentence(str(e.get("message") or ""), str(e.get("field") or "")),
            }
            for e in listed
            if isinstance(e, dict)
        ]
        found = form_errors(errors, fields=fields)
        # every week's problem, not only the first: the summary lists them all, the field shows the first
        extra = tuple(FieldError(None, e["message"]) for e in errors[1:] if e["field"] == "weeks")
        return FormErrors(found.items + extra)
    text = service.problem_text(exc)
    return FormErrors((FieldError(None, CONFLICT if exc.stale else text),))


LABELS = {"provider_reference": "Your reference", "reason": "The reason"}


def _sentence(text: str, field: str = "") -> str:
    """The service's message as a sentence, naming the field by its label where it starts with a verb
    ("must be 100 characters or fewer": "Your reference must be 100 characters or fewer")."""
    text = text.strip()
    if field in LABELS and text.split(" ", 1)[0] in {"must", "is", "cannot"}:
        return f"{LABELS[field]} {text}"
    return text[:1].upper() + text[1:]


async def read_invoice(request: Request, user: SignedIn, invoice_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await service.read(request, user, f"invoices/{access.an_id(invoice_id)}")
    return found


@router.get("/{slug}/invoices", response_class=HTMLResponse)
async def show_invoices(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    page = page_number(request.query_params.get("page"))
    rows: list[dict[str, Any]] = await service.read(
        request, user, "invoices", limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return portal.render(
        request,
        "invoices/invoices.html",
        branding=branding,
        viewer=user.viewer,
        rows=rows[:PAGE_SIZE],
        page=page,
        pagination=unnumbered(invoices_url(branding.slug), {}, page=page, more=len(rows) > PAGE_SIZE),
        done=DONE.get(request.query_params.get("done", "")),
        fmt=figures,
    )


async def _render_new(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    *,
    chosen: set[str],
    reference: str = "",
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    weeks: list[dict[str, Any]] = await service.read(request, user, "invoices/invoiceable-weeks", limit=500)
    contracts: dict[str, list[dict[str, Any]]] = {}
    for week in weeks:
        contracts.setdefault(f"{week['contract_name']} ({week['contract_reference']})", []).append(week)
    return portal.render(
        request,
        "invoices/new.html",
        branding=branding,
        viewer=user.viewer,
        contracts=contracts,
        chosen=chosen,
        values={"provider_reference": reference},
        errors=errors or FormErrors(),
        status_code=status_code,
        fmt=figures,
    )


@router.get("/{slug}/invoices/new", response_class=HTMLResponse)
async def show_new(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    return await _render_new(request, portal, branding, user, chosen=set())


@router.post("/{slug}/invoices/new")
async def create_invoice(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    form = await request.form()
    chosen = [str(v) for v in form.getlist("weeks")]
    reference = str(form.get("provider_reference") or "").strip()
    weeks: list[dict[str, Any]] = await service.read(request, user, "invoices/invoiceable-weeks", limit=500)
    contract = {w["week_id"]: w["contract_id"] for w in weeks}
    if not chosen:
        errors = FormErrors((FieldError("weeks", "Choose at least one confirmed week to invoice"),))
        return await _render_new(
            request, portal, branding, user, chosen=set(), reference=reference, errors=errors, status_code=422
        )
    # The contract of the first week chosen: the service refuses any week of another (named at the weeks).
    contract_id = next((contract[w] for w in chosen if w in contract), None)
    if contract_id is None:
        errors = FormErrors(
            (FieldError("weeks", "The weeks chosen can no longer be invoiced: choose again"),)
        )
        return await _render_new(
            request, portal, branding, user, chosen=set(), reference=reference, errors=errors, status_code=409
        )
    body = {"contract_id": contract_id, "week_ids": chosen, "provider_reference": reference or None}
    try:
        invoice = await service.write(request, user, "POST", "invoices", body)
    except ServiceError as exc:
        errors = refusal(exc, ("weeks", "provider_reference"))
        return await _render_new(
            request,
            portal,
            branding,
            user,
            chosen=set(chosen),
            reference=reference,
            errors=errors,
            status_code=exc.status,
        )
    return RedirectResponse(invoice_url(branding.slug, invoice["invoice_id"], "created"), status_code=303)


def render_invoice(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    invoice: dict[str, Any],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return portal.render(
        request,
        "invoices/invoice.html",
        branding=branding,
        viewer=user.viewer,
        invoice=invoice,
        base=invoice_url(branding.slug, invoice["invoice_id"]),
        can_edit=user.viewer.can_edit,
        done=DONE.get(request.query_params.get("done", "")),
        errors=errors or FormErrors(),
        status_code=status_code,
        fmt=figures,
    )


@router.get("/{slug}/invoices/{invoice_id}", response_class=HTMLResponse)
async def show_invoice(
    request: Request, portal: Portal, branding: AuthorityBranding, invoice_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    return render_invoice(request, portal, branding, user, await read_invoice(request, user, invoice_id))


@router.post("/{slug}/invoices/{invoice_id}/submit")
async def submit_invoice(
    request: Request, portal: Portal, branding: AuthorityBranding, invoice_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    invoice_id = access.an_id(invoice_id)
    form = await request.form()
    try:
        await service.write(
            request, user, "POST", f"invoices/{invoice_id}/submit", {"version": form_version(form)}
        )
    except ServiceError as exc:
        errors = refusal(exc, ())
        invoice = await read_invoice(request, user, invoice_id)
        return render_invoice(request, portal, branding, user, invoice, errors=errors, status_code=exc.status)
    return RedirectResponse(invoice_url(branding.slug, invoice_id, "submitted"), status_code=303)


@router.post("/{slug}/invoices/{invoice_id}/delete")
async def delete_invoice(
    request: Request, portal: Portal, branding: AuthorityBranding, invoice_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    invoice_id = access.an_id(invoice_id)
    form = await request.form()
    try:
        await service.write(request, user, "DELETE", f"invoices/{invoice_id}", version=form_version(form))
    except ServiceError as exc:
        errors = refusal(exc, ())
        invoice = await read_invoice(request, user, invoice_id)
        return render_invoice(request, portal, branding, user, invoice, errors=errors, status_code=exc.status)
    return RedirectResponse(invoices_url(branding.slug, "deleted"), status_code=303)
