"""A claim's items (seed 004 section 6: "Add New Client Item", "Add new Provider Item"): the form for a
new item and for changing one (Description, Service Level, Client for a client item, Quantity, Unit
cost for a level claimed at cost, and one attachment sent with the item in the same request), removing
an item after a confirmation, an item's page (with the council's LA notes once decided), and its
attachment, relayed from the service through the claim's own address."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gateway.service_problems import ServiceError
from gateway.web.actuals import figures
from gateway.web.branding import Branding
from gateway.web.claims import access, service
from gateway.web.claims.claims import claim_url, not_a_draft, read_claim, refusal
from gateway.web.claims.forms import ITEM_FIELDS
from gateway.web.forms import FieldError, FormErrors, form_values
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
TOO_BIG = "The attachment must be 10 MB or smaller"
SENT = ("description", "service_level_id", "client_id", "quantity", "unit_cost")
ACTIONS = ("keep", "replace", "remove")


def item_refusal(exc: ServiceError) -> FormErrors:
    """The service's refusal of an item: a body too large for it is the attachment's fault."""
    if exc.status == 413:
        return FormErrors((FieldError("attachment", TOO_BIG),))
    return refusal(exc, ITEM_FIELDS)


def find_item(claim: dict[str, Any], item_id: str) -> dict[str, Any]:
    """The item `item_id` of the claim (either table); not there: "Page not found"."""
    wanted = access.an_id(item_id)
    for item in [*(claim.get("client_items") or []), *(claim.get("provider_items") or [])]:
        if isinstance(item, dict) and str(item.get("item_id")) == wanted:
            found: dict[str, Any] = item
            return found
    raise access.NOT_FOUND


def one_unit(unit: str) -> str:
    """The council's unit as one of it, after "per": "Miles" as "Mile", "Hours" as "Hour", "Boxes" as
    "Box" ("£0.45 per Miles" read wrong); a unit already singular ("Mile", "Bus pass") is kept."""
    word = unit.strip()
    if word.lower().endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.lower().endswith("s") and not word.lower().endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def level_text(level: dict[str, Any]) -> str:
    """A service level as the select offers it: its name and what it pays ("£0.39 per Mile", or "at
    cost": the provider enters the unit cost)."""
    unit = one_unit(str(level.get("unit") or "")) or "unit"
    if level.get("unit_cost") in (None, ""):
        return f"{level['name']} (at cost, per {unit})"
    return f"{level['name']} ({figures.money(level['unit_cost'])} per {unit})"


def item_values(item: dict[str, Any], levels: list[dict[str, Any]]) -> dict[str, str]:
    """An item's fields as its form shows them; the unit cost only when the provider entered it (its
    level is claimed at cost), the others' being the level's own."""
    level = str(item.get("service_level_id") or "")
    fixed = any(str(lv.get("service_level_id")) == level and lv.get("unit_cost") for lv in levels)
    return {
        "description": str(item.get("description") or ""),
        "service_level_id": str(item.get("service_level_id") or ""),
        "client_id": str(item.get("client_id") or ""),
        "quantity": figures.quantity(item.get("quantity")),
        "unit_cost": "" if fixed else figures.quantity(item.get("unit_cost")),
        "attachment_action": "keep",
    }


async def _render_form(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    claim: dict[str, Any],
    kind: str,
    *,
    item: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    options = await service.read(request, user, "options", claim_date=claim.get("claim_date"))
    levels = options.get(f"{kind}_levels") or []
    if values is None:
        values = item_values(item, levels) if item else {"attachment_action": "keep"}
    return portal.render(
        request,
        "claims/item_form.html",
        branding=branding,
        viewer=user.viewer,
        claim=claim,
        kind=kind,
        item=item,
        values=values,
        levels=[(str(lv["service_level_id"]), level_text(lv)) for lv in levels],
        at_cost=any(lv.get("unit_cost") in (None, "") for lv in levels),
        clients=[
            (str(c["client_id"]), f"{c['name']} ({c['reference']})") for c in options.get("clients") or []
        ],
        errors=errors or FormErrors(),
        status_code=status_code,
        back_href=claim_url(branding.slug, claim["claim_id"]),
        base=claim_url(branding.slug, claim["claim_id"]),
        fmt=figures,
    )


def _fields(
    form: Any, kind: str | None, version: Any
) -> tuple[dict[str, str], dict[str, str], UploadFile | None]:
    """The form as typed (to show again), the fields to send, and the chosen file (none when empty)."""
    values = form_values(form, (*SENT, "attachment_action"))
    fields = {name: values[name] for name in SENT}
    if kind is not None:
        fields["kind"] = kind
    if kind == "provider":
        fields.pop("client_id")
    fields["version"] = str(version or "")
    upload = form.get("attachment")
    chosen = upload if isinstance(upload, UploadFile) and upload.filename else None
    return values, fields, chosen


@router.get("/{slug}/one-off-claims/{claim_id}/items/new", response_class=HTMLResponse)
async def show_new_item(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    kind = access.a_kind(request.query_params.get("kind"))
    claim = await read_claim(request, user, claim_id)
    if (elsewhere := not_a_draft(branding.slug, claim)) is not None:
        return elsewhere
    return await _render_form(request, portal, branding, user, claim, kind)


@router.post("/{slug}/one-off-claims/{claim_id}/items/new")
async def add_item(request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    kind = access.a_kind(request.query_params.get("kind"))
    form = await request.form()
    values, fields, chosen = _fields(form, kind, form.get("version"))
    claim_id = access.an_id(claim_id)
    try:
        await service.send_item(request, user, "POST", f"claims/{claim_id}/items", fields, chosen)
    except ServiceError as exc:
        errors = item_refusal(exc)
        claim = await read_claim(request, user, claim_id)
        return await _render_form(
            request, portal, branding, user, claim, kind, values=values, errors=errors, status_code=exc.status
        )
    return RedirectResponse(claim_url(branding.slug, claim_id, "added"), status_code=303)


@router.get("/{slug}/one-off-claims/{claim_id}/items/{item_id}/edit", response_class=HTMLResponse)
async def show_edit_item(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str, item_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim = await read_claim(request, user, claim_id)
    item = find_item(claim, item_id)
    if (elsewhere := not_a_draft(branding.slug, claim)) is not None:
        return elsewhere
    return await _render_form(request, portal, branding, user, claim, str(item["kind"]), item=item)


@router.post("/{slug}/one-off-claims/{claim_id}/items/{item_id}/edit")
async def save_item(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str, item_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim = await read_claim(request, user, claim_id)
    item = find_item(claim, item_id)
    form = await request.form()
    values, fields, chosen = _fields(form, None, form.get("version"))
    if item["kind"] == "provider":
        fields.pop("client_id", None)
    action = values["attachment_action"] if values["attachment_action"] in ACTIONS else "keep"
    fields["attachment_action"] = action
    route = f"claims/{claim['claim_id']}/items/{item['item_id']}"
    try:
        await service.send_item(request, user, "PUT", route, fields, chosen)
    except ServiceError as exc:
        errors = item_refusal(exc)
        claim = await read_claim(request, user, claim_id)
        return await _render_form(
            request,
            portal,
            branding,
            user,
            claim,
            str(item["kind"]),
            item=find_item(claim, item_id),
            values=values,
            errors=errors,
            status_code=exc.status,
        )
    return RedirectResponse(claim_url(branding.slug, claim["claim_id"], "changed"), status_code=303)


@router.get("/{slug}/one-off-claims/{claim_id}/items/{item_id}/remove", response_class=HTMLResponse)
async def confirm_remove(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str, item_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim = await read_claim(request, user, claim_id)
    item = find_item(claim, item_id)
    if (elsewhere := not_a_draft(branding.slug, claim)) is not None:
        return elsewhere
    return _render_remove(request, portal, branding, user, claim, item)


def _render_remove(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    claim: dict[str, Any],
    item: dict[str, Any],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return portal.render(
        request,
        "claims/item_remove.html",
        branding=branding,
        viewer=user.viewer,
        claim=claim,
        item=item,
        errors=errors or FormErrors(),
        status_code=status_code,
        back_href=claim_url(branding.slug, claim["claim_id"]),
        fmt=figures,
    )


@router.post("/{slug}/one-off-claims/{claim_id}/items/{item_id}/remove")
async def remove_item(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str, item_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim = await read_claim(request, user, claim_id)
    item = find_item(claim, item_id)
    form = await request.form()
    version = str(form.get("version") or "").strip()
    route = f"claims/{claim['claim_id']}/items/{item['item_id']}"
    try:
        await service.write(request, user, "DELETE", route, version=version)
    except ServiceError as exc:
        errors = refusal(exc, ())
        claim = await read_claim(request, user, claim_id)
        return _render_remove(
            request, portal, branding, user, claim, item, errors=errors, status_code=exc.status
        )
    return RedirectResponse(claim_url(branding.slug, claim["claim_id"], "removed"), status_code=303)


@router.get("/{slug}/one-off-claims/{claim_id}/items/{item_id}", response_class=HTMLResponse)
async def show_item(
    request: Request, portal: Portal, branding: AuthorityBranding, claim_id: str, item_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    claim = await read_claim(request, user, claim_id)
    return portal.render(
        request,
        "claims/item.html",
        branding=branding,
        viewer=user.viewer,
        claim=claim,
        item=find_item(claim, item_id),
        base=claim_url(branding.slug, claim["claim_id"]),
        fmt=figures,
    )


@router.get("/{slug}/one-off-claims/{claim_id}/items/{item_id}/attachment")
async def download_attachment(
    request: Request, branding: AuthorityBranding, claim_id: str, item_id: str
) -> Response:
    """The item's file, streamed from the service (which checks the claim is the caller's)."""
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    route = f"claims/{access.an_id(claim_id)}/items/{access.an_id(item_id)}/attachment"
    return await service.stream(request, user, route)
