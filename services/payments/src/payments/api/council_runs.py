"""The council's payment runs (/council/v1/payments/runs): start one for a period (computed by the
worker, a job), read them, finalise one. Parse, call one handler, return."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from payments.handlers import finalise, runs
from payments.handlers.runs import RunIn
from shared.http import CurrentCaller
from shared.jobs import PublicJob
from shared.money import Money
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/payments", tags=["council"])


class RunOut(BaseModel):
    run_id: uuid.UUID
    reference: str
    frequency: str
    period_start: date
    period_end: date
    status: str = Field(
        description="computing, computed, failed (computing failed 10 times in a row: start the period again"
        " to resume it) or finalised"
    )
    contracts: int
    contracts_done: int
    payments: int
    excl_vat: Money
    vat: Money
    total: Money
    created_by: str
    created_at: datetime
    finalised_by: str | None
    finalised_at: datetime | None
    failed_attempts: int = Field(
        description="times computing the run failed; the worker retries it, each time after a longer wait"
    )
    retry_after: datetime | None = Field(
        description="after a failure: not computed again before this (null: due whenever it is computing)"
    )


class RunStarted(BaseModel):
    run: RunOut
    job: PublicJob


def _out(run: dict[str, Any]) -> RunOut:
    return RunOut.model_validate({**run, "contracts": run["contracts_total"]})


@router.post(
    "/runs",
    response_model=RunStarted,
    status_code=202,
    summary="Start the payment run of a period (the worker computes it); the same period again: 200, that run"
    " (a failed run: 202, resumed)",
)
async def start_run(run: RunIn, response: Response, caller: CurrentCaller, work: WorkDep) -> RunStarted:
    found, new = await runs.start_run(caller, work, run=run)
    if not new:
        response.status_code = 200
    job = await runs.job_of(work, found)
    return RunStarted(run=_out(found), job=PublicJob.model_validate(job))


@router.get(
    "/runs",
    response_model=list[RunOut],
    responses=PAGED,
    summary="The authority's payment runs, newest period first",
)
async def list_runs(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[RunOut]:
    found = await runs.list_runs(caller, work, limit=page.fetch, offset=page.offset)
    return [_out(r) for r in page.of(found)]


@router.get(
    "/runs/{run_id}", response_model=RunStarted, summary="A payment run: status, job progress, counts, totals"
)
async def get_run(run_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> RunStarted:
    found = await runs.get_run(caller, work, run_id=run_id)
    job = await runs.job_of(work, found)
    return RunStarted(run=_out(found), job=PublicJob.model_validate(job))


@router.post(
    "/runs/{run_id}/finalise",
    response_model=RunOut,
    summary="Finalise a computed run on or after its finalisation date: remittances, credit notes, events",
)
async def finalise_run(run_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> RunOut:
    return _out(await finalise.finalise_run(caller, work, run_id=run_id))
