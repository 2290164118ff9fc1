"""Where the bytes of an attachment are kept: a bytea table of the service's schema (here), or an
S3-compatible object store (`shared.attachments.s3`, imported only where one is configured: boto3 takes
about a third of a second to import, in every process that has attachments). Neither is ever under a
path a web server serves: bytes leave only through a route that checked the caller
(`shared.attachments.download`).
"""

from __future__ import annotations

import uuid

import asyncpg

from shared.attachments.settings import AttachmentBackend
from shared.db import ident
from shared.errors import Unavailable


class AttachmentStoreError(Unavailable, RuntimeError):
    """The bytes of an attachment could not be written or read back whole (missing, changed, the
    object store unreachable or refusing): an operator's problem, not the caller's."""


class DatabaseContent:
    """Bytes in `<schema>.attachment_content`, written in the same transaction as the metadata."""

    backend = AttachmentBackend.database

    def __init__(self, schema: str) -> None:
        self.table = f"{ident(schema)}.attachment_content"

    async def put(
        self, conn: asyncpg.Connection, attachment_id: uuid.UUID, data: bytes, content_type: str
    ) -> None:
        await conn.execute(
            f"INSERT INTO {self.table} (attachment_id, content) VALUES ($1, $2)", attachment_id, data
        )

    async def get(self, conn: asyncpg.Connection | asyncpg.Pool, attachment_id: uuid.UUID) -> bytes:
        data = await conn.fetchval(
            f"SELECT content FROM {self.table} WHERE attachment_id = $1", attachment_id
        )
        if data is None:
            raise AttachmentStoreError(
                f"attachment {attachment_id}: its content is missing from the database"
            )
        return bytes(data)
