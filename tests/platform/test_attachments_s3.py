"""Attachments in an S3-compatible object store (moto's server, a real HTTP server on the loopback):
the bytes go to the bucket, the metadata stays in the service's schema, reads are checked against the
SHA-256, and a store that fails leaves no row behind."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from shared.attachments import AttachmentBackend, Attachments, AttachmentSettings, AttachmentStoreError
from shared.migrations import ATTACHMENTS
from shared.tenancy import Tenancy
from tests.support import uploads
from tests.support.inprocess import dead_url
from tests.support.kit_schema import KitSchema, kit_schema
from tests.support.object_store import REGION, ObjectStore, object_store_server

A = Tenancy(uuid.uuid4(), uuid.uuid4())
CLAIM = uuid.uuid4()


@pytest.fixture(scope="module")
def store() -> Iterator[ObjectStore]:
    with object_store_server() as server:
        yield server


@pytest.fixture
def bucket(store) -> str:
    name = f"portal-{secrets.token_hex(4)}"
    store.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


@pytest.fixture
async def kit(env) -> AsyncIterator[KitSchema]:
    async with kit_schema(env, ATTACHMENTS) as schema:
        yield schema


async def save(kit, attachments, data=uploads.PDF, filename="invoice.pdf"):
    async with kit.pool.acquire() as conn:
        return await attachments.save(
            conn,
            authority_id=A.authority_id,
            organisation_id=A.organisation_id,
            owner_kind="claim",
            owner_id=CLAIM,
            filename=filename,
            declared_type=None,
            data=data,
            created_by="user-1",
        )


async def test_the_bytes_go_to_the_bucket_and_the_metadata_to_the_schema(kit, store, bucket):
    attachments = Attachments(kit.schema, AttachmentSettings(**store.settings(bucket)))
    saved = await save(kit, attachments, uploads.XLSX, "actuals.xlsx")
    assert saved.backend is AttachmentBackend.s3
    key = f"{kit.schema}/{saved.attachment_id}"
    stored = store.client().get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == uploads.XLSX
    assert stored["ContentType"] == saved.content_type
    assert await kit.pool.fetchval(f"SELECT count(*) FROM {kit.schema}.attachment_content") == 0
    row = await kit.pool.fetchrow(f"SELECT backend, sha256 FROM {kit.schema}.attachment")
    assert (row["backend"], row["sha256"]) == ("s3", saved.sha256)
    assert await attachments.read(kit.pool, tenancy=A, attachment_id=saved.attachment_id) == (
        saved,
        uploads.XLSX,
    )


async def test_changed_or_missing_objects_are_never_served(kit, store, bucket):
    attachments = Attachments(kit.schema, AttachmentSettings(**store.settings(bucket)))
    changed, lost = await save(kit, attachments), await save(kit, attachments, uploads.PNG, "b.png")
    client = store.client()
    client.put_object(Bucket=bucket, Key=f"{kit.schema}/{changed.attachment_id}", Body=uploads.PDF + b" ")
    client.delete_object(Bucket=bucket, Key=f"{kit.schema}/{lost.attachment_id}")
    with pytest.raises(AttachmentStoreError, match="its content no longer matches its SHA-256"):
        await attachments.read(kit.pool, tenancy=A, attachment_id=changed.attachment_id)
    with pytest.raises(
        AttachmentStoreError, match=f"attachment {lost.attachment_id}: the object store answered NoSuchKey"
    ):
        await attachments.read(kit.pool, tenancy=A, attachment_id=lost.attachment_id)


async def test_a_store_that_refuses_or_is_away_leaves_no_row(kit, store, bucket):
    no_bucket = Attachments(kit.schema, AttachmentSettings(**store.settings("no-such-bucket")))
    with pytest.raises(AttachmentStoreError, match="the object store answered NoSuchBucket on writing"):
        await save(kit, no_bucket)
    away = Attachments(
        kit.schema, AttachmentSettings(**store.settings(bucket, attachments_s3_endpoint_url=dead_url()))
    )
    with pytest.raises(
        AttachmentStoreError, match=r"the object store could not be reached \(EndpointConnectionError\)"
    ):
        await save(kit, away)
    assert await kit.pool.fetchval(f"SELECT count(*) FROM {kit.schema}.attachment") == 0


async def test_a_change_of_backend_leaves_the_files_already_kept_readable(kit, store, bucket):
    in_s3 = Attachments(kit.schema, AttachmentSettings(**store.settings(bucket)))
    back_to_database = Attachments(
        kit.schema, AttachmentSettings(**store.settings(bucket, attachments_backend="database"))
    )
    database_only = Attachments(kit.schema, AttachmentSettings())
    old = await save(kit, database_only, uploads.CSV, "old.csv")
    new = await save(kit, in_s3, uploads.JPEG, "new.jpg")
    newest = await save(kit, back_to_database, uploads.DOCX, "newest.docx")
    assert (old.backend, new.backend, newest.backend) == (
        AttachmentBackend.database,
        AttachmentBackend.s3,
        AttachmentBackend.database,
    )
    for attachments in (in_s3, back_to_database):
        for saved, data in ((old, uploads.CSV), (new, uploads.JPEG), (newest, uploads.DOCX)):
            assert (await attachments.read(kit.pool, tenancy=A, attachment_id=saved.attachment_id))[1] == data
