"""Routes of report runs: the catalogue, a new run, a run's state, its file."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from reports.api.schemas import ReportPublic, RunCreate, RunPublic
from reports.handlers import runs
from reports.store.runs import Run
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/catalogue", response_model=list[ReportPublic], responses=PAGED)
async def list_reports(caller: CurrentCaller, page: PageDep) -> list[ReportPublic]:
    reports = await runs.catalogue(caller)
    return page.cut([ReportPublic(key=r.key, title=r.title, description=r.description) for r in reports])


@router.post("/runs", response_model=RunPublic, status_code=202)
async def create_run(body: RunCreate, caller: CurrentCaller, work: WorkDep) -> Run:
    return await runs.request_run(caller, work, report=body.report, format=body.format)


@router.get("/runs/{run_id}", response_model=RunPublic)
async def get_run(run_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> Run:
    return await runs.get_run(caller, work, run_id=run_id)


@router.get("/runs/{run_id}/file")
async def download_run(run_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> Response:
    artifact = await runs.download_artifact(caller, work, run_id=run_id)
    return Response(
        artifact.body,
        media_type=artifact.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{artifact.filename}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
