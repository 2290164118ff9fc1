"""The Reports pages (seed 002 "Reports", seed 004 section 5): the reports the council offers the
person; a report's parameters with View (PDF) and Download Data (CSV); the run's page while a worker
renders it (it refreshes itself without JavaScript: a meta refresh is not a script, the CSP allows
it), then the link to the file; and "My reports", the runs whose files are still kept.

Each report can also be seen as a web page (its `html` run format, the accessible view a screen reader
can use: reportlab cannot tag a PDF): the run's page links to it once rendered, and the view shows the
service's fragment inside the portal's layout, cleaned again here (`fragment`). Viewing it is a
download of the run's file, so the service publishes it for the audit log like any other.

The parameters are picked from lists where the service can list them (GET /api/v1/reports/choices, the
caller's own organisations, contracts, periods and years); where a list is empty the form falls back to
a box to type in. The pages check nothing themselves: the service says which parameters are wrong and the
form shows it at the field. A provider's organisation is never asked (the service runs the report for
the person's own, shown on the form); a council member of staff picks it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actuals import figures
from gateway.web.admin_access import task_viewer
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors, form_errors
from gateway.web.page_problem import PageProblem
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.reports import service
from gateway.web.reports.fragment import safe_fragment
from gateway.web.service_pages import problem_text
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId
from shared.auth import Role
from shared.whole_numbers import whole_number

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
REFRESH_SECONDS = 2
ASKED = (
    "organisation_id",  # a council member of staff's choice only: a provider's is their own
    "contract_id",
    "payment_method",
    "period_start",
    "financial_year",
    "tax_year",
    "summary",
    "remittance_id",
    "purchase_order_id",
)  # the organisation is the person's own: never asked
HINTS = {  # for a box to type in (a list has no need of them)
    "period_start": "The period's first day, for example 2019-09-23",
    "financial_year": "For example, 2019/20 (1 April to 31 March)",
    "tax_year": "For example, 2018/19 (6 April to 5 April)",
    "organisation_id": "The organisation's id",
    "contract_id": "The contract's id, as shown on its page",
    "remittance_id": "The remittance's id (none is listed: no remittance has been issued to you yet)",
    "purchase_order_id": "The purchase order's id (none is listed: no payment has been made against one yet)",
}
RADIOS = ("tax_year", "financial_year")  # a few years: radios; the longer lists are selects
ALL = {"contract_id": "All contracts", "payment_method": "All payment methods"}  # an optional list's "any"
FORMATS = {"pdf": "View", "csv": "Download Data", "html": "View as a web page"}


async def _viewer(request: Request, branding: Branding) -> SignedIn | Response:
    return await task_viewer(request, branding, TaskId.reports)


@router.get("/{slug}/reports", response_class=HTMLResponse)
async def show_catalogue(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    reports = await service.read(request, user, "catalogue", limit=100)
    return portal.render(
        request, "reports/catalogue.html", branding=branding, viewer=user.viewer, reports=reports
    )


@router.get("/{slug}/reports/mine", response_class=HTMLResponse)
async def show_my_reports(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    runs = await service.read(request, user, "runs", limit=100)
    titles = {r["key"]: r["title"] for r in await service.read(request, user, "catalogue", limit=100)}
    return portal.render(
        request,
        "reports/mine.html",
        branding=branding,
        viewer=user.viewer,
        runs=runs,
        titles=titles,
        formats=FORMATS,
        fmt=figures,
    )


@router.get("/{slug}/reports/runs/{run_id}", response_class=HTMLResponse)
async def show_run(request: Request, portal: Portal, branding: AuthorityBranding, run_id: str) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    run = await service.read(request, user, f"runs/{run_id}")
    offered = {r["key"]: r for r in await service.read(request, user, "catalogue", limit=100)}
    report = offered.get(run["report"], {"title": run["report"], "parameters": []})
    labels = {p["name"]: p["label"] for p in report["parameters"]}
    named = {"organisation_id", "contract_id", "remittance_id", "purchase_order_id"} & set(run["parameters"])
    named &= set(_asked(user))
    picked = await _choices(request, user) if named else {}  # ids shown by name, not every refresh
    chosen = [
        (labels[name], _shown(name, value, picked))
        for name, value in run["parameters"].items()
        if name in labels and name in _asked(user)
    ]
    progress = run["progress"]
    percent = round(100 * progress["done"] / progress["total"]) if progress.get("total") else None
    return portal.render(
        request,
        "reports/run.html",
        branding=branding,
        viewer=user.viewer,
        run=run,
        title=report["title"],
        chosen=chosen,
        # The same parameters again, for a run of the same report as a web page (or as a PDF, from one).
        again=[(name, value) for name, value in run["parameters"].items() if name in _asked(user)],
        offered=run["report"] in offered,
        percent=percent,
        refresh=REFRESH_SECONDS if run["status"] in ("queued", "rendering") else None,
        formats=FORMATS,
        fmt=figures,
    )


@router.get("/{slug}/reports/runs/{run_id}/file")
async def download_file(request: Request, branding: AuthorityBranding, run_id: str) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    content, headers = await service.download(request, user, f"runs/{run_id}/file")
    return Response(
        content,
        media_type=headers.get("content-type", "application/octet-stream"),
        headers={
            "content-disposition": headers.get("content-disposition", "attachment"),
            "cache-control": "private, no-store",
        },
    )


@router.get("/{slug}/reports/runs/{run_id}/view", response_class=HTMLResponse)
async def show_web_view(
    request: Request, portal: Portal, branding: AuthorityBranding, run_id: str
) -> Response:
    """A run's HTML view in the portal's page: the run's file, as the service audits every download."""
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    run = await service.read(request, user, f"runs/{run_id}")
    run_page = f"/{branding.slug}/reports/runs/{run['run_id']}"
    if run["format"] != "html":
        raise PageProblem(404, "Page not found", detail="This report was not produced as a web page.")
    if run["status"] != "done":
        return RedirectResponse(run_page, status_code=303)  # its page says how it is getting on
    content, _ = await service.download(request, user, f"runs/{run_id}/file")
    offered = {r["key"]: r["title"] for r in await service.read(request, user, "catalogue", limit=100)}
    title = offered.get(run["report"], run["report"])
    return portal.render(
        request,
        "reports/view.html",
        branding=branding,
        viewer=user.viewer,
        run=run,
        title=title,
        report_html=safe_fragment(content.decode("utf-8", errors="replace"), table_label=title),
        run_page=run_page,
        fmt=figures,
    )


@router.get("/{slug}/reports/{key}", response_class=HTMLResponse)
async def show_parameters(
    request: Request, portal: Portal, branding: AuthorityBranding, key: str
) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    report = await _report(request, user, key)
    return await _render_form(request, portal, branding, user, report, values={})


@router.post("/{slug}/reports/{key}")
async def run_report(request: Request, portal: Portal, branding: AuthorityBranding, key: str) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    report = await _report(request, user, key)
    form = await request.form()
    asked = [p["name"] for p in report["parameters"] if p["name"] in _asked(user)]
    values = {name: str(form.get(name) or "").strip() for name in asked}
    format = str(form.get("format") or "pdf")
    body = {
        "report": key,
        "format": format if format in FORMATS else "pdf",
        "parameters": {name: value for name, value in values.items() if value},
    }
    try:
        run = await service.write(request, user, "POST", "runs", body)
    except ServiceError as exc:
        errors = _errors(exc, asked)
        return await _render_form(
            request,
            portal,
            branding,
            user,
            report,
            values=values,
            errors=errors,
            status_code=exc.status if exc.status in (404, 422) else 400,
        )
    return RedirectResponse(f"/{branding.slug}/reports/runs/{run['run_id']}", status_code=303)


async def _report(request: Request, user: SignedIn, key: str) -> dict[str, Any]:
    """The report offered to the person by that key, or the 404 page (not offered is not there)."""
    for report in await service.read(request, user, "catalogue", limit=100):
        if report["key"] == key:
            return dict(report)
    raise PageProblem(404, "Page not found", detail="There is no such report in your council's list.")


def _errors(exc: ServiceError, asked: list[str]) -> FormErrors:
    listed = exc.body.get("errors")
    if exc.status == 422 and isinstance(listed, list) and listed:
        named = [
            {
                "field": str(e.get("field", "")).removeprefix("parameters."),
                "message": _sentence(str(e.get("message", ""))),
            }
            for e in listed
        ]
        return form_errors(named, fields=asked)
    return FormErrors((FieldError(None, problem_text(exc)),))


def _asked(user: SignedIn) -> tuple[str, ...]:
    """The parameters the person chooses: all but the organisation for a provider (their own)."""
    if user.viewer.role is Role.council:
        return ASKED
    return tuple(name for name in ASKED if name != "organisation_id")


async def _choices(request: Request, user: SignedIn) -> dict[str, list[tuple[str, str]]]:
    """Each parameter's pick list as (value, label) pairs, from the service, for the person."""
    found = await service.read(request, user, "choices")
    return {name: [(c["value"], c["label"]) for c in listed] for name, listed in found.items()}


def _shown(name: str, value: str, picked: dict[str, list[tuple[str, str]]]) -> str:
    """A stored parameter as the person picked or typed it: an organisation or contract by its name, a
    year as 2018/19, a date as 23/09/2019."""
    if name in ("financial_year", "tax_year") and (year := whole_number(value)) is not None:
        return f"{year}/{(year + 1) % 100:02d}"
    if name == "summary":
        return "Summary" if value == "true" else "Detail"
    if name == "period_start":
        return figures.uk_date(value)
    return dict(picked.get(name, [])).get(value, value)


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:]


async def _render_form(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    report: dict[str, Any],
    *,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    asked = _asked(user)
    parameters = [p for p in report["parameters"] if p["name"] in asked]
    picked = await _choices(request, user)
    if errors:  # a list is chosen from, not typed in (GOV.UK: "Select the ...")
        errors = FormErrors(
            tuple(
                FieldError(e.field, "Select the " + e.message.removeprefix("Enter the "))
                if e.field and picked.get(e.field) and e.message.startswith("Enter the ")
                else e
                for e in errors.items
            )
        )
    own = None  # a provider's organisation, named on the form: the report is of it
    if "organisation_id" not in asked and any(p["name"] == "organisation_id" for p in report["parameters"]):
        own = user.viewer.organisation_name
    return portal.render(
        request,
        "reports/parameters.html",
        branding=branding,
        viewer=user.viewer,
        report=report,
        parameters=parameters,
        choices={name: picked.get(name, []) for name in asked},
        radio_lists=RADIOS,
        any_of=ALL,
        own_organisation=own,
        hints=HINTS,
        values=values,
        errors=errors or FormErrors(),
        status_code=status_code,
    )
