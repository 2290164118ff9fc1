"""Attachments' bytes in an S3-compatible object store, one object per attachment. Reached with boto3, in
a worker thread (its client is synchronous and thread-safe), so the event loop never waits on it; uploads
are bounded by `attachments_max_bytes`. Imported only by a service whose settings name a bucket
(`shared.attachments.store`)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shared.attachments.backends import AttachmentStoreError
from shared.attachments.settings import AttachmentBackend, AttachmentSettings


class S3Content:
    """Bytes in a bucket, one object per attachment, named `<schema>/<attachment id>`."""

    backend = AttachmentBackend.s3

    def __init__(self, schema: str, settings: AttachmentSettings) -> None:
        assert settings.attachments_s3_access_key_id and settings.attachments_s3_secret_access_key
        self.prefix = schema
        self.bucket = str(settings.attachments_s3_bucket)
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=str(settings.attachments_s3_endpoint_url),
            region_name=settings.attachments_s3_region,
            aws_access_key_id=settings.attachments_s3_access_key_id.get_secret_value(),
            aws_secret_access_key=settings.attachments_s3_secret_access_key.get_secret_value(),
            config=Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"mode": "standard", "max_attempts": 3},
                # Path-style URLs and checksums only where required: what S3-compatible stores
                # (MinIO, Ceph and the like) all understand. The SHA-256 of the metadata is checked
                # on every read anyway.
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                # The endpoint is the setting's, never one from the process environment.
                ignore_configured_endpoint_urls=True,
            ),
        )

    def key(self, attachment_id: uuid.UUID) -> str:
        return f"{self.prefix}/{attachment_id}"

    async def put(
        self, conn: asyncpg.Connection, attachment_id: uuid.UUID, data: bytes, content_type: str
    ) -> None:
        key = self.key(attachment_id)
        try:
            await asyncio.to_thread(
                self.client.put_object, Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
            )
        except (BotoCoreError, ClientError) as exc:
            raise AttachmentStoreError(f"attachment {attachment_id}: {_answer(exc)} on writing") from exc

    async def get(self, conn: asyncpg.Connection | asyncpg.Pool, attachment_id: uuid.UUID) -> bytes:
        try:
            return await asyncio.to_thread(self._read, self.key(attachment_id))
        except (BotoCoreError, ClientError) as exc:
            raise AttachmentStoreError(f"attachment {attachment_id}: {_answer(exc)} on reading") from exc

    def _read(self, key: str) -> bytes:
        answer = self.client.get_object(Bucket=self.bucket, Key=key)
        return bytes(answer["Body"].read())


def _answer(exc: BotoCoreError | ClientError) -> str:
    """What the object store said, in a few words (its error code, or the failure's class)."""
    if isinstance(exc, ClientError):
        return f"the object store answered {exc.response.get('Error', {}).get('Code', 'an error')}"
    return f"the object store could not be reached ({type(exc).__name__})"
