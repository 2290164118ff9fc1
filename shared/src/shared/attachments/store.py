"""Attachments of one service: checked on the way in, metadata in `<schema>.attachment`, bytes in the
backend the settings chose, every read within the caller's tenancy and checked against its SHA-256."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg
from pydantic import BaseModel, ConfigDict

from shared.attachments.backends import AttachmentStoreError, DatabaseContent
from shared.attachments.content import Kind, check_upload
from shared.attachments.settings import AttachmentBackend, AttachmentSettings
from shared.db import ident
from shared.errors import NotFound
from shared.logging import get_logger
from shared.tenancy import Tenancy

if TYPE_CHECKING:
    from shared.attachments.s3 import S3Content

log = get_logger(__name__)
OWNER_KIND = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")


class AttachmentNotFound(NotFound, LookupError):
    """No attachment with that id within the caller's tenancy."""


class Attachment(BaseModel):
    """A row of `<schema>.attachment`: what is known of a file, not its bytes."""

    model_config = ConfigDict(frozen=True)

    attachment_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    owner_kind: str  # what the file is attached to, e.g. "claim"
    owner_id: uuid.UUID
    filename: str  # safe: no path, no control characters
    content_type: str  # from the content, never as declared
    size_bytes: int
    sha256: str  # hex
    backend: AttachmentBackend
    created_at: datetime
    created_by: str


class Attachments:
    """`Attachments(<schema>, settings)`, one per service; writes go to the configured backend, reads
    to the backend each row was written to (so a change of backend leaves old files readable while
    the object store stays configured)."""

    def __init__(self, schema: str, settings: AttachmentSettings) -> None:
        self.table = f"{ident(schema)}.attachment"
        self.max_bytes = settings.attachments_max_bytes
        self.backends: dict[AttachmentBackend, DatabaseContent | S3Content] = {
            AttachmentBackend.database: DatabaseContent(schema)
        }
        if (
            settings.attachments_s3_bucket is not None
            and settings.attachments_s3_secret_access_key is not None
        ):
            from shared.attachments.s3 import S3Content  # boto3 only where an object store is configured

            self.backends[AttachmentBackend.s3] = S3Content(schema, settings)
        self.writer = self.backends[settings.attachments_backend]

    async def save(
        self,
        conn: asyncpg.Connection,
        *,
        authority_id: uuid.UUID,
        organisation_id: uuid.UUID | None,
        owner_kind: str,
        owner_id: uuid.UUID,
        filename: str,
        declared_type: str | None,
        data: bytes,
        created_by: str,
        allowed: Sequence[Kind] | None = None,
    ) -> Attachment:
        """Check and keep an upload (AttachmentRefused says why not); `allowed`: the kinds this use
        accepts, every kind of shared.attachments.content when None. The row and the bytes are
        written in one transaction (a savepoint inside the caller's), the bytes last: when they cannot
        be written, no row is left. An object written to the store whose transaction then rolls back
        is left behind, unreachable: no row names it."""
        if not OWNER_KIND.match(owner_kind):
            raise ValueError(f"owner_kind is lower-case letters, digits and . _ - , not {owner_kind!r}")
        checked = check_upload(
            data, filename=filename, declared_type=declared_type, max_bytes=self.max_bytes, allowed=allowed
        )
        async with conn.transaction():
            row = await conn.fetchrow(
                f"INSERT INTO {self.table} (attachment_id, authority_id, organisation_id, owner_kind,"
                " owner_id, filename, content_type, size_bytes, sha256, backend, created_by)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *",
                uuid.uuid4(),
                authority_id,
                organisation_id,
                owner_kind,
                owner_id,
                checked.filename,
                checked.content_type,
                checked.size,
                checked.sha256,
                self.writer.backend.value,
                created_by,
            )
            attachment = Attachment.model_validate(dict(row))
            await self.writer.put(conn, attachment.attachment_id, data, attachment.content_type)
        log.info(
            "attachment_saved",
            attachment_id=str(attachment.attachment_id),
            owner_kind=owner_kind,
            size_bytes=attachment.size_bytes,
            backend=attachment.backend.value,
        )
        return attachment

    async def get(
        self, conn: asyncpg.Connection | asyncpg.Pool, *, tenancy: Tenancy, attachment_id: uuid.UUID
    ) -> Attachment:
        where, params = tenancy.where(first_param=2)
        row = await conn.fetchrow(
            f"SELECT * FROM {self.table} WHERE attachment_id = $1 AND {where}", attachment_id, *params
        )
        if row is None:
            raise AttachmentNotFound(f"there is no attachment {attachment_id} that you can see")
        return Attachment.model_validate(dict(row))

    async def list_for(
        self,
        conn: asyncpg.Connection | asyncpg.Pool,
        *,
        tenancy: Tenancy,
        owner_kind: str,
        owner_id: uuid.UUID,
    ) -> list[Attachment]:
        """The attachments of one owner, oldest first (an owner has a handful, so no paging)."""
        where, params = tenancy.where(first_param=3)
        rows = await conn.fetch(
            f"SELECT * FROM {self.table} WHERE owner_kind = $1 AND owner_id = $2 AND {where}"
            " ORDER BY created_at, attachment_id",
            owner_kind,
            owner_id,
            *params,
        )
        return [Attachment.model_validate(dict(r)) for r in rows]

    async def delete(self, conn: asyncpg.Connection, *, tenancy: Tenancy, attachment_id: uuid.UUID) -> None:
        """Forget an attachment (replaced or removed by its owner), in the caller's transaction: its row
        and, in the database, its bytes (ON DELETE CASCADE). An object in the object store is left
        behind, unreachable, as after a rolled-back save: no row names it."""
        where, params = tenancy.where(first_param=2)
        status = await conn.execute(
            f"DELETE FROM {self.table} WHERE attachment_id = $1 AND {where}", attachment_id, *params
        )
        if status == "DELETE 0":
            raise AttachmentNotFound(f"there is no attachment {attachment_id} that you can see")
        log.info("attachment_deleted", attachment_id=str(attachment_id))

    async def read(
        self, conn: asyncpg.Connection | asyncpg.Pool, *, tenancy: Tenancy, attachment_id: uuid.UUID
    ) -> tuple[Attachment, bytes]:
        """The attachment and its bytes, exactly as uploaded (AttachmentStoreError if they are not)."""
        attachment = await self.get(conn, tenancy=tenancy, attachment_id=attachment_id)
        backend = self.backends.get(attachment.backend)
        if backend is None:
            raise AttachmentStoreError(
                f"attachment {attachment_id} is in the {attachment.backend.value} store, which is not configured"
            )
        data = await backend.get(conn, attachment_id)
        if len(data) != attachment.size_bytes or hashlib.sha256(data).hexdigest() != attachment.sha256:
            raise AttachmentStoreError(
                f"attachment {attachment_id}: its content no longer matches its SHA-256"
            )
        return attachment, data
