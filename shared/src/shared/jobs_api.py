"""The routes that show a service's jobs (shared.jobs): to the provider who started them and to the
council, whose operators follow every job of their authority (the failed ones with their reason).

A service that records jobs (it opts in to the platform migration `JOBS`) adds `jobs_routers(name,
jobs)` to its routers; the pages read the same API.
- `GET /api/v1/<service>/jobs`, `GET /api/v1/<service>/jobs/{job_id}`: the caller's organisation's jobs
  (council staff: the whole authority), newest first, paged;
- `GET /council/v1/<service>/jobs?state=failed&kind=...`: every job of the council's authority.
Every read is within the caller's tenancy: another tenant's job id is "not found".
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from shared.errors import Forbidden
from shared.http import CurrentPrincipal
from shared.jobs import Jobs, JobState, PublicJob
from shared.paging import PAGED, PageDep
from shared.service import RuntimeDep
from shared.tenancy import Tenancy

KIND = Query(None, max_length=63, description="Only jobs of this kind (e.g. actuals.import)")
STATE = Query(None, description="Only jobs in this state")


def jobs_routers(service: str, jobs: Jobs) -> list[APIRouter]:
    provider = APIRouter(prefix=f"/api/v1/{service}", tags=["jobs"])
    council = APIRouter(prefix=f"/council/v1/{service}", tags=["jobs"])

    @provider.get("/jobs", response_model=list[PublicJob], responses=PAGED, summary="My organisation's jobs")
    async def list_jobs(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        page: PageDep,
        kind: str | None = KIND,
        state: JobState | None = STATE,
    ) -> list[PublicJob]:
        found = await jobs.list(
            runtime.pool,
            tenancy=Tenancy.of(principal),
            limit=page.fetch,
            offset=page.offset,
            kind=kind,
            state=state,
        )
        return page.of([job.public() for job in found])

    @provider.get("/jobs/{job_id}", response_model=PublicJob, summary="One job, with its progress")
    async def get_job(job_id: uuid.UUID, principal: CurrentPrincipal, runtime: RuntimeDep) -> PublicJob:
        job = await jobs.get(runtime.pool, tenancy=Tenancy.of(principal), job_id=job_id)
        return job.public()

    @council.get(
        "/jobs", response_model=list[PublicJob], responses=PAGED, summary="Every job of the authority"
    )
    async def council_jobs(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        page: PageDep,
        kind: str | None = KIND,
        state: JobState | None = STATE,
    ) -> list[PublicJob]:
        if not principal.is_council:
            raise Forbidden("only the council can list every job of the authority")
        return await list_jobs(principal, runtime, page, kind, state)

    return [provider, council]
