"""The files of a thread, through the attachments kit (shared.attachments): checked from their content,
kept in the messaging schema within the post's transaction, read back only within the caller's tenancy
and through an action the caller can see."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from messaging.store.records import ActionRow
from shared.attachments import (
    CSV,
    DOCX,
    HEIC,
    JPEG,
    PDF,
    PNG,
    TEXT,
    XLSX,
    Attachment,
    AttachmentRefused,
    Attachments,
    AttachmentSettings,
    check_upload,
)
from shared.auth import Principal
from shared.errors import Invalid, NotFound
from shared.tenancy import Tenancy

OWNER_KIND = "action"
# What a query comes with: a letter, a scan or photo, a spreadsheet of payments, a note.
KINDS = (PDF, JPEG, PNG, HEIC, XLSX, DOCX, CSV, TEXT)


@dataclass(frozen=True)
class NewFile:
    """A file sent with a New Action, read whole (within the limit) before the action is made."""

    filename: str
    declared_type: str | None
    data: bytes


class ActionFiles:
    """The messaging service's attachments: one per process, made from its settings."""

    def __init__(self, settings: AttachmentSettings) -> None:
        self.kit = Attachments("messaging", settings)

    @property
    def max_bytes(self) -> int:
        return self.kit.max_bytes

    def check(self, file: NewFile) -> None:
        """Refuse a file before anything is written, naming it: a New Action with a refused file is not
        made (every fault of the form is listed at once, the file's with the rest)."""
        try:
            check_upload(
                file.data,
                filename=file.filename,
                declared_type=file.declared_type,
                max_bytes=self.max_bytes,
                allowed=KINDS,
            )
        except AttachmentRefused as refused:
            raise Invalid.field(
                "attachment", f"{file.filename}: {refused}", code="attachment-refused"
            ) from refused

    def refusals(self, new_files: Sequence[NewFile]) -> list[Invalid]:
        """Each refused file's refusal (`check`), to list with the form's other faults."""
        refused = []
        for new_file in new_files:
            try:
                self.check(new_file)
            except Invalid as refusal:
                refused.append(refusal)
        return refused

    async def save(
        self,
        conn: asyncpg.Connection,
        principal: Principal,
        action: ActionRow,
        *,
        filename: str,
        declared_type: str | None,
        data: bytes,
    ) -> Attachment:
        try:
            return await self.kit.save(
                conn,
                authority_id=action.authority_id,
                organisation_id=action.organisation_id,
                owner_kind=OWNER_KIND,
                owner_id=action.action_id,
                filename=filename,
                declared_type=declared_type,
                data=data,
                created_by=principal.subject,
                allowed=KINDS,
            )
        except AttachmentRefused as refused:
            raise Invalid.field("attachment", str(refused), code="attachment-refused") from refused

    async def of_action(self, conn: asyncpg.Connection, action: ActionRow) -> list[Attachment]:
        """The action's files (the action was found within the caller's scope first)."""
        tenancy = Tenancy(authority_id=action.authority_id, organisation_id=action.organisation_id)
        return await self.kit.list_for(
            conn, tenancy=tenancy, owner_kind=OWNER_KIND, owner_id=action.action_id
        )

    async def read(
        self, conn: asyncpg.Connection, action: ActionRow, attachment_id: uuid.UUID
    ) -> tuple[Attachment, bytes]:
        """One file of the action: 404 for a file of another action, even within the tenancy."""
        tenancy = Tenancy(authority_id=action.authority_id, organisation_id=action.organisation_id)
        attachment, data = await self.kit.read(conn, tenancy=tenancy, attachment_id=attachment_id)
        if attachment.owner_kind != OWNER_KIND or attachment.owner_id != action.action_id:
            raise NotFound.of("attachment")
        return attachment, data
