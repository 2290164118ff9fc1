"""The Reports pages (seed 002 "Reports", seed 004 section 5): the reports the council offers the
person; a report's parameters with View (PDF) and Download Data (CSV); the run's page while a worker
renders it (it refreshes itself without JavaScript: a meta refresh is not a script, the CSP allows
it), then the link to the file; and "My reports", the runs whose files are still kept.

The pages check nothing themselves: the service says which parameters are wrong and the form shows it.
A provider's organisation is never asked: the service runs the report for the person's own.
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
from gateway.web.service_pages import problem_text
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
REFRESH_SECONDS = 2
ASKED = (
    "contract_id",
    "payment_method",
    "period_start",
    "financial_year",
    "tax_year",
    "summary",
    "remittance_id",
    "purchase_order_id",
)  # the organisation is the person's own: never asked
HINTS = {
    "period_start": "The period's first day, for example 2019-09-23",
    "financial_year": "For example, 2019/20 (1 April to 31 March)",
    "tax_year": "For example, 2018/19 (6 April to 5 April)",
    "contract_id": "The contract's id, as shown on its page",
    "remittance_id": "The remittance's id, as shown on its page",
    "purchase_order_id": "The purchase order's id, as shown on its page",
}
FORMATS = {"pdf": "View", "csv": "Download Data"}


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
    chosen = [
        (labels[name], value) for name, value in run["parameters"].items() if name in labels and name in ASKED
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


@router.get("/{slug}/reports/{key}", response_class=HTMLResponse)
async def show_parameters(
    request: Request, portal: Portal, branding: AuthorityBranding, key: str
) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    report = await _report(request, user, key)
    return _render_form(request, portal, branding, user, report, values={})


@router.post("/{slug}/reports/{key}")
async def run_report(request: Request, portal: Portal, branding: AuthorityBranding, key: str) -> Response:
    user = await _viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    report = await _report(request, user, key)
    form = await request.form()
    asked = [p["name"] for p in report["parameters"] if p["name"] in ASKED]
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
        return _render_form(
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


def _shown(name: str, value: str) -> str:
    """A stored parameter as the person typed it: a year as 2018/19, a date as 23/09/2019."""
    if name in ("financial_year", "tax_year") and value.isdigit():
        return f"{value}/{(int(value) + 1) % 100:02d}"
    if name == "summary":
        return "Summary" if value == "true" else "Detail"
    return figures.uk_date(value) if name == "period_start" else value


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:]


def _render_form(
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
    parameters = [p for p in report["parameters"] if p["name"] in ASKED]
    return portal.render(
        request,
        "reports/parameters.html",
        branding=branding,
        viewer=user.viewer,
        report=report,
        parameters=parameters,
        hints=HINTS,
        values=values,
        errors=errors or FormErrors(),
        status_code=status_code,
    )
