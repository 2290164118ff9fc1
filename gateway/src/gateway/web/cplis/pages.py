"""The Care Package Line Items page: filters (Service, Client, Service Level, Include Historical,
Include Unauthorised) in a GET form, the table the council guides show (SSRef, Client, Service, Service
Level, Start Date, End Date, Cost, Pricing, CarePackageRef, Authorised) sortable by its headers, in
pages, and "Download as CSV" with the same filters (actuals' /cplis.csv, relayed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gateway.web.actions import access as actions_access
from gateway.web.actuals import figures, service
from gateway.web.actuals.listing import PAGE_SIZE, page_number, sort_headers, unnumbered, url_with
from gateway.web.admin_access import task_viewer
from gateway.web.rendering import AuthorityBranding, Portal, page_router_dependencies
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
FILTERS = ("service_id", "client_id", "service_level_id")
CHECKBOXES = ("include_historical", "include_unauthorised")
SORTS = frozenset({"ssref", "client", "service", "service_level", "start_date", "end_date", "authorised"})
DEFAULT_SORT = "client"
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("SSRef", "ssref"),
    ("Client", "client"),
    ("Service", "service"),
    ("Service Level", "service_level"),
    ("Start Date", "start_date"),
    ("End Date", "end_date"),
    ("Cost", None),
    ("Pricing", None),
    ("CarePackageRef", None),
    ("Authorised", "authorised"),
)


def chosen_filters(request: Request) -> dict[str, str]:
    """The filters and sort as asked in the query (unknown sorts dropped), to show and to pass on."""
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in FILTERS}
    for name in CHECKBOXES:
        values[name] = "true" if query.get(name) == "true" else ""
    sort = query.get("sort", "")
    values["sort"] = sort if sort.lstrip("-") in SORTS else ""
    return values


def service_query(values: dict[str, str]) -> dict[str, str]:
    """The filters as the service's query (its false defaults left out)."""
    return {k: v for k, v in values.items() if v}


def actions_built(request: Request) -> bool:
    """Whether the page to raise an action exists (messaging's pages): only then does each line link to
    it, pre-filled with the line (/actions/new?cpli_id=...)."""
    return actions_access.built(request)


@router.get("/{slug}/care-package-line-items", response_class=HTMLResponse)
async def show_cplis(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, TaskId.care_package_line_items)
    if not isinstance(user, SignedIn):
        return user
    values = chosen_filters(request)
    page = page_number(request.query_params.get("page"))
    choices = await service.read(request, user, "cplis/filters", service_id=values["service_id"])
    # One more than a page says whether there is a next one (the list is not counted: ADR 0011).
    rows: list[dict[str, Any]] = await service.read(
        request,
        user,
        "cplis",
        **service_query(values),
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    base = f"/{branding.slug}/care-package-line-items"
    query = {**values, "page": str(page)}
    return portal.render(
        request,
        "cplis/cplis.html",
        branding=branding,
        viewer=user.viewer,
        values=values,
        choices=choices,
        rows=rows[:PAGE_SIZE],
        headers=sort_headers(COLUMNS, current=values["sort"] or DEFAULT_SORT, base=base, query=values),
        pagination=unnumbered(base, query, page=page, more=len(rows) > PAGE_SIZE),
        page=page,
        csv_href=url_with(base + ".csv", values),
        actions_built=actions_built(request),
        # Back and Cancel of a message started from a line lead to this page as it is.
        return_to=url_with(base, values, page=page if page > 1 else None),
        fmt=figures,
    )


@router.get("/{slug}/care-package-line-items.csv")
async def download_cplis(request: Request, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, TaskId.care_package_line_items)
    if not isinstance(user, SignedIn):
        return user
    content, headers = await service.download(
        request, user, "cplis.csv", **service_query(chosen_filters(request))
    )
    return Response(
        content,
        media_type=headers.get("content-type", "text/csv; charset=utf-8"),
        headers={
            "content-disposition": headers.get(
                "content-disposition", 'attachment; filename="care-package-line-items.csv"'
            )
        },
    )
