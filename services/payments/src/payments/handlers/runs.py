"""Payment runs (docs/payments.md "Runs"): the council starts one for a frequency and a period; the
worker computes it chunk by chunk of contracts (`compute_run`), each chunk one transaction that also
moves the run's cursor, so a run is idempotent (a contract with a payment for the period is left alone)
and resumable (a dead worker leaves whole chunks; the next goes on)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Literal

import asyncpg
from pydantic import BaseModel, ConfigDict

from payments.domain.periods import financial_year, year_bounds
from payments.handlers.schedules import require_council
from payments.store import compute
from payments.store import runs as store
from shared.errors import Conflict, Invalid, NotFound
from shared.jobs import Jobs, JobState
from shared.logging import get_logger
from shared.tenancy import Tenancy
from shared.uow import Actor, Caller, UnitOfWork, Work

log = get_logger(__name__)
JOBS = Jobs("payments")
JOB_KIND = "payments.run"
CHUNK = 500  # contracts a transaction


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    frequency: Literal["weekly", "four_weekly"]
    period_start: date


def reference(frequency: str, period_start: date) -> str:
    return f"PR-{'W' if frequency == 'weekly' else '4W'}-{period_start.isoformat()}"


async def start_run(
    caller: Caller, work: Work, *, run: RunIn, today: date | None = None
) -> tuple[dict[str, object], bool]:
    """The run (created, or the one that period already has) and whether it is new."""
    principal = caller.principal
    require_council(principal, edit=True)
    today = today or date.today()
    authority_id = principal.authority_id
    async with work.begin(caller.actor) as uow:
        existing = await store.find_run(
            uow.conn, authority_id=authority_id, frequency=run.frequency, period_start=run.period_start
        )
        if existing is not None and existing["status"] == "failed":
            return await _resume(uow, existing, principal.subject), True
        if existing is not None:
            return dict(existing), False
        open_run = await store.open_run(uow.conn, authority_id=authority_id, frequency=run.frequency)
        if open_run is not None:
            # A run pays what finalised runs have not paid: two open runs would both pay the same
            # adjustments and late weeks.
            raise Conflict(
                f"the {run.frequency.replace('_', '-')} run {open_run['reference']} (period starting"
                f" {open_run['period_start']:%d/%m/%Y}) is not finalised: finalise it before starting another",
                code="run-not-finalised",
            )
        found = await store.run_periods(
            uow.conn, authority_id=authority_id, frequency=run.frequency, period_start=run.period_start
        )
        if not found["periods"]:
            raise Invalid.field(
                "period_start",
                f"no {run.frequency} payment schedule has a period starting {run.period_start}",
                code="no-such-period",
            )
        if found["last_amendment_date"] >= today:
            raise Invalid(
                f"the period starting {run.period_start} can be amended until {found['last_amendment_date']}:"
                " run it after that day",
                code="amendment-window-open",
            )
        job = await JOBS.create(
            uow.conn,
            authority_id=authority_id,
            organisation_id=None,
            kind=JOB_KIND,
            created_by=principal.subject,
            total=found["periods"],
        )
        run_id = await store.insert_run(
            uow.conn,
            authority_id=authority_id,
            reference=reference(run.frequency, run.period_start),
            frequency=run.frequency,
            period_start=run.period_start,
            period_end=found["period_end"],
            job_id=job.job_id,
            contracts=found["periods"],
            created_by=principal.subject,
        )
        if run_id is None:  # another call started it meanwhile: that one stands
            raise Conflict(
                "this run was started by another call at the same time: read it again", code="run-started"
            )
        await uow.audit(
            "payment_run_started",
            authority_id=authority_id,
            subject_id=run_id,
            frequency=run.frequency,
            period_start=str(run.period_start),
            contracts=found["periods"],
        )
        created = await store.get_run(uow.conn, authority_id=authority_id, run_id=run_id)
    assert created is not None
    return dict(created), True


async def _resume(uow: UnitOfWork, run: asyncpg.Record, subject: str) -> dict[str, object]:
    """A failed run started again: computing from its cursor (the chunks it committed stand), under a new
    job, its failures counted from zero."""
    job = await JOBS.create(
        uow.conn,
        authority_id=run["authority_id"],
        organisation_id=None,
        kind=JOB_KIND,
        created_by=subject,
        total=run["contracts_total"],
    )
    if not await store.resume_failed(uow.conn, run_id=run["run_id"], job_id=job.job_id):
        raise Conflict("this run was started again by another call at the same time", code="run-started")
    await uow.audit(
        "payment_run_resumed",
        authority_id=run["authority_id"],
        subject_id=run["run_id"],
        failed_attempts=run["failed_attempts"],
    )
    resumed = await store.get_run(uow.conn, authority_id=run["authority_id"], run_id=run["run_id"])
    assert resumed is not None
    return dict(resumed)


async def get_run(caller: Caller, work: Work, *, run_id: uuid.UUID) -> dict[str, object]:
    require_council(caller.principal)
    async with work.read() as conn:
        found = await store.get_run(conn, authority_id=caller.principal.authority_id, run_id=run_id)
    if found is None:
        raise NotFound.of("payment run", code="run-not-found")
    return dict(found)


async def list_runs(caller: Caller, work: Work, *, limit: int, offset: int) -> list[dict[str, object]]:
    require_council(caller.principal)
    async with work.read() as conn:
        found = await store.list_runs(
            conn, authority_id=caller.principal.authority_id, limit=limit, offset=offset
        )
    return [dict(r) for r in found]


async def job_of(work: Work, run: dict[str, object]) -> object:
    job_id = run["job_id"]
    assert isinstance(job_id, uuid.UUID)
    authority_id = run["authority_id"]
    assert isinstance(authority_id, uuid.UUID)
    job = await JOBS.get(work.pool, tenancy=Tenancy(authority_id, None), job_id=job_id)
    return job.public()


# --- the worker ----------------------------------------------------------------------------------------

ChunkHook = Callable[[int], Awaitable[None]]


async def compute_run(
    work: Work,
    *,
    run_id: uuid.UUID,
    chunk_size: int = CHUNK,
    today: date | None = None,
    after_chunk: ChunkHook | None = None,
) -> bool:
    """Compute the run to its end; True when it is computed (False: not found or not computing).
    `after_chunk(n)` is called after the n-th chunk committed (the tests' fault injection)."""
    today = today or date.today()
    chunks = 0
    while True:
        async with work.begin(Actor.system("payments-run")) as uow:
            run = await store.lock_run(uow.conn, run_id=run_id)
            if run is None or run["status"] != "computing":
                return run is not None and run["status"] == "computed"
            tenancy = Tenancy(run["authority_id"], None)
            job = await JOBS.get(uow.conn, tenancy=tenancy, job_id=run["job_id"])
            if job.state is JobState.queued:
                await JOBS.start(uow.conn, tenancy=tenancy, job_id=job.job_id)
            taken, last = await compute.compute_chunk(
                uow.conn,
                run_id=run_id,
                authority_id=run["authority_id"],
                frequency=run["frequency"],
                period_start=run["period_start"],
                after=run["computed_through"],
                size=chunk_size,
                year_start=year_bounds(financial_year(run["period_start"]))[0],
                today=today,
            )
            await store.advance_run(uow.conn, run_id=run_id, through=last, taken=taken)
            done = run["contracts_done"] + taken
            if last is None:
                await JOBS.succeed(uow.conn, tenancy=tenancy, job_id=job.job_id)
            elif done > job.done:  # a contract added since the start counts too: the total follows
                await JOBS.advance(
                    uow.conn, tenancy=tenancy, job_id=job.job_id, done=done, total=max(done, job.total or 0)
                )
        if last is None:
            log.info("payment_run_computed", run_id=str(run_id))
            return True
        chunks += 1
        if after_chunk is not None:
            await after_chunk(chunks)


RETRY_FIRST_SECONDS = 5.0  # a failed run's first wait; doubled at each failure
RETRY_LONGEST_SECONDS = 600.0
MOST_ATTEMPTS = 10  # then the run is failed, about half an hour after its first failure
FAILED_REASON = (
    "the run failed {attempts} times in a row and is no longer retried; the payments service's"
    " operators have each error in its worker's log (payment_run_put_off). Start the run of this period"
    " again to resume it"
)


async def process_next(
    work: Work, *, chunk_size: int = CHUNK, today: date | None = None, authority_id: uuid.UUID | None = None
) -> uuid.UUID | None:
    """Take the oldest run still computing and due (of any authority, or of `authority_id`: a test's own)
    and compute it; its id, or None when there is none. A run that fails is put off (5 s, then twice as long
    each time, up to 10 minutes) and the error raised: it stays computing, keeps the chunks it committed,
    and the runs behind it are taken meanwhile. At its tenth failure in a row it is failed, with its job:
    it is no longer retried, until the council starts it again (`start_run` resumes it)."""
    async with work.read() as conn:
        run_id = await store.next_computing(conn, authority_id=authority_id)
    if run_id is None:
        return None
    try:
        await compute_run(work, run_id=run_id, chunk_size=chunk_size, today=today)
    except Exception:
        async with work.begin(Actor.system("payments-run")) as uow:
            put_off = await store.put_off(
                uow.conn,
                run_id=run_id,
                first_delay=RETRY_FIRST_SECONDS,
                longest_delay=RETRY_LONGEST_SECONDS,
                most_attempts=MOST_ATTEMPTS,
            )
            if put_off is not None and put_off["status"] == "failed":
                await JOBS.fail(
                    uow.conn,
                    tenancy=Tenancy(put_off["authority_id"], None),
                    job_id=put_off["job_id"],
                    reason=FAILED_REASON.format(attempts=put_off["failed_attempts"]),
                )
        attempts = put_off["failed_attempts"] if put_off is not None else None
        log.warning("payment_run_put_off", run_id=str(run_id), failed_attempts=attempts)
        if put_off is not None and put_off["status"] == "failed":
            log.error("payment_run_failed", run_id=str(run_id), failed_attempts=attempts)
        raise
    return run_id
