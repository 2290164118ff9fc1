"""Attachments in the database (the default): kept with their SHA-256 in a schema of the test's own
(platform migration `ATTACHMENTS`), read back only within the caller's tenancy and only whole, and sent
by a download route as a download under a safe name."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Response

from shared.attachments import (
    HEIC,
    JPEG,
    PDF,
    PNG,
    Attachment,
    AttachmentBackend,
    AttachmentNotFound,
    AttachmentRefused,
    Attachments,
    AttachmentSettings,
    AttachmentStoreError,
    download_response,
)
from shared.migrations import ATTACHMENTS
from shared.tenancy import Tenancy
from tests.support import uploads
from tests.support.kit_schema import KitSchema, kit_schema

AUTHORITY = uuid.uuid4()
ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()
A, B, COUNCIL = Tenancy(AUTHORITY, ORG_A), Tenancy(AUTHORITY, ORG_B), Tenancy(AUTHORITY, None)
CLAIM = uuid.uuid4()


@pytest.fixture
async def kit(env) -> AsyncIterator[KitSchema]:
    async with kit_schema(env, ATTACHMENTS) as schema:
        yield schema


@pytest.fixture
def attachments(kit) -> Attachments:
    return Attachments(kit.schema, AttachmentSettings())


async def save(
    kit,
    attachments,
    data=uploads.PDF,
    filename="invoice.pdf",
    *,
    tenancy=A,
    declared=None,
    owner=CLAIM,
    allowed=None,
):
    async with kit.pool.acquire() as conn:
        return await attachments.save(
            conn,
            authority_id=tenancy.authority_id,
            organisation_id=tenancy.organisation_id,
            owner_kind="claim",
            owner_id=owner,
            filename=filename,
            declared_type=declared,
            data=data,
            created_by="user-1",
            allowed=allowed,
        )


async def count(kit, table: str) -> int:
    return int(await kit.pool.fetchval(f"SELECT count(*) FROM {kit.schema}.{table}"))


async def test_an_upload_is_kept_in_the_schema_with_its_sha256(kit, attachments):
    assert kit.applied == ["platform/0003_attachments.sql"]
    saved = await save(
        kit, attachments, uploads.CSV, "../Actuals Nov.CSV", declared="application/vnd.ms-excel"
    )
    assert isinstance(saved, Attachment)
    assert (saved.filename, saved.content_type, saved.size_bytes) == (
        "Actuals Nov.csv",
        "text/csv; charset=utf-8",
        len(uploads.CSV),
    )
    assert saved.sha256 == hashlib.sha256(uploads.CSV).hexdigest()
    assert (saved.backend, saved.owner_kind, saved.owner_id, saved.created_by) == (
        AttachmentBackend.database,
        "claim",
        CLAIM,
        "user-1",
    )
    stored = await kit.pool.fetchval(
        f"SELECT content FROM {kit.schema}.attachment_content WHERE attachment_id = $1", saved.attachment_id
    )
    assert stored == uploads.CSV
    assert await attachments.read(kit.pool, tenancy=A, attachment_id=saved.attachment_id) == (
        saved,
        uploads.CSV,
    )


async def test_a_refused_upload_leaves_nothing(kit, attachments):
    with pytest.raises(AttachmentRefused, match=r"the file is named \.pdf but its content is a PNG image"):
        await save(kit, attachments, uploads.PNG, "invoice.pdf")
    with pytest.raises(AttachmentRefused, match="the most accepted is 16"):
        await save(kit, Attachments(kit.schema, AttachmentSettings(attachments_max_bytes=16)), uploads.PDF)
    with pytest.raises(ValueError, match="owner_kind is lower-case letters"):
        async with kit.pool.acquire() as conn:
            await Attachments(kit.schema, AttachmentSettings()).save(
                conn,
                authority_id=AUTHORITY,
                organisation_id=ORG_A,
                owner_kind="Claim; --",
                owner_id=CLAIM,
                filename="a.pdf",
                declared_type=None,
                data=uploads.PDF,
                created_by="u",
            )
    assert (await count(kit, "attachment"), await count(kit, "attachment_content")) == (0, 0)


async def test_a_use_keeps_only_the_kinds_it_allows(kit, attachments):
    receipts = [PDF, JPEG, PNG, HEIC]
    photo = await save(kit, attachments, uploads.HEIC, "IMG_0042.HEIC", allowed=receipts)
    assert (photo.filename, photo.content_type) == ("IMG_0042.heic", "image/heic")
    with pytest.raises(
        AttachmentRefused,
        match=r"\(accepted here: a PDF \(\.pdf\), a JPEG image \(\.jpeg, \.jpg\), a PNG image \(\.png\) or a HEIC",
    ):
        await save(kit, attachments, uploads.DOCX, "receipt.docx", allowed=receipts)
    assert await count(kit, "attachment") == 1


async def test_a_deleted_attachment_is_gone_with_its_bytes_and_only_within_the_tenancy(kit, attachments):
    kept = await save(kit, attachments, uploads.PDF, "kept.pdf")
    gone = await save(kit, attachments, uploads.PNG, "gone.png")
    async with kit.pool.acquire() as conn:
        with pytest.raises(AttachmentNotFound):
            await attachments.delete(conn, tenancy=B, attachment_id=gone.attachment_id)
        await attachments.delete(conn, tenancy=A, attachment_id=gone.attachment_id)
        with pytest.raises(AttachmentNotFound):
            await attachments.delete(conn, tenancy=A, attachment_id=gone.attachment_id)
    with pytest.raises(AttachmentNotFound):
        await attachments.read(kit.pool, tenancy=A, attachment_id=gone.attachment_id)
    assert (await count(kit, "attachment"), await count(kit, "attachment_content")) == (1, 1)
    assert (await attachments.read(kit.pool, tenancy=A, attachment_id=kept.attachment_id))[1] == uploads.PDF


async def test_an_upload_rolled_back_with_its_business_transaction_leaves_nothing(kit, attachments):
    with pytest.raises(RuntimeError, match="the claim could not be saved"):
        async with kit.pool.acquire() as conn, conn.transaction():
            await attachments.save(
                conn,
                authority_id=AUTHORITY,
                organisation_id=ORG_A,
                owner_kind="claim",
                owner_id=CLAIM,
                filename="invoice.pdf",
                declared_type="application/pdf",
                data=uploads.PDF,
                created_by="user-1",
            )
            raise RuntimeError("the claim could not be saved")
    assert (await count(kit, "attachment"), await count(kit, "attachment_content")) == (0, 0)


async def test_another_tenants_attachment_is_not_found(kit, attachments):
    saved = await save(kit, attachments, tenancy=A)
    for outsider in (B, Tenancy(uuid.uuid4(), ORG_A), Tenancy(uuid.uuid4(), None)):
        with pytest.raises(
            AttachmentNotFound, match=f"there is no attachment {saved.attachment_id} that you can see"
        ):
            await attachments.read(kit.pool, tenancy=outsider, attachment_id=saved.attachment_id)
        with pytest.raises(AttachmentNotFound):
            await attachments.get(kit.pool, tenancy=outsider, attachment_id=saved.attachment_id)
        assert (
            await attachments.list_for(kit.pool, tenancy=outsider, owner_kind="claim", owner_id=CLAIM) == []
        )
    assert (await attachments.read(kit.pool, tenancy=COUNCIL, attachment_id=saved.attachment_id))[0] == saved


async def test_an_owner_lists_its_attachments_oldest_first_within_the_tenancy(kit, attachments):
    first = await save(kit, attachments, uploads.PDF, "a.pdf")
    second = await save(kit, attachments, uploads.JPEG, "b.jpg")
    await save(kit, attachments, uploads.PNG, "other-claim.png", owner=uuid.uuid4())
    of_council = await save(kit, attachments, uploads.DOCX, "decision.docx", tenancy=COUNCIL)
    listed = await attachments.list_for(kit.pool, tenancy=A, owner_kind="claim", owner_id=CLAIM)
    assert listed == [first, second]
    everyone = await attachments.list_for(kit.pool, tenancy=COUNCIL, owner_kind="claim", owner_id=CLAIM)
    assert everyone == [first, second, of_council]
    assert await attachments.list_for(kit.pool, tenancy=A, owner_kind="dispute", owner_id=CLAIM) == []


async def test_bytes_changed_or_lost_in_the_store_are_never_served(kit, attachments):
    changed = await save(kit, attachments, uploads.PDF, "a.pdf")
    await kit.pool.execute(
        f"UPDATE {kit.schema}.attachment_content SET content = $2 WHERE attachment_id = $1",
        changed.attachment_id,
        uploads.PDF.replace(b"Catalog", b"Catalox"),
    )
    with pytest.raises(AttachmentStoreError, match="its content no longer matches its SHA-256"):
        await attachments.read(kit.pool, tenancy=A, attachment_id=changed.attachment_id)
    lost = await save(kit, attachments, uploads.PNG, "b.png")
    await kit.pool.execute(
        f"DELETE FROM {kit.schema}.attachment_content WHERE attachment_id = $1", lost.attachment_id
    )
    with pytest.raises(AttachmentStoreError, match="its content is missing from the database"):
        await attachments.read(kit.pool, tenancy=A, attachment_id=lost.attachment_id)


async def test_a_file_in_an_object_store_no_longer_configured_is_an_operators_error(kit, attachments):
    saved = await save(kit, attachments)
    await kit.pool.execute(
        f"UPDATE {kit.schema}.attachment SET backend = 's3' WHERE attachment_id = $1", saved.attachment_id
    )
    with pytest.raises(AttachmentStoreError, match="is in the s3 store, which is not configured"):
        await attachments.read(kit.pool, tenancy=A, attachment_id=saved.attachment_id)


def caller_tenancy(
    x_authority: Annotated[str, Header()], x_organisation: Annotated[str, Header()]
) -> Tenancy:
    """The test's stand-in for `Tenancy.of(principal)` of the verified caller."""
    return Tenancy(uuid.UUID(x_authority), uuid.UUID(x_organisation))


def download_api(kit: KitSchema, attachments: Attachments) -> FastAPI:
    app = FastAPI()

    @app.get("/attachments/{attachment_id}")
    async def download(
        attachment_id: uuid.UUID, tenancy: Annotated[Tenancy, Depends(caller_tenancy)]
    ) -> Response:
        try:
            attachment, data = await attachments.read(kit.pool, tenancy=tenancy, attachment_id=attachment_id)
        except AttachmentNotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        return download_response(attachment, data)

    return app


async def download(kit, attachments, attachment_id, tenancy=A) -> httpx.Response:
    headers = {"x-authority": str(tenancy.authority_id), "x-organisation": str(tenancy.organisation_id)}
    transport = httpx.ASGITransport(app=download_api(kit, attachments))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get(f"/attachments/{attachment_id}", headers=headers)


async def test_the_download_route_sends_a_download_never_a_page(kit, attachments):
    saved = await save(
        kit, attachments, uploads.PDF, 'C:\\fakepath\\Caf\u00e9 "Nov".pdf', declared="application/pdf"
    )
    answer = await download(kit, attachments, saved.attachment_id)
    assert answer.status_code == 200
    assert answer.content == uploads.PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"Cafe Nov.pdf\"; filename*=UTF-8''Caf%C3%A9%20Nov.pdf"
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["content-security-policy"] == "default-src 'none'; sandbox"
    text = await save(kit, attachments, uploads.WINDOWS_CSV, "actuals.csv")
    assert (await download(kit, attachments, text.attachment_id)).headers["content-type"] == (
        "text/csv; charset=windows-1252"
    )
    assert (await download(kit, attachments, saved.attachment_id, tenancy=B)).status_code == 404
