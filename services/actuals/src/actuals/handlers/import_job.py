"""The bulk import's job (docs/actuals.md "Bulk import"): what the actuals worker runs for each uploaded
file (`process_next`), in one transaction that holds the batch's row lock.

Every row is checked by the file rules (`actuals.domain.import_file`), then against the database within
the uploader's scope (the service, the client's authorised CPLI that week, a rate, the week open). Any
fault: nothing is written, the batch is refused with every fault. None: the weeks are created or locked
and their version bumped once, the lines written in one statement, the batch marked imported and the job
succeeded, all in that one transaction. A worker that dies mid-way leaves the batch pending and unlocked
for the next worker; a file that has been taken `MAX_ATTEMPTS` times without finishing is refused, so no
job is stuck.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from actuals.domain.import_file import COLUMNS, Fault, FileRefused, ImportReader
from actuals.handlers.import_lookup import Lookup
from actuals.handlers.imports import JOBS
from actuals.store import import_stage
from actuals.store import imports as store
from shared.auth import Principal
from shared.jobs import JobState
from shared.logging import get_logger
from shared.tenancy import Tenancy
from shared.uow import Actor, Work

log = get_logger(__name__)
MAX_ATTEMPTS = 3


async def process_next(
    work: Work, *, import_id: uuid.UUID | None = None, today: date | None = None
) -> store.ImportBatch | None:
    """Take the oldest pending import (or that one) and process it to the end; None when there is none
    (or another worker holds it). Answers the batch as it was taken."""
    today = today or date.today()
    async with work.begin(Actor.system("actuals-import")) as uow:
        conn = uow.conn
        batch = await (store.claim(conn, import_id=import_id) if import_id else store.claim_next(conn))
        if batch is None:
            return None
        principal = batch.principal()
        tenancy = Tenancy.of(principal)
        attempts = await store.count_attempt(work.pool, import_id=batch.import_id)
        job_id = batch.job_id
        assert job_id is not None
        job = await JOBS.get(work.pool, tenancy=tenancy, job_id=job_id)
        if job.state is JobState.queued:
            job = await JOBS.start(work.pool, tenancy=tenancy, job_id=job_id)

        rows = 0  # the file's rows, once read (the last progress report is exact)

        async def progress(done: int, total: int) -> None:
            # Committed at once on its own connection, so that the uploader sees it while this runs. A
            # retry after a dead worker counts again from 0: the job never goes back, so it waits.
            nonlocal job, rows
            rows = total
            if done >= job.done:
                job = await JOBS.advance(work.pool, tenancy=tenancy, job_id=job_id, done=done, total=total)

        try:
            if attempts > MAX_ATTEMPTS:
                raise FileRefused(
                    [
                        Fault(
                            1,
                            None,
                            f"the file could not be processed after {MAX_ATTEMPTS} attempts: send it again",
                        )
                    ]
                )
            async with conn.transaction():  # a savepoint: a refused file leaves nothing behind
                content = await store.file_content(conn, import_id=batch.import_id)
                await _import(conn, batch, principal, content, today, progress)
                await store.mark_imported(conn, import_id=batch.import_id, rows=rows)
                await JOBS.succeed(conn, tenancy=tenancy, job_id=job_id)
            outcome, errors = "success", 0
        except FileRefused as refused:
            faults = sorted(
                refused.faults, key=lambda f: (f.row, COLUMNS.index(f.column) if f.column in COLUMNS else -1)
            )
            await store.mark_refused(
                conn,
                import_id=batch.import_id,
                rows=rows,
                faults=[(f.row, f.column, f.message) for f in faults],
            )
            said = "1 error" if len(faults) == 1 else f"{len(faults):,} errors"
            await JOBS.fail(
                conn, tenancy=tenancy, job_id=job_id, reason=f"the file has {said}: nothing was imported"
            )
            outcome, errors = "failure", len(faults)
        await uow.audit(
            "actuals.import.processed",
            authority_id=batch.authority_id,
            organisation_id=batch.organisation_id,
            subject_id=batch.import_id,
            outcome=outcome,
            uploaded_by=batch.created_by,
            rows=rows,
            errors=errors,
        )
        uow.log(
            "actuals_import_processed", import_id=str(batch.import_id), outcome=outcome, attempts=attempts
        )
    return batch


Progress = Callable[[int, int], Awaitable[None]]
STAGE_EVERY = 20_000  # rows checked, then copied into the stage table: the memory of a chunk, not a file


async def _import(
    conn: asyncpg.Connection,
    batch: store.ImportBatch,
    principal: Principal,
    content: bytes,
    today: date,
    progress: Progress,
) -> None:
    """Check every row, streaming the good ones into a temporary table a chunk at a time; then the
    checks of the whole set in SQL (closed weeks, lines made from visits); then, with no fault anywhere,
    one statement writes every line, and finds repeated rows by the lines' unique key (a file with
    other faults is searched for them at once). Raises FileRefused with every fault."""
    reader = ImportReader(content, today=today)
    estimate = max(content.count(b"\n"), 1)  # the rows, give or take a blank or quoted line
    await progress(0, estimate)
    lookup = Lookup(conn, principal)
    await lookup.load_services()
    await import_stage.open_stage(conn)
    faults: list[Fault] = []
    chunk: list[import_stage.StagedLine] = []
    weeks: set[tuple[uuid.UUID, uuid.UUID, date]] = set()
    for row, found in reader:
        if row is None or found:
            faults += found
        else:
            line = await lookup.check(row, faults)
            if line is not None:
                chunk.append(line)
                weeks.add((line[1], lookup.contract_of[line[1]], line[2]))
        if len(chunk) >= STAGE_EVERY:
            await import_stage.stage(conn, lines=chunk)
            chunk = []
            await progress(min(reader.rows_read, estimate), estimate)
    await import_stage.stage(conn, lines=chunk)
    await import_stage.stage_figures(conn, figures=lookup.costs.figures)
    faults += reader.file_faults()
    if reader.file_reference and reader.file_reference != batch.file_reference:
        faults.append(Fault(2, "file_reference", "differs from the reference the file was uploaded with"))
    await progress(reader.rows_read, reader.rows_read)

    # The weeks created or locked in (service, week) order, each version bumped once: rolled back with
    # the rest when the file is refused.
    touched = await import_stage.touch_weeks(conn, principal=principal, weeks=sorted(weeks))
    for number, service_id, week, state in await import_stage.staged_in_closed_weeks(conn):
        until = " until the council unlocks it" if state == "confirmed" else ""
        name = lookup.name_of[service_id]
        message = f"the week commencing {week:%d/%m/%Y} of {name} is {state}: it cannot be changed{until}"
        faults.append(Fault(number, "week_commencing", message))
    for number in await import_stage.staged_with_visits(conn):
        message = (
            "this client's line that week is made from its recorded visits: change them on the Actuals page"
        )
        faults.append(Fault(number, None, message))
    if faults:
        raise FileRefused(faults + await _duplicates(conn))
    # A row repeated in the file (same client, same week) breaks the write on the lines' unique key: the
    # write finds them without a search of its own when there are none, the common case.
    upsert = await import_stage.any_lines(conn, week_ids=[w.week_id for w in touched])
    try:
        async with conn.transaction():
            await import_stage.write_staged(conn, updated_by=principal.subject, upsert=upsert)
    except (asyncpg.UniqueViolationError, asyncpg.CardinalityViolationError):
        duplicates = await _duplicates(conn)
        if not duplicates:
            raise
        raise FileRefused(duplicates) from None


async def _duplicates(conn: asyncpg.Connection) -> list[Fault]:
    return [
        Fault(number, None, f"repeats row {first} (same service, client and week)")
        for number, first in await import_stage.staged_duplicates(conn)
    ]
