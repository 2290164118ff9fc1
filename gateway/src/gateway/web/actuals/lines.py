"""One line of a week (seed 003: "What do the columns mean in the Actuals screen?"): the quantities a
provider enters (Actual, Frustrated, Missed, Extra in steps of 0.25, Visits, and the Comment required
when delivery differs from plan), saved with the week's version; and for a timetabled line its visits
(date, start, duration, carers, status), with a row to add one. The service checks every figure and
works out the line's cost: its refusals are shown at each field with the GOV.UK error summary, and a
save refused because someone else changed the week (409) shows the figures now held."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actuals import access, figures, service
from gateway.web.actuals.weeks import refused_text, week_url
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors, form_errors, form_values, form_version, number_or_text
from gateway.web.identity_errors import plain
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn
from shared.whole_numbers import whole_number

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
QUANTITIES = ("actual", "frustrated", "missed", "extra")
FIELDS = (*QUANTITIES, "visits", "comment")
LABELS = {
    "actual": "Actual",
    "frustrated": "Frustrated",
    "missed": "Missed",
    "extra": "Extra",
    "visits": "Visits",
    "comment": "Comments",
}
VISIT_FIELDS = ("visit_date", "start_time", "minutes", "carers", "status")
VISIT_LABELS = {
    "visit_date": "Date",
    "start_time": "Start time",
    "minutes": "Minutes",
    "carers": "Carers",
    "status": "Status",
}
STATUSES = (
    ("delivered", "Delivered"),
    ("frustrated", "Frustrated"),
    ("missed", "Missed"),
    ("extra", "Extra"),
)
VISIT_FIELD = re.compile(r"visits(?:\[(\d+)\]|\.(\d+))\.(\w+)$")
BLANK_ACTUAL = "Enter the actual quantity: 0 if nothing was delivered"
MOST_LINES = 500  # the largest page the service gives (shared.paging), for finding a line without its client


async def find_line(
    request: Request, user: SignedIn, service_id: str, week: date, line_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The week and the line `line_id` of it. The API reads a week, not one line: the week filtered by
    the client named in the address (the Add/Edit link's ?client=) finds it in one small read; without
    it, the week's pages are read until it turns up. Not there: "Page not found"."""
    route = f"services/{service_id}/weeks/{week.isoformat()}"
    client_id = request.query_params.get("client", "")
    if client_id:
        found = await service.read(request, user, route, client_id=access.an_id(client_id), limit=MOST_LINES)
        line = _line_in(found, line_id)
        if line is not None:
            return found, line
    offset = 0
    while True:
        found = await service.read(request, user, route, limit=MOST_LINES, offset=offset)
        line = _line_in(found, line_id)
        if line is not None:
            return found, line
        offset += MOST_LINES
        if not found.get("lines") or offset >= int(found.get("line_count") or 0):
            raise access.NOT_FOUND


def _line_in(week: dict[str, Any], line_id: str) -> dict[str, Any] | None:
    return next((line for line in week.get("lines") or [] if str(line.get("line_id")) == line_id), None)


def line_path(service_id: str, week: date, line_id: str) -> str:
    return f"services/{service_id}/weeks/{week.isoformat()}/lines/{line_id}"


def line_values(line: dict[str, Any]) -> dict[str, str]:
    values = {name: figures.quantity(line.get(name)) for name in QUANTITIES}
    values["visits"] = "" if line.get("visits") is None else str(line["visits"])
    values["comment"] = str(line.get("comment") or "")
    return values


# pydantic's words for the quantities and visits, as a person reads them (then identity_errors.plain).
_WORDS = (
    (re.compile(r"^Input should be greater than (\S+)$"), r"must be more than \1"),
    (re.compile(r"^Input should be greater than or equal to (\S+)$"), r"must be \1 or more"),
    (re.compile(r"^Input should be a valid integer.*$"), "must be a whole number"),
    (re.compile(r"^Input should be a valid date.*$"), "must be a real date"),
    (re.compile(r"^Input should be (?:in )?a valid time.*$"), "must be a time, like 08:30"),
    # shared.money's words, made a sentence about the field ("Frustrated must be a number, like 7.5")
    (
        re.compile(r"^(.*) is not a number \(write digits, e\.g\. 58\.05\)$"),
        r"must be a number, like 7.5 (not \1)",
    ),
)


# How an error's sentence names its field ("Actual goes in steps of 0.25 ..."; "A comment is required ...").
SENTENCE_NAMES = {"comment": "A comment", "visits": "The number of visits"}
VERBS = frozenset({"must", "is", "has", "can", "cannot", "goes", "needs", "should", "may"})


def named(name: str | None, message: str) -> str:
    """`message` as a sentence about the field `name`, when it starts with a verb; else as it is."""
    first = message.split(" ", 1)[0]
    if name and first in VERBS:
        return f"{name} {message}"
    return message[:1].upper() + message[1:]


def words(message: str) -> str:
    for pattern, replacement in _WORDS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return plain(message)


def service_errors(
    exc: ServiceError, fields: tuple[str, ...], labels: dict[str, str], *, said: dict[str, str] | None = None
) -> FormErrors:
    """The service's refusal as the form's errors: each named field's message (the request's own
    validation named by its last part, "body.actual" as "actual"), else the problem's text. `said`: the
    page's own words for a field's error (a field left blank)."""
    said = said or {}
    listed = exc.body.get("errors")
    names = {**labels, **SENTENCE_NAMES}
    if exc.status == 422 and isinstance(listed, list) and listed:
        errors = []
        for error in listed:
            if not isinstance(error, dict):
                continue
            field = str(error.get("field") or "").rpartition(".")[2]
            message = str(error.get("message") or "").strip().rstrip(".")
            # pydantic's words read as English on the form's own fields; others are shown as they came.
            message = words(message) if field in fields else message
            message = said.get(field) or named(names.get(field) if field in fields else None, message)
            errors.append({"field": field, "message": message})
        return form_errors(errors, fields=fields)
    return FormErrors((FieldError(None, service.problem_text(exc)),))


async def _render_line(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    ids: tuple[str, date, str],
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    current: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    service_id, week, line_id = ids
    data, line = await find_line(request, user, service_id, week, line_id)
    return portal.render(
        request,
        "actuals/line.html",
        branding=branding,
        viewer=user.viewer,
        status_code=status_code,
        errors=errors or FormErrors(),
        week=week,
        data=data,
        line=line,
        values=values or line_values(line),
        version=data.get("version"),
        current=current,
        labels=LABELS,
        back_href=week_url(branding.slug, service_id, week),
        visits_href=f"/{branding.slug}/actuals/{service_id}/weeks/{week.isoformat()}/lines/{line_id}/visits"
        f"?client={line.get('client_id')}",
        fmt=figures,
    )


@router.get("/{slug}/actuals/{service_id}/weeks/{week}/lines/{line_id}", response_class=HTMLResponse)
async def show_line(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str, week: str, line_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    ids = (access.an_id(service_id), figures.monday(access.a_week(week)), access.an_id(line_id))
    return await _render_line(request, portal, branding, user, ids)


@router.post("/{slug}/actuals/{service_id}/weeks/{week}/lines/{line_id}")
async def save_line(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str, week: str, line_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    ids = (access.an_id(service_id), figures.monday(access.a_week(week)), access.an_id(line_id))
    form = await request.form()
    values = form_values(form, FIELDS)
    # A blank frustrated, missed or extra is none of it (as in the import file); the service checks the rest.
    body: dict[str, Any] = {name: values[name] or "0" for name in QUANTITIES}
    # A blank actual is not nothing delivered (cleared by mistake, it would be saved as such): it goes as
    # it is, so that the service refuses it along with every other fault, and the page asks for it.
    body["actual"] = values["actual"]
    said = {} if values["actual"] else {"actual": BLANK_ACTUAL}
    body["visits"] = number_or_text(values["visits"]) if values["visits"] else None
    body["comment"] = values["comment"]
    body["version"] = form_version(form)
    try:
        await service.write(request, user, "PUT", line_path(*ids), body)
    except ServiceError as exc:
        if exc.status in {403, 404}:
            raise service.page_problem(exc) from exc
        if exc.status == 409:
            _, line = await find_line(request, user, *ids)
            return await _render_line(
                request,
                portal,
                branding,
                user,
                ids,
                values=values,
                current=line,
                errors=FormErrors((FieldError(None, refused_text(exc)),)),
                status_code=409,
            )
        errors = service_errors(exc, FIELDS, LABELS, said=said)
        return await _render_line(
            request, portal, branding, user, ids, values=values, errors=errors, status_code=exc.status
        )
    return RedirectResponse(week_url(branding.slug, ids[0], ids[1], saved="1"), status_code=303)


# --- Visits of a timetabled line ------------------------------------------------------------------


def visit_rows(form: Any, count: int) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The form's rows (as typed, to show again) and the visits to send: the existing rows, then the
    new row when anything of it was filled in."""
    rows = []
    for index in range(count + 1):
        row = {name: str(form.get(f"{name}_{index}") or "").strip() for name in VISIT_FIELDS}
        is_new = index == count
        if is_new and not any(row[name] for name in ("visit_date", "start_time", "minutes")):
            continue
        rows.append(row)
    visits = [
        {
            # as typed, blanks too: the service names every fault of every row at once
            "visit_date": row["visit_date"],
            "start_time": row["start_time"],
            "minutes": number_or_text(row["minutes"]),
            "carers": number_or_text(row["carers"] or "1"),
            "status": row["status"] or "delivered",
        }
        for row in rows
    ]
    return rows, visits


def visit_errors(exc: ServiceError, rows: int) -> FormErrors:
    """The service's errors on "visits.<n>.<field>" as the field of row n ("minutes_3")."""
    listed = exc.body.get("errors")
    if exc.status == 422 and isinstance(listed, list) and listed:
        fields = (*(f"{name}_{index}" for index in range(rows + 1) for name in VISIT_FIELDS), "comment")
        errors = []
        for error in listed:
            if not isinstance(error, dict):
                continue
            raw = str(error.get("field") or "")
            # "visits[3].minutes" (the service's rules) or "body.visits.3.minutes" (its request's)
            row = VISIT_FIELD.search(raw)
            field, label = raw.rpartition(".")[2], None
            if row is not None:
                number, field = int(row.group(1) or row.group(2)), row.group(3)
                label = f"Visit {number + 1}: {VISIT_LABELS.get(field, field).lower()}"
                field = f"{field}_{number}"
            elif field == "comment":
                label = "A comment"
            message = words(str(error.get("message") or "").strip().rstrip("."))
            errors.append({"field": field, "message": named(label, message)})
        return form_errors(errors, fields=fields)
    return FormErrors((FieldError(None, service.problem_text(exc)),))


async def _render_visits(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    ids: tuple[str, date, str],
    *,
    rows: list[dict[str, str]] | None = None,
    comment: str | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    service_id, week, line_id = ids
    data, line = await find_line(request, user, service_id, week, line_id)
    visits = await service.read(request, user, line_path(*ids) + "/visits")
    if rows is None:
        rows = [
            {
                "visit_date": str(v["visit_date"]),
                "start_time": str(v["start_time"])[:5],
                "minutes": str(v["minutes"]),
                "carers": str(v["carers"]),
                "status": str(v["status"]),
            }
            for v in visits.get("visits", [])
        ]
    return portal.render(
        request,
        "actuals/visits.html",
        branding=branding,
        viewer=user.viewer,
        status_code=status_code,
        errors=errors or FormErrors(),
        week=week,
        data=data,
        line=line,
        rows=rows,
        values={"comment": str(line.get("comment") or "") if comment is None else comment},
        version=visits.get("version"),
        statuses=STATUSES,
        back_href=week_url(branding.slug, service_id, week),
        fmt=figures,
    )


@router.get("/{slug}/actuals/{service_id}/weeks/{week}/lines/{line_id}/visits", response_class=HTMLResponse)
async def show_visits(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str, week: str, line_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    ids = (access.an_id(service_id), figures.monday(access.a_week(week)), access.an_id(line_id))
    return await _render_visits(request, portal, branding, user, ids)


@router.post("/{slug}/actuals/{service_id}/weeks/{week}/lines/{line_id}/visits")
async def save_visits(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str, week: str, line_id: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    ids = (access.an_id(service_id), figures.monday(access.a_week(week)), access.an_id(line_id))
    form = await request.form()
    count = whole_number(str(form.get("rows") or "")) or 0
    rows, visits = visit_rows(form, min(count, 200))
    comment = str(form.get("comment") or "").strip()
    body = {"version": form_version(form), "visits": visits, "comment": comment}
    try:
        await service.write(request, user, "PUT", line_path(*ids) + "/visits", body)
    except ServiceError as exc:
        if exc.status in {403, 404}:
            raise service.page_problem(exc) from exc
        errors = (
            FormErrors((FieldError(None, refused_text(exc)),))
            if exc.status == 409
            else visit_errors(exc, len(rows))
        )
        return await _render_visits(
            request,
            portal,
            branding,
            user,
            ids,
            rows=None if exc.status == 409 else rows,
            errors=errors,
            status_code=exc.status,
        )
    return RedirectResponse(week_url(branding.slug, ids[0], ids[1], saved="1"), status_code=303)
