"""Jobs: long work (an import, a report run, a payment run) recorded so that the user who started it and
the operators can see where it is.

A job is `queued` when created, `running` once a worker starts it, then `succeeded` or `failed`:

    queued ──start──► running ──succeed──► succeeded
       └──────fail──────┴──────fail─────► failed

Any other move (succeeding a failed job, starting a running one, advancing a finished one) is refused
with `JobTransitionRefused`, checked in the same UPDATE that makes the move, so two workers racing on one
job cannot both win. Progress is `done` of `total` (the total may be unknown until the work is counted),
never backwards and never past the total. A failure reason is shown to the user: write it for them
("row 12: the start date is not a date"), never `str(exc)`, a stack or a secret; it is cut to its
first line and to `REASON_LIMIT` characters all the same.

A service opts in with `platform_migrations=(..., JOBS)` and keeps one `Jobs(<its schema>)`. Every read
and move takes the caller's `Tenancy`; a job outside it is `JobNotFound`, like a missing one. Rows come
back as frozen `Job` records; `Job.public()` is the `PublicJob` an API returns.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias

import asyncpg
from pydantic import BaseModel, ConfigDict, computed_field

from shared.db import ident
from shared.errors import Invalid, NotFound
from shared.logging import get_logger
from shared.tenancy import Tenancy

log = get_logger(__name__)
Db: TypeAlias = (
    asyncpg.Connection | asyncpg.Pool
)  # a unit of work's connection, or the pool for one statement
REASON_LIMIT = 300
KIND = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class JobNotFound(NotFound, LookupError):
    """No job with that id within the caller's tenancy."""


class JobError(Invalid, ValueError):
    """A job or a progress report refused (a bad kind, progress backwards or past the total)."""


class JobTransitionRefused(JobError):
    """A move the job's state does not allow (e.g. succeeding a failed job): a conflict with its state."""

    status = 409
    default_title = "Conflict"


class PublicJob(BaseModel):
    """What the user and operators see of a job (an API's response model)."""

    model_config = ConfigDict(frozen=True)

    job_id: uuid.UUID
    kind: str
    state: JobState
    done: int
    total: int | None
    failure_reason: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> int | None:
        """Whole per cent done, when the total is known (a total of 0 is done at once: 100)."""
        if self.total is None:
            return None
        return 100 if self.total == 0 else self.done * 100 // self.total


class Job(BaseModel):
    """A row of `<schema>.job`."""

    model_config = ConfigDict(frozen=True)

    job_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    kind: str
    state: JobState
    done: int
    total: int | None
    failure_reason: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    def public(self) -> PublicJob:
        return PublicJob.model_validate(self.model_dump(exclude={"authority_id", "organisation_id"}))


# Which states each move may start from.
MOVES: dict[str, frozenset[JobState]] = {
    "start": frozenset({JobState.queued}),
    "advance": frozenset({JobState.running}),
    "succeed": frozenset({JobState.running}),
    "fail": frozenset({JobState.queued, JobState.running}),
}


def safe_reason(reason: str) -> str:
    """The first line of `reason`, control characters as spaces, at most `REASON_LIMIT` characters."""
    lines = reason.strip().splitlines()
    printable = "".join(c if c.isprintable() else " " for c in (lines[0] if lines else ""))
    first = " ".join(printable.split())
    if len(first) > REASON_LIMIT:
        first = first[: REASON_LIMIT - 1] + "…"
    return first or "the job failed"


def _count(value: int | None, name: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise JobError(f"{name} must be a whole number of at least 0, not {value!r}")


class Jobs:
    """The jobs of one service's schema."""

    def __init__(self, schema: str) -> None:
        self.table = f"{ident(schema)}.job"

    async def create(
        self,
        conn: Db,
        *,
        authority_id: uuid.UUID,
        organisation_id: uuid.UUID | None,
        kind: str,
        created_by: str,
        total: int | None = None,
    ) -> Job:
        """A queued job of `kind` (e.g. "actuals.import") for that authority and organisation."""
        if not KIND.match(kind):
            raise JobError(f"a job kind is lower-case letters, digits and . _ - (at most 63), not {kind!r}")
        if not created_by:
            raise JobError("created_by must name who started the job")
        _count(total, "total")
        row = await conn.fetchrow(
            f"INSERT INTO {self.table} (job_id, authority_id, organisation_id, kind, created_by, total)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            uuid.uuid4(),
            authority_id,
            organisation_id,
            kind,
            created_by,
            total,
        )
        job = Job.model_validate(dict(row))
        log.info("job_created", job_id=str(job.job_id), kind=kind)
        return job

    async def get(self, conn: Db, *, tenancy: Tenancy, job_id: uuid.UUID) -> Job:
        where, params = tenancy.where(first_param=2)
        row = await conn.fetchrow(
            f"SELECT * FROM {self.table} WHERE job_id = $1 AND {where}", job_id, *params
        )
        if row is None:
            raise JobNotFound(f"there is no job {job_id} that you can see")
        return Job.model_validate(dict(row))

    async def list(
        self,
        conn: Db,
        *,
        tenancy: Tenancy,
        limit: int,
        offset: int = 0,
        kind: str | None = None,
        state: JobState | None = None,
    ) -> list[Job]:
        """Newest first (ties by id, so pages never repeat or skip a job). With `shared.paging`, pass
        `limit=page.fetch, offset=page.offset` and return `page.of(jobs)`."""
        where, params = tenancy.where(first_param=5)
        rows = await conn.fetch(
            f"SELECT * FROM {self.table} WHERE ($1::text IS NULL OR kind = $1)"
            f" AND ($2::text IS NULL OR state = $2) AND {where}"
            " ORDER BY created_at DESC, job_id DESC LIMIT $3 OFFSET $4",
            kind,
            state.value if state is not None else None,
            limit,
            offset,
            *params,
        )
        return [Job.model_validate(dict(r)) for r in rows]

    async def start(
        self,
        conn: Db,
        *,
        tenancy: Tenancy,
        job_id: uuid.UUID,
        total: int | None = None,
    ) -> Job:
        """queued → running; `total` when already known."""
        _count(total, "total")
        changes = "state = 'running', started_at = clock_timestamp(), total = coalesce({0}::bigint, total)"
        return await self._move(conn, "start", tenancy, job_id, changes, [total])

    async def advance(
        self,
        conn: Db,
        *,
        tenancy: Tenancy,
        job_id: uuid.UUID,
        done: int,
        total: int | None = None,
    ) -> Job:
        """Progress of a running job: `done` so far (never less than before), of `total` if given."""
        _count(done, "done")
        _count(total, "total")
        current = await self.get(conn, tenancy=tenancy, job_id=job_id)
        new_total = total if total is not None else current.total
        if current.state in MOVES["advance"]:
            if done < current.done:
                raise JobError(f"job {job_id}: progress cannot go back from {current.done} to {done}")
            if new_total is not None and done > new_total:
                raise JobError(f"job {job_id}: done ({done}) cannot exceed the total ({new_total})")
        # The same guard in the UPDATE: another report may have moved the job on since the read above.
        changes = "done = {0}, total = coalesce({1}::bigint, total)"
        guard = "done <= {0} AND coalesce({1}::bigint, total, {0}) >= {0}"
        return await self._move(conn, "advance", tenancy, job_id, changes, [done, total], guard=guard)

    async def succeed(self, conn: Db, *, tenancy: Tenancy, job_id: uuid.UUID) -> Job:
        """running → succeeded; a known total counts as all done."""
        changes = "state = 'succeeded', finished_at = moment.at, done = coalesce(total, done)"
        return await self._move(conn, "succeed", tenancy, job_id, changes, [])

    async def fail(self, conn: Db, *, tenancy: Tenancy, job_id: uuid.UUID, reason: str) -> Job:
        """queued or running → failed, with a reason the user may read (see the module's note)."""
        changes = "state = 'failed', finished_at = moment.at, failure_reason = {0}"
        return await self._move(conn, "fail", tenancy, job_id, changes, [safe_reason(reason)])

    async def _move(
        self,
        conn: Db,
        move: str,
        tenancy: Tenancy,
        job_id: uuid.UUID,
        changes: str,
        values: Sequence[Any],
        *,
        guard: str = "TRUE",
    ) -> Job:
        """One UPDATE that makes the move only from an allowed state, within the tenancy; `changes` and
        `guard` name the move's own values {0}, {1}, ... (numbered here after the fixed ones)."""
        allowed = sorted(s.value for s in MOVES[move])
        where, scope = tenancy.where(first_param=3)
        params: list[Any] = [job_id, allowed, *scope]
        marks = [f"${len(params) + 1 + i}" for i in range(len(values))]
        row = await conn.fetchrow(
            # One clock reading for the row (`moment.at`): a finished job's finished_at is its updated_at.
            f"UPDATE {self.table} SET {changes.format(*marks)}, updated_at = moment.at"
            " FROM (SELECT clock_timestamp() AS at) moment"
            f" WHERE job_id = $1 AND state = ANY($2::text[]) AND {where} AND {guard.format(*marks)}"
            f" RETURNING {self.table}.*",
            *params,
            *values,
        )
        if row is not None:
            job = Job.model_validate(dict(row))
            # Operators follow jobs in the logs too; progress only at debug level (there can be many).
            event = "job_advanced" if move == "advance" else f"job_{job.state.value}"
            (log.debug if move == "advance" else log.info)(
                event, job_id=str(job_id), kind=job.kind, done=job.done, failure_reason=job.failure_reason
            )
            return job
        current = await self.get(conn, tenancy=tenancy, job_id=job_id)  # JobNotFound when not visible
        if current.state not in MOVES[move]:
            raise JobTransitionRefused(
                f"job {job_id} is {current.state.value}: it cannot {move} (only a {' or '.join(allowed)} job can)"
            )
        raise JobError(f"job {job_id}: its progress changed meanwhile; report it again")
