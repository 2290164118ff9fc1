"""Jobs on PostgreSQL (the platform migration `JOBS` in a schema of the test's own): a job's life from
queued to succeeded or failed, refused moves, progress that never goes back or past the total, racing
workers, tenancy on every read and move, paging, and a route that returns the public model."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Header, HTTPException

from shared.jobs import Job, JobError, JobNotFound, Jobs, JobState, JobTransitionRefused, PublicJob
from shared.migrations import JOBS
from shared.paging import PAGED, PageDep
from shared.tenancy import Tenancy
from tests.support.kit_schema import KitSchema, kit_schema


@pytest.fixture
async def kit(env) -> AsyncIterator[KitSchema]:
    async with kit_schema(env, JOBS) as schema:
        yield schema


@pytest.fixture
def jobs(kit) -> Jobs:
    return Jobs(kit.schema)


AUTHORITY, OTHER_AUTHORITY = uuid.uuid4(), uuid.uuid4()
ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()
A, B, COUNCIL = Tenancy(AUTHORITY, ORG_A), Tenancy(AUTHORITY, ORG_B), Tenancy(AUTHORITY, None)


async def new_job(kit, jobs, tenancy=A, *, kind="actuals.import", total=None) -> Job:
    return await jobs.create(
        kit.pool,
        authority_id=tenancy.authority_id,
        organisation_id=tenancy.organisation_id,
        kind=kind,
        created_by="user-1",
        total=total,
    )


async def test_the_migration_is_opt_in_and_applied_by_the_runner(kit):
    assert kit.applied == ["platform/0004_jobs.sql"]


async def test_a_job_goes_from_queued_to_succeeded_with_its_progress(kit, jobs):
    job = await new_job(kit, jobs)
    assert (job.state, job.done, job.total, job.started_at, job.finished_at) == (
        JobState.queued,
        0,
        None,
        None,
        None,
    )
    running = await jobs.start(kit.pool, tenancy=A, job_id=job.job_id)
    assert running.state is JobState.running and running.started_at is not None
    counted = await jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=0, total=8)
    assert (counted.done, counted.total, counted.public().percent) == (0, 8, 0)
    halfway = await jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=4)
    assert (halfway.done, halfway.total, halfway.public().percent) == (4, 8, 50)
    done = await jobs.succeed(kit.pool, tenancy=A, job_id=job.job_id)
    assert (done.state, done.done, done.failure_reason) == (JobState.succeeded, 8, None)
    assert job.created_at <= done.started_at <= done.finished_at == done.updated_at
    assert halfway.updated_at < done.updated_at
    assert await jobs.get(kit.pool, tenancy=A, job_id=job.job_id) == done


async def test_a_job_fails_with_a_reason_the_user_may_read(kit, jobs):
    job = await new_job(kit, jobs, total=3)
    await jobs.start(kit.pool, tenancy=A, job_id=job.job_id)
    failed = await jobs.fail(
        kit.pool,
        tenancy=A,
        job_id=job.job_id,
        reason="row 2: the start date is not a date\nTraceback (most recent call last): ...",
    )
    assert failed.state is JobState.failed and failed.finished_at is not None
    assert failed.public().failure_reason == "row 2: the start date is not a date"
    queued = await new_job(kit, jobs)
    never_started = await jobs.fail(kit.pool, tenancy=A, job_id=queued.job_id, reason="cancelled")
    assert (never_started.state, never_started.started_at) == (JobState.failed, None)


@pytest.mark.parametrize(
    ("path", "move", "message"),
    [
        (["start", "fail"], "succeed", "is failed: it cannot succeed (only a running job can)"),
        (["start", "succeed"], "fail", "is succeeded: it cannot fail (only a queued or running job can)"),
        (["start"], "start", "is running: it cannot start (only a queued job can)"),
        ([], "succeed", "is queued: it cannot succeed (only a running job can)"),
        ([], "advance", "is queued: it cannot advance (only a running job can)"),
        (["start", "succeed"], "advance", "is succeeded: it cannot advance (only a running job can)"),
    ],
)
async def test_illegal_moves_are_refused_and_change_nothing(kit, jobs, path, move, message):
    job = await new_job(kit, jobs)
    for step in path:
        extra = {"reason": "stopped"} if step == "fail" else {}
        await getattr(jobs, step)(kit.pool, tenancy=A, job_id=job.job_id, **extra)
    before = await jobs.get(kit.pool, tenancy=A, job_id=job.job_id)
    extra = {"reason": "again"} if move == "fail" else {"done": 1} if move == "advance" else {}
    with pytest.raises(JobTransitionRefused) as refused:
        await getattr(jobs, move)(kit.pool, tenancy=A, job_id=job.job_id, **extra)
    assert str(refused.value) == f"job {job.job_id} {message}"
    assert await jobs.get(kit.pool, tenancy=A, job_id=job.job_id) == before


async def test_progress_never_goes_back_or_past_the_total(kit, jobs):
    job = await new_job(kit, jobs, total=10)
    await jobs.start(kit.pool, tenancy=A, job_id=job.job_id)
    await jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=6)
    with pytest.raises(JobError, match="progress cannot go back from 6 to 5"):
        await jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=5)
    with pytest.raises(JobError, match=r"done \(11\) cannot exceed the total \(10\)"):
        await jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=11)
    with pytest.raises(JobError, match=r"done \(6\) cannot exceed the total \(4\)"):
        await jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=6, total=4)
    for bad in (-1, True, 2.5, "3"):
        with pytest.raises(JobError, match="done must be a whole number of at least 0"):
            await jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=bad)
    with pytest.raises(JobError, match="total must be a whole number of at least 0, not -2"):
        await jobs.start(kit.pool, tenancy=A, job_id=job.job_id, total=-2)
    assert (await jobs.get(kit.pool, tenancy=A, job_id=job.job_id)).done == 6


async def test_a_job_needs_a_plain_kind_and_its_starter(kit, jobs):
    with pytest.raises(JobError, match="a job kind is lower-case letters"):
        await new_job(kit, jobs, kind="Import; DROP TABLE job")
    with pytest.raises(JobError, match="created_by must name who started the job"):
        await jobs.create(kit.pool, authority_id=AUTHORITY, organisation_id=ORG_A, kind="x", created_by="")


async def test_racing_workers_cannot_both_finish_a_job(kit, jobs):
    for _ in range(5):
        job = await new_job(kit, jobs)
        await jobs.start(kit.pool, tenancy=A, job_id=job.job_id)
        outcomes = await asyncio.gather(
            jobs.succeed(kit.pool, tenancy=A, job_id=job.job_id),
            jobs.fail(kit.pool, tenancy=A, job_id=job.job_id, reason="the other worker gave up"),
            return_exceptions=True,
        )
        winners = [o for o in outcomes if isinstance(o, Job)]
        assert len(winners) == 1, outcomes
        assert [type(o) for o in outcomes if not isinstance(o, Job)] == [JobTransitionRefused]
        assert await jobs.get(kit.pool, tenancy=A, job_id=job.job_id) == winners[0]


async def test_another_tenants_job_is_not_found_for_reading_or_moving(kit, jobs):
    job = await new_job(kit, jobs, A)
    outsiders = [B, Tenancy(OTHER_AUTHORITY, ORG_A), Tenancy(OTHER_AUTHORITY, None)]
    for tenancy in outsiders:
        with pytest.raises(JobNotFound, match=f"there is no job {job.job_id} that you can see"):
            await jobs.get(kit.pool, tenancy=tenancy, job_id=job.job_id)
        with pytest.raises(JobNotFound):
            await jobs.start(kit.pool, tenancy=tenancy, job_id=job.job_id)
        with pytest.raises(JobNotFound):
            await jobs.fail(kit.pool, tenancy=tenancy, job_id=job.job_id, reason="not yours")
        assert await jobs.list(kit.pool, tenancy=tenancy, limit=10) == []
    assert (await jobs.get(kit.pool, tenancy=A, job_id=job.job_id)).state is JobState.queued
    with pytest.raises(JobNotFound):
        await jobs.get(kit.pool, tenancy=A, job_id=uuid.uuid4())


async def test_the_council_sees_every_organisation_and_its_own_jobs_providers_only_theirs(kit, jobs):
    of_a, of_b, of_council = [await new_job(kit, jobs, t) for t in (A, B, COUNCIL)]
    listed = {t: [j.job_id for j in await jobs.list(kit.pool, tenancy=t, limit=10)] for t in (A, B, COUNCIL)}
    assert listed[A] == [of_a.job_id]
    assert listed[B] == [of_b.job_id]
    assert listed[COUNCIL] == [of_council.job_id, of_b.job_id, of_a.job_id]  # newest first
    with pytest.raises(JobNotFound):
        await jobs.get(kit.pool, tenancy=A, job_id=of_council.job_id)
    assert (await jobs.start(kit.pool, tenancy=COUNCIL, job_id=of_a.job_id)).state is JobState.running


async def test_pages_give_every_job_once_newest_first_and_filter_by_kind_and_state(kit, jobs):
    made = [await new_job(kit, jobs, kind="reports.run" if n % 2 else "actuals.import") for n in range(5)]
    await jobs.start(kit.pool, tenancy=A, job_id=made[0].job_id)
    walked = []
    for offset in range(0, 6, 2):
        walked += await jobs.list(kit.pool, tenancy=A, limit=2, offset=offset)
    assert [j.job_id for j in walked] == [j.job_id for j in reversed(made)]
    reports = await jobs.list(kit.pool, tenancy=A, limit=10, kind="reports.run")
    assert [j.job_id for j in reports] == [made[3].job_id, made[1].job_id]
    running = await jobs.list(kit.pool, tenancy=A, limit=10, state=JobState.running)
    assert [j.job_id for j in running] == [made[0].job_id]


async def test_the_table_itself_refuses_an_inconsistent_job(kit):
    insert = (
        f"INSERT INTO {kit.schema}.job (job_id, authority_id, kind, created_by, state, failure_reason,"
        " finished_at, done, total) VALUES ($1, $2, 'k', 'u', $3, $4, $5, $6, $7)"
    )
    for state, reason, finished, done, total in [
        ("failed", None, "now", 0, None),  # failed without a reason
        ("running", "why", None, 0, None),  # a reason without failing
        ("succeeded", None, None, 0, None),  # finished without a finish time
        ("running", None, None, 5, 4),  # past the total
        ("paused", None, None, 0, None),  # no such state
    ]:
        with pytest.raises(Exception, match="violates check constraint"):
            await kit.pool.execute(
                insert,
                uuid.uuid4(),
                AUTHORITY,
                state,
                reason,
                None if finished is None else await kit.pool.fetchval("SELECT now()"),
                done,
                total,
            )


def caller_tenancy(
    x_authority: Annotated[str, Header()], x_organisation: Annotated[str, Header()]
) -> Tenancy:
    """The test's stand-in for `Tenancy.of(principal)` of the verified caller."""
    return Tenancy(uuid.UUID(x_authority), uuid.UUID(x_organisation))


CallerTenancy = Annotated[Tenancy, Depends(caller_tenancy)]


def jobs_api(kit: KitSchema, jobs: Jobs) -> FastAPI:
    """A service's routes as they would use the kit."""
    app = FastAPI()

    @app.get("/jobs", responses=PAGED)
    async def list_jobs(page: PageDep, tenancy: CallerTenancy) -> list[PublicJob]:
        found = await jobs.list(kit.pool, tenancy=tenancy, limit=page.fetch, offset=page.offset)
        return [j.public() for j in page.of(found)]

    @app.get("/jobs/{job_id}")
    async def get_job(job_id: uuid.UUID, tenancy: CallerTenancy) -> PublicJob:
        try:
            return (await jobs.get(kit.pool, tenancy=tenancy, job_id=job_id)).public()
        except JobNotFound as exc:
            raise HTTPException(404, str(exc)) from exc

    return app


async def test_a_route_returns_the_public_model_paged_by_the_house_rules(kit, jobs):
    made = [await new_job(kit, jobs, total=4) for _ in range(3)]
    await jobs.start(kit.pool, tenancy=A, job_id=made[2].job_id)
    await jobs.advance(kit.pool, tenancy=A, job_id=made[2].job_id, done=1)
    headers = {"x-authority": str(AUTHORITY), "x-organisation": str(ORG_A)}
    transport = httpx.ASGITransport(app=jobs_api(kit, jobs))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        first = await client.get("/jobs?limit=2", headers=headers)
        second = await client.get("/jobs?limit=2&offset=2", headers=headers)
        one = await client.get(f"/jobs/{made[2].job_id}", headers=headers)
        theirs = await client.get(
            f"/jobs/{made[2].job_id}", headers={**headers, "x-organisation": str(ORG_B)}
        )
    assert first.status_code == 200 and first.headers["link"] == '</jobs?limit=2&offset=2>; rel="next"'
    assert [j["job_id"] for j in first.json() + second.json()] == [str(j.job_id) for j in reversed(made)]
    assert "link" not in second.headers
    body = one.json()
    assert {k: body[k] for k in ("kind", "state", "done", "total", "percent", "failure_reason")} == {
        "kind": "actuals.import",
        "state": "running",
        "done": 1,
        "total": 4,
        "percent": 25,
        "failure_reason": None,
    }
    assert "authority_id" not in body and "organisation_id" not in body
    assert theirs.status_code == 404


async def test_a_progress_report_overtaken_by_a_later_one_is_refused(kit, jobs):
    """The second report read the job before the first committed: the UPDATE's own guard refuses it."""
    job = await new_job(kit, jobs, total=10)
    await jobs.start(kit.pool, tenancy=A, job_id=job.job_id)
    async with kit.pool.acquire() as first, first.transaction():
        await jobs.advance(first, tenancy=A, job_id=job.job_id, done=5)  # holds the row until commit
        late = asyncio.create_task(jobs.advance(kit.pool, tenancy=A, job_id=job.job_id, done=3))
        await asyncio.sleep(0.3)  # it has read done=0 and now waits for the row
        assert not late.done()
    with pytest.raises(JobError, match="its progress changed meanwhile; report it again"):
        await late
    assert (await jobs.get(kit.pool, tenancy=A, job_id=job.job_id)).done == 5
