"""Actions and Change Requests (seed 004 section 4; DOMAIN.md "Actions and change requests"): the list
(status light, last post date, title, Re:, due, type, assigned to; "Open Actions Only" ticked unless
unticked, assigned-to; in pages), New Action (Type, Related To, Assign To, title, text, attachments;
pre-filled when started from a CPLI line, a scheduled payment or a claim), and a thread with its posts
and files, Comment (stays with whoever holds it), Reply (passed to the other side) and Request closure;
a closed action read only, with the council's reason.

The pages check only the shape of what a form sends (a choice that is not one, a file); messaging checks
everything again (the type and team of the caller's council, what the action is related to in the
caller's scope, the title's and text's lengths) and its refusals are shown at their fields.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gateway.service_problems import ServiceError
from gateway.web.actions import access, service
from gateway.web.actuals import figures
from gateway.web.actuals import service as actuals_service
from gateway.web.actuals.listing import page_number, unnumbered
from gateway.web.branding import Branding
from gateway.web.claims import service as claims_service
from gateway.web.forms import FieldError, FormErrors, form_errors
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.scheduled_payments import service as payments_service
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
PAGE_SIZE = 25
UK = ZoneInfo("Europe/London")
TEXT_MAX = 7500  # messaging's limit (docs/messaging.md): the character count shows it as one types
NEW_FIELDS = ("type_id", "related", "team_id", "title", "text", "attachment")
POST_FIELDS = ("text", "attachment")
LABELS = {
    "type_id": "Type",
    "related": "Related to",
    "team_id": "Assign to",
    "title": "Title",
    "text": "Message",
    "attachment": "Attachment",
}
# The service's field names as the form's.
ALIASES = {"related_id": "related", "related_kind": "related"}
VERBS = frozenset({"must", "is", "has", "can", "cannot", "needs", "should", "may", "was", "are"})
# The status light in words and colour (never colour alone): rules.light in messaging.
LIGHTS = {
    "green": ("None pending", "govuk-tag--green"),
    "amber": ("Open", "govuk-tag--yellow"),
    "red": ("Overdue", "govuk-tag--red"),
}
KINDS = {"provider": "Provider", "service": "Service", "client": "Client", "person": "Person"}
DONE = {
    "created": "Action created: it has been sent to the council team",
    "comment": "Comment added: the action stays where it was",
    "reply": "Reply sent: the action has been passed to the council team",
    "closure": "Closure requested: the council team will close the action",
    "attached": "File added",
}
# Which action type a message started from a page is (the first of these the council has).
PREFILL_TYPES = {
    "cpli": ("CPLI Review",),
    "payment": ("Payments Message", "Foster Carer Query", "Provider Query"),
    "claim": ("Payments Message", "Foster Carer Query", "Provider Query"),
}


def actions_url(slug: str) -> str:
    return f"/{slug}/actions"


def action_url(slug: str, action_id: str, done: str | None = None) -> str:
    return f"/{slug}/actions/{action_id}" + (f"?done={done}" if done else "")


def when(value: object) -> str:
    """A post's UTC time as the seed shows it, in the UK: 02/10/2019 11:27."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return f"{moment.astimezone(UK):%d/%m/%Y %H:%M}"


def posted(value: object) -> str:
    """A post's time in a thread: 02 Oct 2019 11:27."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return f"{moment.astimezone(UK):%d %b %Y %H:%M}"


def re_label(row: dict[str, Any]) -> str:
    """The list's Re: "Sausage Sandwich (Provider)", "Bart Simpson (Client)"."""
    kind = KINDS.get(str(row.get("related_kind")), "")
    return f"{row.get('related_label', '')} ({kind})" if kind else str(row.get("related_label", ""))


def assigned_label(row: dict[str, Any]) -> str:
    """Whose turn it is, as the seed's list says it: "Provider" or "LA (Childrens Services Finance)"."""
    return "Provider" if row.get("assigned_to") == "provider" else f"LA ({row.get('team_name', '')})"


def due_label(row: dict[str, Any]) -> str:
    return figures.uk_date(row.get("due_date")) or "--"


HELPERS: dict[str, Any] = {
    "when": when,
    "posted": posted,
    "re_label": re_label,
    "assigned_label": assigned_label,
    "due_label": due_label,
    "LIGHTS": LIGHTS,
    "fmt": figures,
}


def a_uuid(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def sentence(field: str, message: str) -> str:
    """The service's message about `field` as a sentence naming it: "must be 7,500 characters or
    fewer (it has 7,501)" as "Message must be ...", "enter the title" as "Enter the title"."""
    message = message.strip().rstrip(".")
    label = LABELS.get(field)
    if label and message.split(" ", 1)[0] in VERBS:
        return f"{label} {message}"
    return message[:1].upper() + message[1:]


def refusal(exc: ServiceError, fields: tuple[str, ...]) -> FormErrors:
    """A refusal on a form: another provider's action or a page that cannot be is the page's error; a
    closed action or a pending request in the service's words; the rest at the fields they name."""
    if exc.status in {403, 404}:
        raise service.page_problem(exc) from exc
    listed = exc.body.get("errors")
    if exc.status == 422 and isinstance(listed, list) and listed:
        errors = []
        for error in listed:
            if not isinstance(error, dict):
                continue
            raw = str(error.get("field") or error.get("loc") or "").rpartition(".")[2]
            field = ALIASES.get(raw, raw)
            errors.append({"field": field, "message": sentence(field, str(error.get("message") or ""))})
        return form_errors(errors, fields=fields)
    return FormErrors.whole(service.problem_text(exc))


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
        back_href=actions_url(branding.slug),
        **{k: v for k, v in choices.items() if k != "types"},
    )


@router.get("/{slug}/actions/new", response_class=HTMLResponse)
async def show_new_action(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    choices = await form_choices(request, user)
    values = await prefilled(request, user, choices)
    return _render_new(request, portal, branding, user, values=values, choices=choices)


def files_of(form: Any) -> list[UploadFile]:
    """The files chosen (an empty file input sends one nameless, empty part: not a file)."""
    return [f for f in form.getlist("attachment") if isinstance(f, UploadFile) and f.filename]


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
    choices = await form_choices(request, user)
    body = new_action_body(values)
    if isinstance(body, FormErrors):
        return _render_new(
            request, portal, branding, user, values=values, choices=choices, errors=body, status_code=422
        )
    try:
        thread = await service.write(request, user, "POST", "actions", body)
    except ServiceError as exc:
        errors = refusal(exc, NEW_FIELDS)
        return _render_new(
            request,
            portal,
            branding,
            user,
            values=values,
            choices=choices,
            errors=errors,
            status_code=exc.status,
        )
    action_id = str(thread["action_id"])
    for upload in files_of(form):
        try:
            thread = await service.attach(request, user, action_id, upload)
        except ServiceError as exc:
            # The action is made and sent: say which file was refused, on its thread.
            problem = FieldError(
                "attachment", f"{upload.filename}: {sentence('attachment', service.problem_text(exc))}"
            )
            return render_thread(
                request,
                portal,
                branding,
                user,
                thread,
                errors=FormErrors(
                    (FieldError(None, "Your action was created, but a file was not added."), problem)
                ),
                status_code=exc.status,
            )
    return RedirectResponse(action_url(branding.slug, action_id, "created"), status_code=303)


# --- A thread ---------------------------------------------------------------------------------------


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
