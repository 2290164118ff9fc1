"""Routes of the reports service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from reports import handlers, store
from reports.catalogue import CATALOGUE
from reports.consumers import organisations
from reports.domain import RunNotFound, RunNotReady
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.http import CurrentPrincipal, client_address
from shared.paging import PAGED, PageDep
from shared.problems import Problem
from shared.scoping import organisation_filter
from shared.service import RuntimeDep

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def reports_user(principal: CurrentPrincipal) -> Principal:
    """Reports are a finance function (Finance, Full, Main and the council). Read-only roles may run
    them too: running a report only views data. Care Management and Admin roles get 403."""
    require_capability(principal, Capability.reports)
    return principal


ReportsUser = Annotated[Principal, Depends(reports_user)]


class ReportPublic(BaseModel):
    key: str
    title: str
    description: str


class RunCreate(BaseModel):
    report: str = Field(description="Report key from the catalogue", examples=["organisation-directory"])
    format: Literal["pdf", "csv"] = Field("pdf", description="pdf to view, csv to download the data")


class RunPublic(BaseModel):
    run_id: uuid.UUID
    report: str
    format: str
    status: Literal["queued", "done", "failed"]
    requested_at: datetime
    finished_at: datetime | None = Field(description="When it was rendered, or when it failed")
    error: str | None = Field(description="Why it failed, for a failed run")


@router.get("/catalogue", response_model=list[ReportPublic], responses=PAGED)
async def list_reports(principal: ReportsUser, page: PageDep) -> list[dict[str, str]]:
    return page.cut(
        [{"key": r.key, "title": r.title, "description": r.description} for r in CATALOGUE.values()]
    )


@router.post("/runs", response_model=RunPublic, status_code=202)
async def create_run(
    body: RunCreate, principal: ReportsUser, runtime: RuntimeDep, request: Request
) -> dict[str, Any]:
    if body.report not in CATALOGUE:
        raise Problem(
            422,
            "Your request has errors",
            detail=f"there is no report called {body.report!r}",
            errors=[
                {"source": "body", "field": "report", "message": f"choose one of: {', '.join(CATALOGUE)}"}
            ],
        )
    return await handlers.request_run(
        pool=runtime.pool,
        outbox=runtime.outbox,
        principal=principal,
        report=body.report,
        format=body.format,
        correlation_id=request.state.request_id,
    )


@router.get("/runs/{run_id}", response_model=RunPublic)
async def get_run(run_id: uuid.UUID, principal: ReportsUser, runtime: RuntimeDep) -> dict[str, Any]:
    authority_id, organisation_id = organisation_filter(principal)
    async with runtime.pool.acquire() as conn:
        run = await store.get_run(
            conn=conn, run_id=run_id, authority_id=authority_id, organisation_id=organisation_id
        )
    if run is None:
        raise Problem(404, "Not Found", detail="no such report run")
    return run


@router.get("/runs/{run_id}/file")
async def download_run(
    run_id: uuid.UUID, principal: ReportsUser, runtime: RuntimeDep, request: Request
) -> Response:
    try:
        artifact = await handlers.download_artifact(
            pool=runtime.pool,
            outbox=runtime.outbox,
            principal=principal,
            run_id=run_id,
            client_address=client_address(request),
            request_id=request.state.request_id,
        )
    except RunNotFound as exc:
        raise Problem(404, "Not Found", detail=str(exc)) from exc
    except RunNotReady as exc:
        raise Problem(409, "Conflict", detail=str(exc)) from exc
    return Response(
        artifact["body"],
        media_type=artifact["content_type"],
        headers={
            "Content-Disposition": f'attachment; filename="{artifact["filename"]}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTERS = [organisations.router("reports"), router]
