"""Bulk import of actuals (DOMAIN.md "Bulk import", docs/actuals.md "The import file"): the upload form
and its template, the import's status page (it refreshes itself while the file is checked and written,
with no JavaScript: a meta refresh is not a script, the CSP allows it), the errors of a refused file
(the first 100 in the GOV.UK error summary, all of them as a CSV), and a period's actuals as a CSV to
edit and import back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gateway.service_problems import ServiceError
from gateway.web.actuals import access, figures, service
from gateway.web.branding import Branding
from gateway.web.forms import FieldError, FormErrors
from gateway.web.rendering import AuthorityBranding, Portal, WebPortal, page_router_dependencies
from gateway.web.session import SignedIn

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
REFRESH_SECONDS = 2
SHOWN_ERRORS = 100


def error_text(error: dict[str, Any]) -> str:
    """One of the file's faults as the summary lists it: "Row 12, column actual: ..."."""
    where = []
    if error.get("row") is not None:
        where.append(f"Row {error['row']}")
    if error.get("column"):
        where.append(f"column {error['column']}")
    message = str(error.get("message") or "").strip()
    return f"{', '.join(where)}: {message}" if where else message


def file_errors(exc: ServiceError) -> FormErrors:
    """A file refused as a whole (empty, not UTF-8, its header, too big): at the file field; the rows
    named in the problem, if any, after it."""
    items = [FieldError("file", service.problem_text(exc))]
    listed = exc.body.get("errors")
    if isinstance(listed, list):
        items += [FieldError(None, error_text(e)) for e in listed[:SHOWN_ERRORS] if isinstance(e, dict)]
    return FormErrors(tuple(items))


def _render_form(
    request: Request,
    portal: WebPortal,
    branding: Branding,
    user: SignedIn,
    services: list[dict[str, Any]],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return portal.render(
        request,
        "actuals/import.html",
        branding=branding,
        viewer=user.viewer,
        errors=errors or FormErrors(),
        services=services,
        status_code=status_code,
    )


@router.get("/{slug}/actuals/import", response_class=HTMLResponse)
async def show_import(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    services = await service.read(request, user, "services")
    return _render_form(request, portal, branding, user, services)


@router.post("/{slug}/actuals/import")
async def upload_import(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await access.editor(request, branding)
    if not isinstance(user, SignedIn):
        return user
    form = await request.form()
    upload = form.get("file")
    services = await service.read(request, user, "services")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = FormErrors((FieldError("file", "Choose a CSV file of actuals to import"),))
        return _render_form(request, portal, branding, user, services, errors, status_code=422)
    content = await upload.read()
    try:
        accepted = await service.upload(request, user, filename=upload.filename, content=content)
    except ServiceError as exc:
        return _render_form(
            request, portal, branding, user, services, file_errors(exc), status_code=exc.status
        )
    return RedirectResponse(f"/{branding.slug}/actuals/import/{accepted['import_id']}", status_code=303)


@router.get("/{slug}/actuals/import/template.csv")
async def download_template(request: Request, branding: AuthorityBranding) -> Response:
    return await _relay(request, branding, "imports/template.csv", "actuals-import-template.csv")


@router.get("/{slug}/actuals/export.csv")
async def download_export(request: Request, branding: AuthorityBranding) -> Response:
    """A period's actuals of a service, in the import's format (the service checks the dates)."""
    query = {name: request.query_params.get(name, "") for name in ("service_id", "from", "to")}
    return await _relay(request, branding, "export.csv", "actuals.csv", **query)


@router.get("/{slug}/actuals/import/{import_id}", response_class=HTMLResponse)
async def show_import_status(
    request: Request, portal: Portal, branding: AuthorityBranding, import_id: str
) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    found = await service.read(request, user, f"imports/{access.an_id(import_id)}")
    errors = FormErrors(
        tuple(FieldError(None, error_text(e)) for e in (found.get("errors") or [])[:SHOWN_ERRORS])
    )
    return portal.render(
        request,
        "actuals/import_status.html",
        branding=branding,
        viewer=user.viewer,
        found=found,
        file_errors=errors,
        refresh=REFRESH_SECONDS if found.get("status") == "pending" else None,
        errors_href=f"/{branding.slug}/actuals/import/{found['import_id']}/errors.csv",
        fmt=figures,
    )


@router.get("/{slug}/actuals/import/{import_id}/errors.csv")
async def download_errors(request: Request, branding: AuthorityBranding, import_id: str) -> Response:
    return await _relay(
        request, branding, f"imports/{access.an_id(import_id)}/errors.csv", "import-errors.csv"
    )


async def _relay(request: Request, branding: Branding, route: str, filename: str, **query: str) -> Response:
    user = await access.viewer(request, branding)
    if not isinstance(user, SignedIn):
        return user
    content, headers = await service.download(request, user, route, **query)
    return Response(
        content,
        media_type=headers.get("content-type", "text/csv; charset=utf-8"),
        headers={
            "content-disposition": headers.get("content-disposition", f'attachment; filename="{filename}"')
        },
    )
