"""Report runs as a user asks for them: a new run, a run's state, "My reports", a run's file.

Reports are a finance function (Finance, Full, Main and the council). Read-only roles may use them too:
running a report only views data. Care Management and Admin roles are refused every one of these.
A run is also a job (shared.jobs): the render worker reports its progress there, the run page shows it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import asyncpg

from reports.domain import parameters as params
from reports.domain.catalogue import ReportDefinition
from reports.domain.runs import RunExpired, RunNotFound, RunNotReady
from reports.handlers.catalogue import offered_report
from reports.store import documents, runs
from reports.store.organisations import organisation_name
from reports.store.runs import Artifact, Run
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.errors import NotFound
from shared.events import ReportArtifactDownloaded, ReportRunRequested
from shared.jobs import Job, Jobs, JobState
from shared.scoping import Columns, organisation_filter
from shared.store import Scope
from shared.tenancy import Tenancy
from shared.uow import Caller, Work

JOBS = Jobs("reports")
RENDER_JOB = "reports.render"
RunState = Literal["queued", "rendering", "done", "failed"]
SETTLED: dict[str, RunState] = {"queued": "queued", "done": "done", "failed": "failed"}  # the table's CHECK
ORGANISATION_COLUMNS = Columns(authority="authority_id", organisation="organisation_id")


@dataclass(frozen=True)
class RunView:
    """A run as its page shows it: `state` is queued, rendering (a worker has it), done or failed."""

    run: Run
    state: RunState
    done: int
    total: int | None
    reused: bool = False  # a kept run of the same document, answered instead of a new one


async def request_run(
    caller: Caller,
    work: Work,
    *,
    report: str,
    format: str,
    given: dict[str, Any],
    kept_for: timedelta,
) -> RunView:
    """Queue a run of `report` with the parameters `given`, over what the caller may see; a render
    worker takes it from the `reports.render` queue (the event is its job).

    A run of one document (a remittance, a purchase order: `definition.document`) is checked against
    the read model first (another tenant's or an unknown one is 404, nothing queued), and the caller's
    own finished run of it with the same parameters and format is answered instead (`reused`) while its
    file is kept and the document has not changed since it was asked for."""
    principal = caller.principal
    require_capability(principal, Capability.reports)
    authority_id, organisation_id = organisation_filter(principal)
    run_id = uuid.uuid4()
    async with work.begin(caller.actor) as uow:
        definition = await offered_report(uow.conn, principal, report)
        chosen = await _checked_parameters(uow.conn, principal, definition, given)
        changed_at = await _document_changed_at(uow.conn, principal, definition, chosen)
        await runs.purge_expired(conn=uow.conn, authority_id=authority_id)
        if changed_at is not None:
            kept = await runs.find_kept_run(
                conn=uow.conn,
                requested_by=principal.subject,
                report=definition.key,
                format=format,
                parameters=params.canonical(chosen),
                requested_after=changed_at,
                scope=runs.visible_to(principal),
            )
            if kept is not None:
                uow.log("report_run_reused", run_id=str(kept.run_id), report=definition.key, format=format)
                return replace(_view(kept, await _job_of(uow.conn, kept)), reused=True)
        job = await JOBS.create(
            uow.conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            kind=RENDER_JOB,
            created_by=principal.subject,
        )
        run = await runs.add_run(
            conn=uow.conn,
            run_id=run_id,
            authority_id=authority_id,
            organisation_id=organisation_id,
            report=definition.key,
            format=format,
            requested_by=principal.subject,
            parameters=params.canonical(chosen),
            job_id=job.job_id,
            kept_for=kept_for,
        )
        # The job is the run as recorded: a render worker needs nothing that is not in the row.
        event = ReportRunRequested.model_validate(
            run.model_dump(include=set(ReportRunRequested.model_fields))
        )
        await uow.publish(event, aggregate_id=run_id, authority_id=authority_id)
        await uow.audit(
            "report_run_requested",
            authority_id=authority_id,
            organisation_id=organisation_id,
            subject_id=run_id,
            report=definition.key,
            format=format,
        )
        uow.log("report_run_requested", run_id=str(run_id), report=definition.key, format=format)
    return _view(run, job)


async def _checked_parameters(
    conn: asyncpg.Connection, principal: Principal, definition: ReportDefinition, given: dict[str, Any]
) -> dict[str, Any]:
    """The parameters, parsed, with the organisation one the caller's to choose: a provider's own
    (filled in when left out), any of the authority's for the council; another's is 404 like a
    missing one."""
    _, own = organisation_filter(principal)
    given = dict(given)
    if own is not None and definition.parameter("organisation_id") is not None:
        given.setdefault("organisation_id", str(own))
    chosen = params.parse(definition, given)
    organisation_id = chosen.get("organisation_id")
    if organisation_id is not None:
        if own is not None and organisation_id != own:
            raise NotFound.of("organisation", code="organisation-not-found")
        scope = Scope.of(principal, ORGANISATION_COLUMNS, organisation_rows=True)
        if (
            own is None
            and await organisation_name(conn=conn, organisation_id=organisation_id, scope=scope) is None
        ):
            raise NotFound.of("organisation", code="organisation-not-found")
    return chosen


async def _document_changed_at(
    conn: asyncpg.Connection, principal: Principal, definition: ReportDefinition, chosen: dict[str, Any]
) -> datetime | None:
    """For a run of one document: when the document last changed, the document looked up within the
    caller's organisation and authority (never trusting the id: another's is 404 like a missing one);
    None for a run that is not of one document."""
    if definition.document is None or chosen.get(definition.document) is None:
        return None
    document_id = chosen[definition.document]
    if definition.document == "remittance_id":
        found = await documents.remittance_changed_at(
            conn=conn, remittance_id=document_id, principal=principal
        )
        if found is None:
            raise NotFound.of("remittance", code="remittance-not-found")
        return found
    found = await documents.purchase_order_changed_at(
        conn=conn, purchase_order_id=document_id, principal=principal
    )
    if found is None:
        raise NotFound.of("purchase order", code="purchase-order-not-found")
    return found


async def get_run(caller: Caller, work: Work, *, run_id: uuid.UUID) -> RunView:
    require_capability(caller.principal, Capability.reports)
    async with work.read() as conn:
        run = await runs.get_run(conn=conn, run_id=run_id, scope=runs.visible_to(caller.principal))
        if run is None:
            raise RunNotFound(run_id)
        job = await _job_of(conn, run)
    return _view(run, job)


async def my_runs(caller: Caller, work: Work, *, limit: int, offset: int) -> list[RunView]:
    """ "My reports": the caller's own runs whose files are still kept, newest first."""
    principal = caller.principal
    require_capability(principal, Capability.reports)
    async with work.read() as conn:
        mine = await runs.list_requested_by(
            conn=conn,
            requested_by=principal.subject,
            scope=runs.visible_to(principal),
            limit=limit,
            offset=offset,
        )
        return [_view(run, await _job_of(conn, run)) for run in mine]


async def _job_of(conn: asyncpg.Connection, run: Run) -> Job | None:
    if run.job_id is None:
        return None
    tenancy = Tenancy(authority_id=run.authority_id, organisation_id=run.organisation_id)
    return await JOBS.get(conn, tenancy=tenancy, job_id=run.job_id)


def _view(run: Run, job: Job | None) -> RunView:
    state = SETTLED[run.status]
    if state == "queued" and job is not None and job.state is JobState.running:
        state = "rendering"
    done = job.done if job is not None else 0
    return RunView(run=run, state=state, done=done, total=job.total if job is not None else None)


async def download_artifact(caller: Caller, work: Work, *, run_id: uuid.UUID) -> tuple[Run, Artifact]:
    """The rendered file of a run the caller can see. The download is published in the same unit, for
    identity's access audit log (the council's record of who downloaded what)."""
    require_capability(caller.principal, Capability.reports)
    principal, actor = caller.principal, caller.actor
    async with work.begin(actor) as uow:
        run = await runs.get_run(conn=uow.conn, run_id=run_id, scope=runs.visible_to(principal))
        if run is None:
            raise RunNotFound(run_id)
        now = datetime.now(UTC)
        if run.expires_at is not None and run.expires_at <= now:
            raise RunExpired(run.expires_at)
        artifact = await runs.get_artifact(conn=uow.conn, run_id=run_id)
        if run.status != "done" or artifact is None:
            raise RunNotReady(run.status, run.error)
        downloaded = ReportArtifactDownloaded(
            run_id=run_id,
            authority_id=run.authority_id,
            organisation_id=run.organisation_id,
            report=run.report,
            format=run.format,
            filename=artifact.filename,
            downloaded_by=principal.subject,
            actor_kind=principal.kind.value,
            role=principal.role.value,
            client_address=actor.address,
            request_id=actor.request_id,
            downloaded_at=now,
        )
        await uow.publish(downloaded, aggregate_id=run_id, authority_id=run.authority_id)
        uow.log("report_downloaded", run_id=str(run_id), format=run.format)
    return run, artifact
