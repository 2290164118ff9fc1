"""Routes of report runs: the caller's catalogue, a new run, "My reports", a run's state, its file."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import Response

from reports.api.schemas import (
    ChoicesPublic,
    ReportPublic,
    RunCreate,
    RunPublic,
    choices_public,
    report_public,
    run_public,
)
from reports.config import Settings
from reports.handlers import catalogue, choices, runs
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import RuntimeDep, WorkDep

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/catalogue", response_model=list[ReportPublic], responses=PAGED)
async def list_reports(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[ReportPublic]:
    """The reports the caller may run: their council's catalogue, as far as their role goes."""
    reports = await catalogue.offered(caller, work)
    return page.cut([report_public(r) for r in reports])


@router.get("/choices", response_model=ChoicesPublic)
async def list_choices(caller: CurrentCaller, work: WorkDep) -> ChoicesPublic:
    """What each parameter may be picked from (the parameters form's lists), keyed by parameter name:
    the caller's organisations (a provider's own only), contracts, payment methods, payment periods,
    tax years and financial years."""
    return choices_public(await choices.choices(caller, work))


@router.post(
    "/runs",
    response_model=RunPublic,
    status_code=202,
    responses={200: {"model": RunPublic, "description": "A kept run of the same document, reused"}},
)
async def create_run(
    body: RunCreate, caller: CurrentCaller, work: WorkDep, runtime: RuntimeDep, response: Response
) -> RunPublic:
    """Queue a run (202). A run of one document (a remittance, a purchase order) that the caller has
    already run with the same parameters and format, whose file is still kept and which has not changed
    since, is answered as it is (200) instead of a new one."""
    view = await runs.request_run(
        caller,
        work,
        report=body.report,
        format=body.format,
        given=dict(body.parameters),
        kept_for=_kept_for(runtime.settings),
    )
    if view.reused:
        response.status_code = 200
    return run_public(view)


@router.get("/runs", response_model=list[RunPublic], responses=PAGED, summary="My reports")
async def list_my_runs(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[RunPublic]:
    """The caller's own runs whose files are still kept, newest first."""
    mine = await runs.my_runs(caller, work, limit=page.fetch, offset=page.offset)
    return [run_public(v) for v in page.of(mine)]


@router.get("/runs/{run_id}", response_model=RunPublic)
async def get_run(run_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> RunPublic:
    return run_public(await runs.get_run(caller, work, run_id=run_id))


@router.get("/runs/{run_id}/file")
async def download_run(run_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> Response:
    """The file: a PDF opens in the browser (View), a CSV downloads (Download Data). An HTML view is a
    fragment for the portal's page to show: fetched here it downloads, and would run nothing if opened
    (its own CSP allows no script, style or request of any kind)."""
    run, artifact = await runs.download_artifact(caller, work, run_id=run_id)
    disposition = "inline" if run.format == "pdf" else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{artifact.filename}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if run.format == "html":
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return Response(artifact.body, media_type=artifact.content_type, headers=headers)


def _kept_for(settings: object) -> timedelta:
    """How long a new run's file is kept (REPORTS_RETENTION_HOURS)."""
    hours = settings.retention_hours if isinstance(settings, Settings) else Settings().retention_hours
    return timedelta(hours=hours)
