"""Scheduled Payments (seed 004 section 3): the pick lists (financial year, contract) with the year's
periods, newest first, each with its status and the CURRENT one marked; a payment's page (its header:
start, end, total, excl VAT, VAT, total payable, status; its lines per purchase order (client) with
excl VAT, VAT, total, contract and period); "Confirm payment"; and "Dispute" with a reason, of the
lines ticked or (none ticked) the whole payment. Read-only people see the payments but no buttons."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actions.access import message_href
from gateway.web.actuals import figures
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors, form_errors, form_version
from gateway.web.identity_errors import sentence
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.scheduled_payments import access, service
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
DONE = {
    "confirmed": "Payment confirmed",
    "disputed": "Dispute sent: the council's payments team will look at it. The lines not disputed still pay.",
}
CONFLICT = "Someone else changed this payment while you were working on it. Check it and try again."
DISPUTE_FIELDS = ("line_ids", "reason")
# Each status's words and colour, for payments and lines (the templates' TAGS).
TAGS = {
    "unconfirmed": ("Unconfirmed", "govuk-tag--blue"),
    "confirmed": ("Confirmed", "govuk-tag--green"),
    "disputed": ("Disputed", "govuk-tag--red"),
    "finalised": ("Finalised", "govuk-tag--grey"),
    "payable": ("Payable", "govuk-tag--green"),
    "held": ("Held", "govuk-tag--yellow"),
}


def payments_url(slug: str) -> str:
    return f"/{slug}/scheduled-payments"


def payment_url(slug: str, payment_id: str, done: str | None = None) -> str:
    return f"/{slug}/scheduled-payments/{payment_id}" + (f"?done={done}" if done else "")


@router.get("/{slug}/scheduled-payments", response_class=HTMLResponse)
async def show_payments(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    options: dict[str, Any] = await service.read(request, user, "scheduled-payments/options")
    year = request.query_params.get("financial_year") or options["current_year"]
    if year not in options["financial_years"]:
        year = options["current_year"]
    contracts = {c["contract_id"]: c["name"] for c in options["contracts"]}
    contract = request.query_params.get("contract_id") or ""
    if contract not in contracts:
        contract = ""
    rows = await service.read(
        request, user, "scheduled-payments", financial_year=year, contract_id=contract, limit=500
    )
    return portal.render(
        request,
        "scheduled_payments/payments.html",
        branding=branding,
        viewer=user.viewer,
        values={"financial_year": year, "contract_id": contract},
        years=[(y, y) for y in options["financial_years"]],
        contracts=list(contracts.items()),
        rows=rows,
        errors=FormErrors(),
        fmt=figures,
        TAGS=TAGS,
    )


def render_payment(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    payment: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return portal.render(
        request,
        "scheduled_payments/payment.html",
        branding=branding,
        viewer=user.viewer,
        payment=payment,
        base=payment_url(branding.slug, payment["payment_id"]),
        back=payments_url(branding.slug),
        message_href=message_href(
            request,
            user.viewer,
            branding.slug,
            return_to=payment_url(branding.slug, payment["payment_id"]),
            payment_id=str(payment["payment_id"]),
        ),
        values=values or {"reason": "", "line_ids": []},
        done=DONE.get(request.query_params.get("done", "")),
        errors=errors or FormErrors(),
        status_code=status_code,
        fmt=figures,
        TAGS=TAGS,
    )


async def read_payment(request: Request, user: SignedIn, payment_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await service.read(
        request, user, f"scheduled-payments/{access.an_id(payment_id)}"
    )
    return found


@router.get("/{slug}/scheduled-payments/{payment_id}", response_class=HTMLResponse)
async def show_payment(
    request: Request, portal: Portal, branding: AuthorityBranding, payment_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    return render_payment(request, portal, branding, user, await read_payment(request, user, payment_id))


def refusal(exc: ServiceError) -> FormErrors:
    """A refusal on the page: a conflict in the service's words (a stale version in the page's), a bad
    reason or line at its field."""
    if exc.status in {403, 404}:
        raise service.page_problem(exc) from exc
    text = service.problem_text(exc)
    if exc.status == 409:
        return FormErrors.whole(CONFLICT if exc.stale else text)
    listed = exc.body.get("errors")
    if isinstance(listed, list) and listed:
        return form_errors(
            [
                {"field": e.get("field"), "message": _sentence(e.get("field"), str(e.get("message") or ""))}
                for e in listed
            ],
            fields=DISPUTE_FIELDS,
        )
    return FormErrors.whole(text)


def _sentence(field: object, text: str) -> str:
    """The service's message at its field, named as the form names it ("Reason for the dispute must be
    ...")."""
    if text.strip().startswith("give the reason"):
        return "Enter the reason for the dispute"
    return sentence("Reason for the dispute" if field == "reason" else None, text)


@router.post("/{slug}/scheduled-payments/{payment_id}/confirm")
async def confirm(request: Request, portal: Portal, branding: AuthorityBranding, payment_id: str) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    payment_id = access.an_id(payment_id)
    form = await request.form()
    try:
        await service.write(
            request, user, "POST", f"scheduled-payments/{payment_id}/confirm", {"version": form_version(form)}
        )
    except ServiceError as exc:
        errors = refusal(exc)
        payment = await read_payment(request, user, payment_id)
        return render_payment(request, portal, branding, user, payment, errors=errors, status_code=exc.status)
    return RedirectResponse(payment_url(branding.slug, payment_id, "confirmed"), status_code=303)


@router.post("/{slug}/scheduled-payments/{payment_id}/dispute")
async def dispute(request: Request, portal: Portal, branding: AuthorityBranding, payment_id: str) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    payment_id = access.an_id(payment_id)
    form = await request.form()
    line_ids = [str(v) for v in form.getlist("line_ids") if str(v).strip()]
    reason = str(form.get("reason") or "")
    values: dict[str, Any] = {"reason": reason, "line_ids": line_ids}
    if not reason.strip():  # said here, before the service is asked (it says the same)
        payment = await read_payment(request, user, payment_id)
        errors = FormErrors((FieldError("reason", "Enter the reason for the dispute"),))
        return render_payment(
            request, portal, branding, user, payment, values=values, errors=errors, status_code=422
        )
    body = {"version": form_version(form), "reason": reason.strip(), "line_ids": line_ids}
    try:
        await service.write(request, user, "POST", f"scheduled-payments/{payment_id}/dispute", body)
    except ServiceError as exc:
        errors = refusal(exc)
        payment = await read_payment(request, user, payment_id)
        return render_payment(
            request, portal, branding, user, payment, values=values, errors=errors, status_code=exc.status
        )
    return RedirectResponse(payment_url(branding.slug, payment_id, "disputed"), status_code=303)
