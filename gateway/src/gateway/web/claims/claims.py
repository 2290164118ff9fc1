"""One-Off Claims (seed 004 section 6; DOMAIN.md "One-off claims"): the list of the provider's claims
(the seed's notes, "New claim", Date of claim / Notes / Status / Total payable, in pages), a new claim
(the date, today unless changed, and notes), a claim's page (its items in two tables, with the buttons
to add, edit and remove them while it is unsubmitted, and "Submit claim" with the seed's warning; after
submission read only, and once decided which items were included and the LA notes), and changing a
claim's date or notes. Where the council takes no claims through the portal the list says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actions.access import message_href
from gateway.web.actuals import figures
from gateway.web.actuals.listing import page_number, unnumbered
from gateway.web.branding import Branding
from gateway.web.claims import access, service
from gateway.web.claims.forms import CLAIM_FIELDS, date_boxes, date_values, service_errors, typed_date
from gateway.web.forms import FieldError, FormErrors, form_values, form_version
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
PAGE_SIZE = 25
DONE = {
    "created": "Claim created",
    "saved": "Claim saved",
    "added": "Item added",
    "changed": "Item saved",
    "removed": "Item removed",
    "submitted": "Claim submitted: the council's Finance Panel will consider it",
}
CONFLICT = "Someone else changed this claim while you were working on it. Check it and try again."


def claims_url(slug: str) -> str:
    return f"/{slug}/one-off-claims"


def claim_url(slug: str, claim_id: str, done: str | None = None) -> str:
    return f"/{slug}/one-off-claims/{claim_id}" + (f"?done={done}" if done else "")


def refusal(exc: ServiceError, fields: tuple[str, ...]) -> FormErrors:
    """A change refused: a conflict or a submitted claim in the service's words, else at the fields."""
    if exc.status in {403, 404}:
        raise service.page_problem(exc) from exc
    if exc.status == 409:
        text = service.problem_text(exc)
        return FormErrors((FieldError(None, CONFLICT if exc.stale else text),))
    return service_errors(exc, fields)


async def read_claim(request: Request, user: SignedIn, claim_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await service.read(request, user, f"claims/{access.an_id(claim_id)}")
    return found


def not_a_draft(slug: str, claim: dict[str, Any]) -> Response | None:
    """A form of a claim that can no longer change (submitted or decided) is not offered: its page, which
    says why, instead (None: a draft, the form is shown)."""
    if claim.get("status") == "unsubmitted":
        return None
    return RedirectResponse(claim_url(slug, str(claim["claim_id"])), status_code=303)


@router.get("/{slug}/one-off-claims", response_class=HTMLResponse)
async def show_claims(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    offer = await service.read(request, user, "offer")
    if not offer.get("offered"):
        return portal.render(request, "claims/not_offered.html", branding=branding, viewer=user.viewer)
    page = page_number(request.query_params.get("page"))
    # One more than a page says whether there is a next one (lists are not counted: ADR 0011).
    rows: list[dict[str, Any]] = await service.read(
        request, user, "claims", limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    base = claims_url(branding.slug)
    return portal.render(
        request,
        "claims/claims.html",
        branding=branding,
        viewer=user.viewer,
        rows=rows[:PAGE_SIZE],
        page=page,
        pagination=unnumbered(base, {}, page=page, more=len(rows) > PAGE_SIZE),
        fmt=figures,
    )


def _render_details(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    *,
    values: dict[str, str],
    claim: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The new claim's form, or (with `claim`) the form changing a claim's date and notes."""
    return portal.render(
        request,
        "claims/details.html",
        branding=branding,
        viewer=user.viewer,
        values=values,
        claim=claim,
        errors=errors or FormErrors(),
        status_code=status_code,
        back_href=claim_url(branding.slug, claim["claim_id"]) if claim else claims_url(branding.slug),
    )


@router.get("/{slug}/one-off-claims/new", response_class=HTMLResponse)
async def show_new_claim(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    values = {**date_boxes(date.today()), "notes": ""}
    return _render_details(request, portal, branding, user, values=values)


def _details_body(form: Any) -> tuple[dict[str, str], dict[str, Any] | FormErrors]:
    """The form as typed, and the body to send (or the date's error: nothing is sent then)."""
    values = {**date_values(form), **form_values(form, ("notes",))}
    values["notes"] = str(form.get("notes") or "")  # notes as typed, their lines kept
    day = typed_date(values)
    if isinstance(day, FieldError):
        return values, FormErrors((day,))
    return values, {"claim_date": day.isoformat(), "notes": values["notes"].strip()}


@router.post("/{slug}/one-off-claims/new")
async def create_claim(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    values, body = _details_body(await request.form())
    if isinstance(body, FormErrors):
        return _render_details(request, portal, branding, user, values=values, errors=body, status_code=422)
    try:
        claim = await service.write(request, user, "POST", "claims", body)
    except ServiceError as exc:
        errors = refusal(exc, CLAIM_FIELDS)
        return _render_details(
            request, portal, branding, user, values=values, errors=errors, status_code=exc.status
        )
    return RedirectResponse(claim_url(branding.slug, claim["claim_id"], "created"), status_code=303)


@router.get("/{slug}/one-off-claims/{claim_id}/details", response_class=HTMLResponse)
async def show_details(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim = await read_claim(request, user, claim_id)
    if (elsewhere := not_a_draft(branding.slug, claim)) is not None:
        return elsewhere
    day = figures.parse_date(claim.get("claim_date")) or date.today()
    values = {**date_boxes(day), "notes": str(claim.get("notes") or "")}
    return _render_details(request, portal, branding, user, values=values, claim=claim)


@router.post("/{slug}/one-off-claims/{claim_id}/details")
async def save_details(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim = await read_claim(request, user, claim_id)
    form = await request.form()
    values, body = _details_body(form)
    if isinstance(body, FormErrors):
        return _render_details(
            request, portal, branding, user, values=values, claim=claim, errors=body, status_code=422
        )
    body["version"] = form_version(form)
    try:
        await service.write(request, user, "PATCH", f"claims/{claim['claim_id']}", body)
    except ServiceError as exc:
        errors = refusal(exc, CLAIM_FIELDS)
        claim = await read_claim(request, user, claim_id)
        return _render_details(
            request, portal, branding, user, values=values, claim=claim, errors=errors, status_code=exc.status
        )
    return RedirectResponse(claim_url(branding.slug, claim["claim_id"], "saved"), status_code=303)


def render_claim(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    claim: dict[str, Any],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    unsubmitted = claim.get("status") == "unsubmitted"
    return portal.render(
        request,
        "claims/claim.html",
        branding=branding,
        viewer=user.viewer,
        claim=claim,
        base=claim_url(branding.slug, claim["claim_id"]),
        message_href=message_href(
            request,
            user.viewer,
            branding.slug,
            return_to=claim_url(branding.slug, claim["claim_id"]),
            claim_id=str(claim["claim_id"]),
        ),
        editable=unsubmitted and user.viewer.can_edit,
        submitted=not unsubmitted,
        done=DONE.get(request.query_params.get("done", "")),
        errors=errors or FormErrors(),
        status_code=status_code,
        fmt=figures,
    )


@router.get("/{slug}/one-off-claims/{claim_id}", response_class=HTMLResponse)
async def show_claim(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    return render_claim(request, portal, branding, user, await read_claim(request, user, claim_id))


@router.post("/{slug}/one-off-claims/{claim_id}/submit")
async def submit_claim(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim_id = access.an_id(claim_id)
    form = await request.form()
    try:
        await service.write(
            request, user, "POST", f"claims/{claim_id}/submit", {"version": form_version(form)}
        )
    except ServiceError as exc:
        errors = refusal(exc, ())
        claim = await read_claim(request, user, claim_id)
        return render_claim(request, portal, branding, user, claim, errors=errors, status_code=exc.status)
    return RedirectResponse(claim_url(branding.slug, claim_id, "submitted"), status_code=303)
