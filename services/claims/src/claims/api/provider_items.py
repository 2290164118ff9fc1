"""The items of a provider's draft claim, sent as multipart/form-data with their one file (as a GOV.UK
page's form sends them), and the file's download through its item."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from claims.api.deps import FilesDep
from claims.handlers import items
from claims.handlers.attachments import Upload
from claims.handlers.items import ItemEntry
from shared.attachments import download_response
from shared.errors import Invalid
from shared.events.claims import ClaimState
from shared.form_text import not_text_field, refuse_not_text
from shared.http import CurrentCaller
from shared.service import WorkDep
from shared.whole_numbers import whole_number

provider_items_api = APIRouter(prefix="/api/v1/claims/claims/{claim_id}/items", tags=["one-off claims"])
FORM_ROOM = 64 * 1024  # the form's own fields and boundaries around the file
FIELDS = ("version", "kind", "description", "service_level_id", "client_id", "quantity", "unit_cost")
ITEM_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["version", "description", "service_level_id", "quantity"],
                    "properties": {
                        "version": {"type": "integer", "description": "the claim's version you started from"},
                        "kind": {
                            "type": "string",
                            "enum": ["client", "provider"],
                            "description": "on add only",
                        },
                        "description": {"type": "string", "maxLength": 200},
                        "service_level_id": {"type": "string", "format": "uuid"},
                        "client_id": {"type": "string", "format": "uuid", "description": "client items only"},
                        "quantity": {
                            "type": "string",
                            "examples": ["150"],
                            "description": "at most 2 places",
                        },
                        "unit_cost": {
                            "type": "string",
                            "description": "at-cost levels only: pounds and pence",
                        },
                        "attachment": {
                            "type": "string",
                            "format": "binary",
                            "description": "PDF, JPEG, PNG or HEIC",
                        },
                        "attachment_action": {"type": "string", "enum": ["keep", "replace", "remove"]},
                    },
                }
            }
        },
    }
}


def _too_large(limit: int) -> Invalid:
    return Invalid.field(
        "attachment",
        f"the file is too large: the most accepted is {limit:,} bytes ({limit / 1048576:g} MB)",
        code="attachment-too-large",
    )


async def _form(request: Request, limit: int) -> tuple[dict[str, str], Upload | None, str]:
    """The form's fields, its file (None when no file was chosen) and the attachment action. A body
    larger than the file limit allows is refused while it is read, before the rest arrives."""
    content_type = request.headers.get("content-type") or ""
    # A form without a file may come url-encoded (a client sends it so when no file is chosen).
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise Invalid.field("body", "send the item as multipart/form-data", code="not-a-form")
    room = limit + FORM_ROOM
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > room:
        raise _too_large(limit)
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > room:
            raise _too_large(limit)
        return message

    limited = Request(request.scope, receive=counted)
    not_text = await not_text_field(limited, max_files=3, max_fields=20)
    if not_text is not None:
        raise refuse_not_text(not_text)
    async with limited.form(max_files=3, max_fields=20) as form:
        return _fields(form), await _upload(form, limit), str(form.get("attachment_action") or "keep")


def _fields(form: FormData) -> dict[str, str]:
    fields = {}
    for name in FIELDS:
        value = form.get(name)
        if isinstance(value, UploadFile):
            raise Invalid.field(name, "is a field, not a file")
        if value is not None:
            fields[name] = value
    return fields


async def _upload(form: FormData, limit: int) -> Upload | None:
    parts = [p for p in form.getlist("attachment") if isinstance(p, UploadFile) and (p.filename or p.size)]
    if len(parts) > 1:
        raise Invalid.field(
            "attachment", "send one file: an item has one attachment", code="one-attachment-per-item"
        )
    if not parts:
        return None
    part = parts[0]
    data = await part.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return Upload(filename=part.filename or "attachment", declared_type=part.content_type, data=data)


def _version(fields: dict[str, str]) -> int:
    version = whole_number(fields.get("version", ""))
    if version is None or version < 1:
        raise Invalid.field("version", "send the claim's version you started from (a whole number)")
    return version


def _entry(fields: dict[str, str], upload: Upload | None, action: str) -> ItemEntry:
    return ItemEntry(
        version=_version(fields),
        description=fields.get("description"),
        service_level_id=fields.get("service_level_id"),
        client_id=fields.get("client_id"),
        quantity=fields.get("quantity"),
        unit_cost=fields.get("unit_cost"),
        attachment=upload,
        attachment_action=action,
    )


@provider_items_api.post(
    "",
    response_model=ClaimState,
    status_code=201,
    summary="Add a client or provider item, with its attachment",
    openapi_extra=ITEM_FORM,
)
async def add_item(
    claim_id: uuid.UUID, request: Request, caller: CurrentCaller, work: WorkDep, files: FilesDep
) -> ClaimState:
    fields, upload, _ = await _form(request, files.max_bytes)
    entry = _entry(fields, upload, "keep")
    return await items.add_item(
        caller, work, claim_id=claim_id, kind=fields.get("kind"), entry=entry, files=files
    )


@provider_items_api.put(
    "/{item_id}",
    response_model=ClaimState,
    summary="Change an item; keep, replace or remove its attachment",
    openapi_extra=ITEM_FORM,
)
async def change_item(
    claim_id: uuid.UUID,
    item_id: uuid.UUID,
    request: Request,
    caller: CurrentCaller,
    work: WorkDep,
    files: FilesDep,
) -> ClaimState:
    fields, upload, action = await _form(request, files.max_bytes)
    entry = _entry(fields, upload, action)
    return await items.change_item(caller, work, claim_id=claim_id, item_id=item_id, entry=entry, files=files)


@provider_items_api.delete(
    "/{item_id}", response_model=ClaimState, summary="Remove an item and its attachment"
)
async def remove_item(
    claim_id: uuid.UUID,
    item_id: uuid.UUID,
    caller: CurrentCaller,
    work: WorkDep,
    files: FilesDep,
    version: Annotated[int, Query(ge=1, description="the claim's version you started from")],
) -> ClaimState:
    return await items.remove_item(
        caller, work, claim_id=claim_id, item_id=item_id, version=version, files=files
    )


@provider_items_api.get(
    "/{item_id}/attachment",
    summary="Download an item's attachment",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file, as a download"}},
)
async def download_attachment(
    claim_id: uuid.UUID, item_id: uuid.UUID, caller: CurrentCaller, work: WorkDep, files: FilesDep
) -> Response:
    attachment, data = await items.item_attachment(
        caller, work, claim_id=claim_id, item_id=item_id, files=files
    )
    return download_response(attachment, data)
