"""Report runs as a user asks for them: the catalogue, a new run, a run's state, its file.

Reports are a finance function (Finance, Full, Main and the council). Read-only roles may use them too:
running a report only views data. Care Management and Admin roles are refused every one of these.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from reports.domain.catalogue import CATALOGUE, ReportDefinition, find_report
from reports.domain.runs import RunNotFound, RunNotReady
from reports.store import runs
from reports.store.runs import Artifact, Run
from shared.capabilities import Capability, require_capability
from shared.events import ReportArtifactDownloaded, ReportRunRequested
from shared.scoping import organisation_filter
from shared.uow import Caller, Work


async def catalogue(caller: Caller) -> list[ReportDefinition]:
    """The reports there are (no I/O: the catalogue is code)."""
    require_capability(caller.principal, Capability.reports)
    return list(CATALOGUE.values())


async def request_run(caller: Caller, work: Work, *, report: str, format: str) -> Run:
    """Queue a run of `report` over what the caller may see; a render worker takes it from the
    `reports.render` queue (the event is its job)."""
    require_capability(caller.principal, Capability.reports)
    definition = find_report(report)
    principal = caller.principal
    authority_id, organisation_id = organisation_filter(principal)
    run_id = uuid.uuid4()
    async with work.begin(caller.actor) as uow:
        run = await runs.add_run(
            conn=uow.conn,
            run_id=run_id,
            authority_id=authority_id,
            organisation_id=organisation_id,
            report=definition.key,
            format=format,
            requested_by=principal.subject,
        )
        # The job is the run as recorded: a render worker needs nothing that is not in the row.
        job = ReportRunRequested.model_validate(run.model_dump(include=set(ReportRunRequested.model_fields)))
        await uow.publish(job, aggregate_id=run_id, authority_id=authority_id)
        await uow.audit(
            "report_run_requested",
            authority_id=authority_id,
            organisation_id=organisation_id,
            subject_id=run_id,
            report=definition.key,
            format=format,
        )
        uow.log("report_run_requested", run_id=str(run_id), report=definition.key, format=format)
    return run


async def get_run(caller: Caller, work: Work, *, run_id: uuid.UUID) -> Run:
    require_capability(caller.principal, Capability.reports)
    async with work.read() as conn:
        run = await runs.get_run(conn=conn, run_id=run_id, scope=runs.visible_to(caller.principal))
    if run is None:
        raise RunNotFound(run_id)
    return run


async def download_artifact(caller: Caller, work: Work, *, run_id: uuid.UUID) -> Artifact:
    """The rendered file of a run the caller can see. The download is published in the same unit, for
    identity's access audit log (the council's record of who downloaded what)."""
    require_capability(caller.principal, Capability.reports)
    principal, actor = caller.principal, caller.actor
    async with work.begin(actor) as uow:
        run = await runs.get_run(conn=uow.conn, run_id=run_id, scope=runs.visible_to(principal))
        if run is None:
            raise RunNotFound(run_id)
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
            downloaded_at=datetime.now(UTC),
        )
        await uow.publish(downloaded, aggregate_id=run_id, authority_id=run.authority_id)
        uow.log("report_downloaded", run_id=str(run_id), format=run.format)
    return artifact
