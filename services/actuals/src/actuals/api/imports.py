"""Bulk import and export of actuals (docs/actuals.md "Bulk import"): parse, call one handler, return.

- POST /api/v1/actuals/imports: the file as the multipart form field `file`, or as the body (text/csv)
  with its name in `X-File-Name` → 202 and a job; the faults of the whole file at once (422, 413).
- GET /imports/{import_id} (status, progress, the first 100 errors), /imports/{import_id}/errors.csv
  (all of them), /imports/template.csv, and GET /export.csv?service_id&from&to.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.types import Message

from actuals.config import Settings
from actuals.handlers import imports
from shared.errors import BadRequest, DomainError
from shared.http import CurrentCaller
from shared.service import RuntimeDep, WorkDep

router = APIRouter(prefix="/api/v1/actuals", tags=["actuals import"])
CSV = "text/csv; charset=utf-8"


class ImportAccepted(BaseModel):
    import_id: uuid.UUID
    job_id: uuid.UUID
    file_reference: str
    status: str = Field(description="pending: the job checks every row, then imports all or nothing")


class RowError(BaseModel):
    row: int = Field(description="the file's row (the header is row 1)")
    column: str | None = Field(description="the column, or null for the whole row or file")
    message: str


class Progress(BaseModel):
    done: int
    total: int | None
    percent: int | None


class ImportOut(BaseModel):
    import_id: uuid.UUID
    job_id: uuid.UUID | None
    file_reference: str
    file_name: str
    status: str = Field(description="pending, imported or refused")
    rows: int
    progress: Progress
    error_count: int
    errors: list[RowError] = Field(description="the first 100 errors; errors.csv has all of them")
    created_at: datetime
    finished_at: datetime | None


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/imports",
    status_code=202,
    response_model=ImportAccepted,
    summary="Import a file of actuals (a job: all rows or none)",
    openapi_extra=UPLOAD_BODY,
    responses={
        413: {"description": "the file is larger than the import limit"},
        415: {"description": "the body is neither a CSV file nor a form with one (e.g. JSON)"},
    },
)
async def upload(
    request: Request,
    caller: CurrentCaller,
    work: WorkDep,
    runtime: RuntimeDep,
    x_file_name: Annotated[str | None, Header(max_length=200)] = None,
) -> ImportAccepted:
    settings = runtime.settings
    limit = settings.import_limit_bytes if isinstance(settings, Settings) else 52_428_800
    name, content = await _read_file(request, limit, x_file_name)
    done = await imports.upload(caller, work, file_name=name, content=content, limit=limit)
    return ImportAccepted(
        import_id=done.batch.import_id,
        job_id=done.job.job_id,
        file_reference=done.batch.file_reference,
        status=done.batch.status,
    )


# A file sent as the body itself: CSV, or what a system or Excel calls it (a JSON or form body is not a file).
RAW_TYPES = (
    "",
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
)


class NotAFile(DomainError):
    status = 415
    default_title = "Unsupported Media Type"


async def _read_file(request: Request, limit: int, file_name: str | None) -> tuple[str, bytes]:
    """The file, read while counting: over the limit (with room for the form's own lines) it is refused
    before the rest is read."""
    declared = request.headers.get("content-length")
    room = limit + 64 * 1024
    if declared and declared.isdigit() and int(declared) > room:
        raise imports.FileTooLarge(limit)
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > room:
            raise imports.FileTooLarge(limit)
        return message

    limited = Request(request.scope, receive=counted)
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data" and content_type not in RAW_TYPES:
        raise NotAFile(
            f"send the CSV file as the body (content-type text/csv) or as the form field `file`"
            f" (multipart/form-data), not {content_type[:60]}",
            code="import-not-csv",
        )
    if content_type == "multipart/form-data":
        async with limited.form(max_files=1, max_fields=5) as form:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise BadRequest("send the file as the form field `file`", code="import-no-file")
            content = await part.read()
            name = part.filename or "import.csv"
    else:
        content = await limited.body()
        name = file_name or "import.csv"
    if len(content) > limit:
        raise imports.FileTooLarge(limit)
    return name, content


@router.get("/imports/template.csv", summary="The import template (the header and two example rows)")
async def template(caller: CurrentCaller) -> Response:
    return _csv(imports.template_csv(caller), "actuals-import-template.csv")


@router.get("/imports/{import_id}", response_model=ImportOut, summary="An import: status, progress, errors")
async def get_import(import_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> ImportOut:
    view = await imports.get_import(caller, work, import_id=import_id)
    batch, job = view.batch, view.job
    total = job.total if job else None
    done = batch.rows if batch.status == "imported" else (job.done if job else 0)
    percent = job.public().percent if job else None
    if batch.status != "pending":
        percent = 100
    return ImportOut(
        import_id=batch.import_id,
        job_id=batch.job_id,
        file_reference=batch.file_reference,
        file_name=batch.file_name,
        status=batch.status,
        rows=batch.rows,
        progress=Progress(done=done, total=total, percent=percent),
        error_count=batch.error_count,
        errors=[RowError(row=e.row, column=e.column, message=e.message) for e in view.errors],
        created_at=batch.created_at,
        finished_at=batch.finished_at,
    )


@router.get("/imports/{import_id}/errors.csv", summary="Every error of a refused import, as CSV")
async def errors_csv(import_id: uuid.UUID, caller: CurrentCaller, work: WorkDep) -> Response:
    name, text = await imports.errors_csv(caller, work, import_id=import_id)
    return _csv(text, name)


@router.get("/export.csv", summary="A service's actuals of a period, in the import format")
async def export_csv(
    caller: CurrentCaller,
    work: WorkDep,
    service_id: uuid.UUID,
    start: Annotated[date, Query(alias="from", description="a day of the first week")],
    end: Annotated[date, Query(alias="to", description="a day of the last week")],
) -> Response:
    name, text = await imports.export_csv(caller, work, service_id=service_id, start=start, end=end)
    return _csv(text, name)


def _csv(text: str, name: str) -> Response:
    return Response(
        text.encode(), media_type=CSV, headers={"content-disposition": f'attachment; filename="{name}"'}
    )
