"""Actions and Change Requests (seed 004 section 4; DOMAIN.md "Actions and change requests"): the list
(status light, last post date, title, Re:, due, type, assigned to; "Open Actions Only" ticked unless
unticked, assigned-to; in pages) and New Action (Type, Related To, Assign To, title, text, attachments;
pre-filled when started from a CPLI line, a scheduled payment or a claim, and its Back and Cancel then
lead back there). A thread: thread.py; the words
and rules they share: wording.py.

The pages check only the shape of what a form sends (a choice that is not one, a file); messaging checks
everything again (the type and team of the caller's council, what the action is related to in the
caller's scope, the title's and text's lengths) and its refusals are shown at their fields.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actions import access, service
from gateway.web.actions.wording import (
    HELPERS,
    KINDS,
    NEW_FIELDS,
    TEXT_MAX,
    a_uuid,
    action_url,
    actions_url,
    files_of,
    refusal,
)
from gateway.web.actuals import figures
from gateway.web.actuals import service as actuals_service
from gateway.web.actuals.listing import page_number, unnumbered
from gateway.web.branding import Branding
from gateway.web.claims import service as claims_service
from gateway.web.forms import FieldError, FormErrors
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.return_to import RETURN_TO, local_path
from gateway.web.scheduled_payments import service as payments_service
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
PAGE_SIZE = 25
# Which action type a message started from a page is (the first of these the council has).
PREFILL_TYPES = {
    "cpli": ("CPLI Review",),
    "payment": ("Payments Message", "Foster Carer Query", "Provider Query"),
    "claim": ("Payments Message", "Foster Carer Query", "Provider Query"),
}


# --- The list ---------------------------------------------------------------------------------------


def list_filters(request: Request, teams: list[dict[str, Any]]) -> dict[str, str]:
    """The list's filters as asked: "Open Actions Only" is ticked unless the filter form was sent
    without it; assigned-to is "provider", "council" or one of the council's teams ("team:<id>")."""
    query = request.query_params
    sent = query.get("filtered") == "1"
    open_only = "true" if (query.get("open_only") == "true" or not sent) else ""
    assigned = query.get("assigned", "")
    known = {"provider", "council"} | {f"team:{t['team_id']}" for t in teams}
    return {"open_only": open_only, "assigned": assigned if assigned in known else "", "filtered": "1"}


def service_query(values: dict[str, str]) -> dict[str, str]:
    query = {"open_only": "true" if values["open_only"] else "false"}
    assigned = values["assigned"]
    if assigned.startswith("team:"):
        query.update(assigned_to="council", team_id=assigned[5:])
    elif assigned:
        query["assigned_to"] = assigned
    return query


@router.get("/{slug}/actions", response_class=HTMLResponse)
async def show_actions(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    teams: list[dict[str, Any]] = await service.read(request, user, "teams")
    values = list_filters(request, teams)
    page = page_number(request.query_params.get("page"))
    # One more than a page says whether there is a next one (lists are not counted: ADR 0011).
    rows: list[dict[str, Any]] = await service.read(
        request, user, "actions", **service_query(values), limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    base = actions_url(branding.slug)
    assigned_options = [("provider", "Provider"), ("council", "LA (any team)")] + [
        (f"team:{t['team_id']}", f"LA ({t['name']})") for t in teams
    ]
    return portal.render(
        request,
        "actions/actions.html",
        branding=branding,
        viewer=user.viewer,
        rows=rows[:PAGE_SIZE],
        page=page,
        values=values,
        assigned_options=assigned_options,
        pagination=unnumbered(base, values, page=page, more=len(rows) > PAGE_SIZE),
        **HELPERS,
    )


# --- New Action -------------------------------------------------------------------------------------


async def form_choices(request: Request, user: SignedIn) -> dict[str, Any]:
    """The New Action form's pick lists, from messaging: the council's types and teams, and what the
    provider's action may be about (itself, its services, its clients)."""
    types: list[dict[str, Any]] = await service.read(request, user, "action-types")
    teams: list[dict[str, Any]] = await service.read(request, user, "teams")
    related: list[dict[str, Any]] = await service.read(request, user, "related", limit=500)
    related_options = [("provider", f"{user.viewer.organisation_name} (Provider)")] + [
        (f"{r['kind']}:{r['related_id']}", f"{r['label']} ({KINDS.get(r['kind'], r['kind'])})")
        for r in related
    ]
    return {
        "types": types,
        "type_options": [(str(t["type_id"]), t["name"]) for t in types],
        "team_options": [(str(t["team_id"]), t["name"]) for t in teams],
        "related_options": related_options,
    }


def _type_named(types: list[dict[str, Any]], names: tuple[str, ...]) -> str:
    by_name = {str(t["name"]).lower(): str(t["type_id"]) for t in types}
    return next((by_name[n.lower()] for n in names if n.lower() in by_name), "")


async def prefilled(request: Request, user: SignedIn, choices: dict[str, Any]) -> dict[str, str]:
    """The form's first values when started from another page (?cpli_id=&client_id=, ?payment_id=,
    ?claim_id=). Nothing in the address is trusted: each id is read back through its own service as
    the person (another provider's or a malformed id is "Page not found"), and what the action is
    about must be one of messaging's own choices for them."""
    query = request.query_params
    values = {name: "" for name in NEW_FIELDS}
    values["related"] = "provider"
    types = choices["types"]
    if "cpli_id" in query:
        cpli_id, client_id = access.an_id(query["cpli_id"]), access.an_id(query.get("client_id", ""))
        lines: list[dict[str, Any]] = await actuals_service.read(
            request,
            user,
            "cplis",
            client_id=client_id,
            include_historical="true",
            include_unauthorised="true",
            limit=500,
        )
        line = next((row for row in lines if str(row.get("cpli_id")) == cpli_id), None)
        if line is None:
            raise access.NOT_FOUND
        related = f"client:{client_id}"
        if related in dict(choices["related_options"]):
            values["related"] = related
        values["type_id"] = _type_named(types, PREFILL_TYPES["cpli"])
        values["title"] = f"CPLI Review: {line['client_name']}, {line['service_level_name']}"
        values["text"] = (
            f"About the care package line {line.get('care_package_ref') or line['ssref']} of"
            f" {line['client_name']} ({line['service_level_name']}, from {figures.long_date(line['start_date'])})."
            "\n\n"
        )
    elif "payment_id" in query:
        payment = await payments_service.read(
            request, user, f"scheduled-payments/{access.an_id(query['payment_id'])}"
        )
        period = f"{figures.long_date(payment['period_start'])} to {figures.long_date(payment['period_end'])}"
        values["type_id"] = _type_named(types, PREFILL_TYPES["payment"])
        values["title"] = f"Query about the payment for {period}"
        values["text"] = f"About the scheduled payment of {payment['contract_name']} for {period}.\n\n"
    elif "claim_id" in query:
        claim = await claims_service.read(request, user, f"claims/{access.an_id(query['claim_id'])}")
        values["type_id"] = _type_named(types, PREFILL_TYPES["claim"])
        values["title"] = f"Query about my claim of {figures.long_date(claim['claim_date'])}"
        values["text"] = f"About my one-off claim of {figures.long_date(claim['claim_date'])}.\n\n"
    return values


def _render_new(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    *,
    values: dict[str, str],
    choices: dict[str, Any],
    back_href: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return portal.render(
        request,
        "actions/new.html",
        branding=branding,
        viewer=user.viewer,
        values=values,
        errors=errors or FormErrors(),
        status_code=status_code,
        text_max=TEXT_MAX,
        back_href=back_href,
        **{k: v for k, v in choices.items() if k != "types"},
    )


@router.get("/{slug}/actions/new", response_class=HTMLResponse)
async def show_new_action(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    choices = await form_choices(request, user)
    values = await prefilled(request, user, choices)
    back_href = local_path(request.query_params.get(RETURN_TO), actions_url(branding.slug))
    return _render_new(request, portal, branding, user, values=values, choices=choices, back_href=back_href)


def new_action_body(values: dict[str, str]) -> dict[str, Any] | FormErrors:
    """The body for messaging, or the errors of choices that are not choices (nothing is sent then)."""
    errors = []
    type_id = a_uuid(values["type_id"])
    if type_id is None:
        errors.append(FieldError("type_id", "Choose the type of action"))
    related = values["related"]
    kind, _, related_id = related.partition(":")
    if related != "provider" and (kind not in {"service", "client"} or a_uuid(related_id) is None):
        errors.append(FieldError("related", "Choose what the action is related to"))
    team_id = a_uuid(values["team_id"]) if values["team_id"] else None
    if values["team_id"] and team_id is None:
        errors.append(FieldError("team_id", "Choose a team from the list"))
    if errors:
        # Nothing is sent, so messaging cannot say what else is missing: the blanks too, in its words,
        # so that the summary lists every fault at once.
        if not values["title"].strip():
            errors.append(FieldError("title", "Enter the title"))
        if not values["text"].strip():
            errors.append(FieldError("text", "Enter the message"))
        return FormErrors(tuple(errors))
    body: dict[str, Any] = {
        "type_id": type_id,
        "related_kind": "provider" if related == "provider" else kind,
        "title": values["title"],
        "text": values["text"],
    }
    if related != "provider":
        body["related_id"] = related_id
    if team_id:
        body["team_id"] = team_id
    return body


@router.post("/{slug}/actions/new")
async def create_action(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in NEW_FIELDS if name != "attachment"}
    values["text"] = str(form.get("text") or "")  # as typed, its lines kept (messaging trims it)
    # Where Back and Cancel lead, from the form's hidden field: a refused form keeps the way back.
    back_href = local_path(form.get(RETURN_TO), actions_url(branding.slug))
    choices = await form_choices(request, user)
    # The form again, as typed, with what was wrong.
    again = partial(
        _render_new, request, portal, branding, user, values=values, choices=choices, back_href=back_href
    )
    body = new_action_body(values)
    if isinstance(body, FormErrors):
        return again(errors=body, status_code=422)
    uploads = files_of(form)
    try:
        if uploads:  # the action and its files in one call: a refused file leaves no action behind
            fields = {name: str(value) for name, value in body.items()}
            thread = await service.open_with_files(request, user, fields, uploads)
        else:
            thread = await service.write(request, user, "POST", "actions", body)
    except ServiceError as exc:
        errors = refusal(exc, NEW_FIELDS, filenames=[upload.filename or "" for upload in uploads])
        return again(errors=errors, status_code=exc.status)
    action_id = str(thread["action_id"])
    return RedirectResponse(action_url(branding.slug, action_id, "created"), status_code=303)
