"""Actuals (seed 002 "Submit Actuals Online", seed 003's FAQ): choose a service (the user's current
services, each with its weeks still to confirm), then a week (a date picker, this week by default,
the week before and after), its state, Generate Actuals, the filters (Service Level, Client, Show
Clients with Actuals, state), the lines with "Add/Edit", "Total: £x of £y", pages, and Confirm week.

Everything shown is the service's answer for the logged-in person; the buttons appear only where the
service says the week can be changed or confirmed (read-only roles, confirmed and locked weeks see
the figures only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actuals import access, figures, service
from gateway.web.actuals.listing import PAGE_SIZE, numbered, page_number, url_with
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors, form_version
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
FILTERS = ("service_level_id", "client_id", "with_actuals", "state")
STATES = (
    ("unplanned", "Unplanned"),
    ("planned", "Planned"),
    ("intermittent", "Intermittent"),
    ("locked", "Locked"),
)
WITH_ACTUALS = (("true", "Yes"), ("false", "No"))
CONFLICT = "Someone else changed this week while you had it open. Check the figures below, then try again."


def refused_text(exc: ServiceError) -> str:
    """A change the service refused, in the page's words when another change came first, else in the
    service's (a week confirmed or locked meanwhile, lines still to generate, a rate missing)."""
    return CONFLICT if exc.stale else service.problem_text(exc)


NOTICES = {
    "generated": "Actuals generated from the authorised care package line items",
    "confirmed": "Week confirmed: the council can now pay it",
    "saved": "Your changes to the line have been saved",
}


def today() -> date:
    return date.today()


@router.get("/{slug}/actuals", response_class=HTMLResponse)
async def show_services(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    services = await service.read(request, user, "services")
    return portal.render(
        request, "actuals/services.html", branding=branding, viewer=user.viewer, services=services
    )


def week_filters(request: Request) -> dict[str, str]:
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in FILTERS}
    if values["with_actuals"] not in {"", "true", "false"}:
        values["with_actuals"] = ""
    if values["state"] not in {key for key, _ in STATES}:
        values["state"] = ""
    return values


def week_url(slug: str, service_id: str, week: date, **query: str) -> str:
    return url_with(f"/{slug}/actuals/{service_id}", {"week": week.isoformat(), **query})


@router.get("/{slug}/actuals/{service_id}", response_class=HTMLResponse)
async def show_week(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    service_id = access.an_id(service_id)
    picked = request.query_params.get("week", "").strip()
    if picked and figures.parse_date(picked) is None:
        errors = FormErrors((FieldError("week", "Enter the week as a date, like 23/11/2026"),))
        return await render_week(
            request, portal, branding, user, service_id, None, errors=errors, picked=picked
        )
    week = figures.week_of(picked, today=today())
    notice = next((text for key, text in NOTICES.items() if key in request.query_params), None)
    return await render_week(request, portal, branding, user, service_id, week, notice=notice)


async def render_week(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    service_id: str,
    week: date | None,
    *,
    errors: FormErrors | None = None,
    notice: str | None = None,
    picked: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The week page; a week the service refuses (a future week) shows its reason at the picker."""
    values = week_filters(request)
    page = page_number(request.query_params.get("page"))
    errors = errors or FormErrors()
    data: dict[str, Any] | None = None
    if week is not None:
        try:
            data = await service.client(request).call(
                "GET",
                service.path(
                    f"services/{service_id}/weeks/{week.isoformat()}",
                    **values,
                    limit=PAGE_SIZE,
                    offset=(page - 1) * PAGE_SIZE,
                ),
                token=user.token,
            )
        except ServiceError as exc:
            if exc.status != 422:
                raise service.page_problem(exc) from exc
            errors = FormErrors((*errors.items, FieldError("week", service.problem_text(exc))))
    # The filters' choices (every client of the service: thousands) are not read here but on the filter
    # page: the week page stays one read of the service (bench/actuals_page.py).
    name = "" if data is not None else await service_name(request, user, service_id)
    base = f"/{branding.slug}/actuals/{service_id}"
    query = {**values, "week": week.isoformat() if week else picked}
    pagination = None
    if data is not None:
        pages = max(1, -(-int(data.get("line_count") or 0) // PAGE_SIZE))
        pagination = numbered(base, query, page=min(page, pages), pages=pages)
    before, after = figures.neighbours(week or figures.monday(today()))
    return portal.render(
        request,
        "actuals/week.html",
        branding=branding,
        viewer=user.viewer,
        status_code=status_code,
        errors=errors,
        notice=notice,
        service_id=service_id,
        service_name=(data or {}).get("service_name") or name,
        week=week,
        picked=week.isoformat() if week else picked,
        data=data,
        values=values,
        filtered=filter_summary(values, (data or {}).get("lines") or []),
        filter_href=url_with(f"{base}/filter", query),
        clear_href=url_with(base, {"week": query["week"]}),
        pagination=pagination,
        page=page,
        previous_href=week_url(branding.slug, service_id, before, **values) if before else None,
        next_href=week_url(branding.slug, service_id, after, **values)
        if after and after <= today()
        else None,
        this_week_href=week_url(branding.slug, service_id, figures.monday(today())),
        export_href=url_with(
            f"/{branding.slug}/actuals/export.csv",
            {"service_id": service_id, "from": week.isoformat(), "to": week.isoformat()} if week else {},
        ),
        line_href=lambda line: line_href(branding.slug, service_id, week, line),
        fmt=figures,
    )


async def service_name(request: Request, user: SignedIn, service_id: str) -> str:
    """The service's name from the caller's services (for a week the service refused to show)."""
    services = await service.read(request, user, "services")
    return next((str(s["name"]) for s in services if str(s["service_id"]) == service_id), "")


def filter_summary(values: dict[str, str], lines: list[dict[str, Any]]) -> list[str]:
    """The filters in use, in words ("Client: Mr Pedro Portal"); a name comes from the lines shown."""
    words = []
    if values["service_level_id"]:
        level = next(
            (
                x["service_level_name"]
                for x in lines
                if str(x["service_level_id"]) == values["service_level_id"]
            ),
            None,
        )
        words.append(f"Service Level: {level or 'the one chosen'}")
    if values["client_id"]:
        client = next((x["client_name"] for x in lines if str(x["client_id"]) == values["client_id"]), None)
        words.append(f"Client: {client or 'the one chosen'}")
    if values["with_actuals"]:
        words.append("With actuals" if values["with_actuals"] == "true" else "Without actuals")
    if values["state"]:
        words.append(f"Actuals: {dict(STATES)[values['state']]}")
    return words


@router.get("/{slug}/actuals/{service_id}/filter", response_class=HTMLResponse)
async def show_filters(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str
) -> Response:
    """The filter form of a week (Service Level, Client, Show clients with actuals, state): its own
    page, as it lists every client of the service; it sends the choices back to the week page."""
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    service_id = access.an_id(service_id)
    week = figures.week_of(request.query_params.get("week"), today=today())
    choices = await service.read(request, user, "cplis/filters", service_id=service_id)
    return portal.render(
        request,
        "actuals/filter.html",
        branding=branding,
        viewer=user.viewer,
        service_id=service_id,
        service_name=await service_name(request, user, service_id),
        week=week,
        values=week_filters(request),
        choices=choices,
        states=STATES,
        with_actuals=WITH_ACTUALS,
        back_href=week_url(branding.slug, service_id, week, **week_filters(request)),
        fmt=figures,
    )


def line_href(slug: str, service_id: str, week: date | None, line: dict[str, Any]) -> str | None:
    """Add/Edit: the line's page (its visits for a timetabled line); the client goes along so that the
    page can find the line with one filtered read of the week (the API has no read of one line)."""
    if week is None or not line.get("line_id"):
        return None
    base = f"/{slug}/actuals/{service_id}/weeks/{week.isoformat()}/lines/{line['line_id']}"
    return url_with(base + ("/visits" if line.get("timetabled") else ""), {"client": str(line["client_id"])})


async def _post_week(
    request: Request, portal: WebPortal, branding: Branding, service_id: str, week: str, action: str
) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    service_id, day = access.an_id(service_id), access.a_week(week)
    form = await request.form()
    body: dict[str, Any] = {}
    if action == "confirm":
        body["version"] = form_version(form)
    try:
        await service.write(
            request, user, "POST", f"services/{service_id}/weeks/{day.isoformat()}/{action}", body
        )
    except ServiceError as exc:
        message = refused_text(exc)
        if exc.status in {403, 404}:
            raise service.page_problem(exc) from exc
        errors = FormErrors((FieldError(None, message),))
        return await render_week(
            request, portal, branding, user, service_id, day, errors=errors, status_code=exc.status
        )
    done = "generated" if action == "generate" else "confirmed"
    return RedirectResponse(week_url(branding.slug, service_id, day, **{done: "1"}), status_code=303)


@router.post("/{slug}/actuals/{service_id}/weeks/{week}/generate")
async def generate_week(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str, week: str
) -> Response:
    return await _post_week(request, portal, branding, service_id, week, "generate")


@router.post("/{slug}/actuals/{service_id}/weeks/{week}/confirm")
async def confirm_week(
    request: Request, portal: Portal, branding: AuthorityBranding, service_id: str, week: str
) -> Response:
    return await _post_week(request, portal, branding, service_id, week, "confirm")
