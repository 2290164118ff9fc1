"""The one file of an item, through the attachments kit (shared.attachments): checked from its content
against the kinds a claim takes, kept in the claims schema within the claim's transaction, read back
only within the caller's tenancy and through the item that holds it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from claims.domain.rules import ATTACHMENT_KINDS
from claims.store.records import ClaimRow
from shared.attachments import Attachment, AttachmentRefused, Attachments, AttachmentSettings, check_upload
from shared.auth import Principal
from shared.errors import Invalid
from shared.tenancy import Tenancy

OWNER_KIND = "claim_item"


@dataclass(frozen=True)
class Upload:
    """A file as it came in a form: its name, the type the client declared, its bytes."""

    filename: str
    declared_type: str | None
    data: bytes


class ClaimFiles:
    """The claims service's attachments: one per process, made from its settings."""

    def __init__(self, settings: AttachmentSettings) -> None:
        self.kit = Attachments("claims", settings)

    @property
    def max_bytes(self) -> int:
        return self.kit.max_bytes

    def check(self, upload: Upload) -> None:
        """Refuse (422 naming `attachment`) a file a claim does not take, before anything is written."""
        try:
            check_upload(
                upload.data,
                filename=upload.filename,
                declared_type=upload.declared_type,
                max_bytes=self.kit.max_bytes,
                allowed=ATTACHMENT_KINDS,
            )
        except AttachmentRefused as refused:
            raise Invalid.field("attachment", str(refused), code="attachment-refused") from refused

    async def save(
        self,
        conn: asyncpg.Connection,
        principal: Principal,
        claim: ClaimRow,
        item_id: uuid.UUID,
        upload: Upload,
    ) -> Attachment:
        try:
            return await self.kit.save(
                conn,
                authority_id=claim.authority_id,
                organisation_id=claim.organisation_id,
                owner_kind=OWNER_KIND,
                owner_id=item_id,
                filename=upload.filename,
                declared_type=upload.declared_type,
                data=upload.data,
                created_by=principal.subject,
                allowed=ATTACHMENT_KINDS,
            )
        except AttachmentRefused as refused:
            raise Invalid.field("attachment", str(refused), code="attachment-refused") from refused

    async def forget(self, conn: asyncpg.Connection, principal: Principal, attachment_id: uuid.UUID) -> None:
        await self.kit.delete(conn, tenancy=Tenancy.of(principal), attachment_id=attachment_id)

    async def read(
        self, conn: asyncpg.Connection, principal: Principal, attachment_id: uuid.UUID
    ) -> tuple[Attachment, bytes]:
        return await self.kit.read(conn, tenancy=Tenancy.of(principal), attachment_id=attachment_id)
