"""Bulk import and export of actuals (docs/actuals.md "Bulk import"): the upload, what the provider reads
of an import, the template and the export. The job that processes an uploaded file is
`actuals.handlers.import_job`.

Upload: the faults of the whole file (too big, not UTF-8, empty, the header, a file reference imported
before) are answered at once; otherwise the file is kept with a pending batch and a job, and the
actuals worker processes it (`import_job.process_next`).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from actuals.domain.import_file import (
    COLUMNS,
    Fault,
    FileRefused,
    neutralise,
    peek_reference,
)
from actuals.domain.weeks import week_commencing
from actuals.store import imports as store
from shared.capabilities import Capability, require_capability
from shared.errors import DomainError, Forbidden, Invalid, NotFound
from shared.jobs import Job, Jobs
from shared.logging import get_logger
from shared.tenancy import Tenancy
from shared.uow import Caller, Work

log = get_logger(__name__)
JOBS = Jobs("actuals")
KIND = "actuals.import"
EXPORT_WEEKS = 53
TEMPLATE_ROWS = (
    "CM-2026-48,Home Care,100234,23/11/2026,10,10,0,0,0,14,",
    "CM-2026-48,Home Care,100235,23/11/2026,9.75,10,0,0.25,0,13,Carer ill on Friday",
)


class ImportRefused(FileRefused):
    """A file refused at upload: its faults as `errors` [{row, column, message}], like GET /imports/{id}."""

    def errors(self) -> list[dict[str, Any]] | None:
        return [{"row": f.row, "column": f.column, "message": f.message} for f in self.faults]


class FileTooLarge(DomainError):
    status = 413
    default_title = "Content Too Large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the file is larger than the {limit / 1_048_576:.0f} MiB ({limit:,} bytes) an import accepts:"
            " split it into several files, by week or by service",
            code="import-too-large",
        )


@dataclass(frozen=True)
class Upload:
    batch: store.ImportBatch
    job: Job


def _refused_at_once(refused: FileRefused) -> ImportRefused:
    return ImportRefused(refused.faults)


async def upload(caller: Caller, work: Work, *, file_name: str, content: bytes, limit: int) -> Upload:
    principal = caller.principal
    require_capability(principal, Capability.actuals, edit=True)
    if principal.is_council or principal.organisation_id is None:
        raise Forbidden("actuals are imported by the provider that delivered the care")
    if len(content) > limit:
        raise FileTooLarge(limit)
    try:
        reference = peek_reference(content)
    except FileRefused as refused:
        raise _refused_at_once(refused) from None
    async with work.begin(caller.actor) as uow:
        batch = await store.insert_batch(
            uow.conn,
            principal=principal,
            file_reference=reference,
            file_name=file_name[:200],
            content=content,
        )
        if batch is None:
            holder = await store.holder_of_reference(
                uow.conn, scope=store.provider_scope(principal), file_reference=reference
            )
            when = f" on {holder.created_at:%d/%m/%Y}" if holder else ""
            doing = "is being imported" if holder and holder.status == "pending" else f"was imported{when}"
            raise ImportRefused(
                [
                    Fault(
                        2,
                        "file_reference",
                        f"{reference[:60]!r} {doing}: a file is imported once (a duplicate)",
                    )
                ]
            )
        job = await JOBS.create(
            uow.conn,
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            kind=KIND,
            created_by=principal.subject,
        )
        batch = await store.set_job(uow.conn, import_id=batch.import_id, job_id=job.job_id)
        await uow.audit(
            "actuals.import.uploaded",
            authority_id=principal.authority_id,
            organisation_id=principal.organisation_id,
            subject_id=batch.import_id,
            bytes=len(content),
            job_id=job.job_id,
        )
        uow.log("actuals_import_uploaded", import_id=str(batch.import_id), bytes=len(content))
    return Upload(batch, job)


# --- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportView:
    batch: store.ImportBatch
    job: Job | None
    errors: list[store.ImportFault]


async def get_import(caller: Caller, work: Work, *, import_id: uuid.UUID) -> ImportView:
    principal = caller.principal
    require_capability(principal, Capability.actuals)
    scope = store.provider_scope(principal)
    async with work.read() as conn:
        batch = await store.get_batch(conn, scope=scope, import_id=import_id)
        if batch is None:
            raise NotFound.of("import")
        job = None
        if batch.job_id is not None:
            job = await JOBS.get(conn, tenancy=Tenancy.of(principal), job_id=batch.job_id)
        errors = await store.faults_of(conn, scope=scope, import_id=import_id, limit=store.ERRORS_SHOWN)
    return ImportView(batch, job, errors)


async def errors_csv(caller: Caller, work: Work, *, import_id: uuid.UUID) -> tuple[str, str]:
    """(file name, CSV text) of every fault of a refused import."""
    principal = caller.principal
    require_capability(principal, Capability.actuals)
    scope = store.provider_scope(principal)
    async with work.read() as conn:
        batch = await store.get_batch(conn, scope=scope, import_id=import_id)
        if batch is None:
            raise NotFound.of("import")
        faults = await store.faults_of(conn, scope=scope, import_id=import_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["row", "column", "message"])
    for f in faults:
        writer.writerow([f.row, f.column or "", neutralise(f.message)])
    return f"import-errors-{_safe_name(batch.file_reference)}.csv", out.getvalue()


def template_csv(caller: Caller) -> str:
    require_capability(caller.principal, Capability.actuals)
    return "\ufeff" + "\r\n".join((",".join(COLUMNS), *TEMPLATE_ROWS)) + "\r\n"


# --- export -----------------------------------------------------------------------------------------


async def export_csv(
    caller: Caller, work: Work, *, service_id: uuid.UUID, start: date, end: date
) -> tuple[str, str]:
    """(file name, CSV text): the period's lines (generated or entered) in the import format, so that the file imports
    back unchanged (with a file reference of its own); formula-looking cells neutralised."""
    principal = caller.principal
    require_capability(principal, Capability.actuals)
    first, last = week_commencing(start), week_commencing(end)
    if last < first:
        raise Invalid.field("to", "is before from", code="bad-period")
    if (last - first) > timedelta(weeks=EXPORT_WEEKS):
        raise Invalid.field("to", f"the period is at most {EXPORT_WEEKS} weeks", code="bad-period")
    scope = store.provider_scope(principal)
    async with work.read() as conn:
        service = await store.export_service(conn, scope=scope, service_id=service_id)
        if service is None:
            raise NotFound.of("service")
        lines = await store.export_lines(
            conn, scope=scope, service_id=service_id, first_week=first, last_week=last
        )
    reference = f"export-{service.reference}-{first:%Y%m%d}-{last:%Y%m%d}"
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for week, client, actual, planned, frustrated, missed, extra, visits, comment in lines:
        writer.writerow(
            [
                neutralise(reference),
                neutralise(service.reference),
                neutralise(client),
                f"{week:%d/%m/%Y}",
                *(_units(q) for q in (actual, planned, frustrated, missed, extra)),
                "" if visits is None else visits,
                neutralise(comment),
            ]
        )
    return f"actuals-{_safe_name(service.reference)}-{first:%Y%m%d}-{last:%Y%m%d}.csv", out.getvalue()


def _units(value: Any) -> str:
    """10.00 as 10, 9.50 as 9.5: as a person would type it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)[:60] or "file"
