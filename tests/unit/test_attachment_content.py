"""Uploads are told from their bytes: each accepted kind, each refusal and its reason, the names files
are stored and sent under, and the settings that choose the store."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from shared.attachments import (
    HEIC,
    JPEG,
    PDF,
    PNG,
    AttachmentBackend,
    AttachmentRefused,
    AttachmentSettings,
    check_upload,
    safe_filename,
)
from shared.attachments.content import content_disposition
from shared.settings import ServiceSettings
from tests.support import uploads

LIMIT = 1024 * 1024


def check(data: bytes, filename: str, declared: str | None = None, *, max_bytes: int = LIMIT, allowed=None):
    return check_upload(data, filename=filename, declared_type=declared, max_bytes=max_bytes, allowed=allowed)


@pytest.mark.parametrize(
    ("data", "filename", "declared", "content_type"),
    [
        (uploads.PDF, "invoice.pdf", "application/pdf", "application/pdf"),
        (uploads.PNG, "photo.PNG", "image/png", "image/png"),
        (uploads.JPEG, "photo.jpeg", "image/jpeg", "image/jpeg"),
        (uploads.JPEG, "photo.jpg", None, "image/jpeg"),
        (uploads.HEIC, "IMG_0001.HEIC", "image/heic", "image/heic"),
        (uploads.HEIC, "IMG_0001.heic", None, "image/heic"),
        (uploads.HEIF, "photo.heif", "image/heif", "image/heic"),
        (uploads.iso_media(b"heix", b"mif1"), "photo.heic", None, "image/heic"),
        (uploads.iso_media(b"msf1", b"msf1", b"hevc"), "burst.heic", None, "image/heic"),
        (
            uploads.XLSX,
            "actuals.xlsx",
            None,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            uploads.DOCX,
            "letter.docx",
            "",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (uploads.CSV, "actuals.csv", "text/csv; charset=utf-8", "text/csv; charset=utf-8"),
        (uploads.CSV, "actuals.csv", "application/vnd.ms-excel", "text/csv; charset=utf-8"),
        (b"\xef\xbb\xbf" + uploads.CSV, "actuals.csv", None, "text/csv; charset=utf-8"),
        (uploads.WINDOWS_CSV, "actuals.csv", None, "text/csv; charset=windows-1252"),
        (b"notes\r\n\tindented\x0c", "notes.txt", "application/octet-stream", "text/plain; charset=utf-8"),
        (b"<Name> of the provider", "notes.txt", None, "text/plain; charset=utf-8"),
    ],
)
def test_accepted_kinds_are_stored_under_the_type_of_their_content(data, filename, declared, content_type):
    checked = check(data, filename, declared)
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "filename", "declared", "reason"),
    [
        (b"", "empty.pdf", None, "the file is empty"),
        (uploads.PDF, "run.exe", None, "files named .exe are not accepted (.csv, .docx, .heic, .heif, .jpeg"),
        (uploads.PDF, "README", None, "files named without an extension are not accepted"),
        (uploads.PDF, "page.html", None, "files named .html are not accepted"),
        (uploads.PNG, "invoice.pdf", None, "the file is named .pdf but its content is a PNG image"),
        (uploads.PDF, "actuals.csv", None, "the file is named .csv but its content is a PDF"),
        (uploads.CSV, "invoice.pdf", None, "the file is named .pdf but its content is a text file"),
        (uploads.DOCX, "actuals.xlsx", None, "the file is named .xlsx but its content is a Word document"),
        (uploads.PDF, "invoice.pdf", "image/png", "the file was sent as image/png but its content is a PDF"),
        (uploads.PDF, "invoice.pdf", "text/html", "the file was sent as text/html but its content is a PDF"),
        (
            uploads.CSV,
            "notes.txt",
            "text/csv",
            "the file was sent as text/csv but its content is a text file",
        ),
        (uploads.WINDOWS_EXE, "invoice.pdf", None, "the file is a Windows program"),
        (uploads.LINUX_EXE, "notes.txt", None, "the file is a program"),
        (uploads.OLD_WORD, "letter.docx", None, "the file is an old Office file (save it as .xlsx or .docx)"),
        (b"#!/bin/sh\nrm -rf ~\n", "notes.txt", None, "the file is a script"),
        (b"<!DOCTYPE html><p>hi", "notes.txt", None, "the file is HTML or XML, which is not accepted"),
        (b"\xef\xbb\xbf \n <script>alert(1)</script>", "a.csv", None, "the file is HTML or XML"),
        (b'<svg onload="alert(1)"/>', "a.txt", None, "the file is HTML or XML"),
        (b'<?xml version="1.0"?><x/>', "a.txt", None, "the file is HTML or XML"),
        (uploads.XLSM, "actuals.xlsx", None, "the document contains macros, which are not accepted"),
        (
            uploads.office("a.txt"),
            "actuals.xlsx",
            None,
            "the file is a ZIP archive, not an Excel or Word document",
        ),
        (b"PK\x03\x04 not really a zip", "actuals.xlsx", None, "the file is a damaged ZIP archive"),
        (b"\x00\x01\x02 binary", "actuals.csv", None, "the file's content is not a type accepted"),
        (uploads.HEIC, "photo.jpg", None, "the file is named .jpg but its content is a HEIC image"),
        (uploads.JPEG, "photo.heic", None, "the file is named .heic but its content is a JPEG image"),
        (uploads.HEIC, "photo.heic", "image/png", "the file was sent as image/png but its content is a HEIC"),
        (uploads.AVIF, "photo.heic", None, "the file is an AVIF image, which is not accepted"),
        (uploads.iso_media(b"mif1", b"avif"), "a.heic", None, "the file is an AVIF image"),
        (uploads.MP4, "clip.heic", None, "the file is a video or other media, which is not accepted"),
        (b"\x00\x00\x00\xffftypheic\x00\x00\x00\x00", "a.heic", None, "the file's content is not a type"),
        (b"caf\x81 text", "notes.txt", None, "the file's content is not a type accepted"),
    ],
)
def test_refusals_say_why(data, filename, declared, reason):
    with pytest.raises(AttachmentRefused) as refused:
        check(data, filename, declared)
    assert str(refused.value).startswith(reason)


CLAIMS = [PDF, JPEG, PNG, HEIC]
ACCEPTED_HERE = "(accepted here: a PDF, a JPEG image, a PNG image or a HEIC image)"


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (uploads.PDF, "receipt.pdf", "application/pdf"),
        (uploads.JPEG, "receipt.jpg", "image/jpeg"),
        (uploads.PNG, "receipt.png", "image/png"),
        (uploads.HEIC, "receipt.heic", "image/heic"),
    ],
)
def test_a_use_accepts_the_kinds_it_allows(data, filename, content_type):
    assert check(data, filename, allowed=CLAIMS).content_type == content_type


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (uploads.WINDOWS_EXE, "receipt.pdf", "the file is a Windows program"),
        (uploads.CSV, "receipt.pdf", "the file is named .pdf but its content is a text file"),
        (uploads.MP4, "receipt.heic", "the file is a video or other media"),
    ],
)
def test_a_refusal_of_a_kind_names_the_kinds_allowed(data, filename, reason):
    with pytest.raises(AttachmentRefused) as refused:
        check(data, filename, allowed=CLAIMS)
    assert str(refused.value).startswith(reason)
    assert str(refused.value).endswith(ACCEPTED_HERE)


@pytest.mark.parametrize("filename", ["letter.docx", "miles.csv"])
def test_a_name_not_accepted_lists_the_kinds_allowed_once_each_with_its_extensions(filename):
    with pytest.raises(AttachmentRefused) as refused:
        check(uploads.PDF, filename, allowed=CLAIMS)
    extension = filename.rpartition(".")[2]
    assert str(refused.value) == (
        f"files named .{extension} are not accepted (accepted here: a PDF (.pdf), a JPEG image (.jpeg, .jpg),"
        " a PNG image (.png) or a HEIC image (.heic, .heif))"
    )


def test_a_refusal_of_size_is_the_same_whatever_is_allowed():
    with pytest.raises(AttachmentRefused) as refused:
        check(uploads.PDF, "a.pdf", max_bytes=10, allowed=CLAIMS)
    assert str(refused.value) == f"the file is {len(uploads.PDF):,} bytes; the most accepted is 10"


def test_allowed_names_the_kits_kinds():
    with pytest.raises(ValueError, match="allowed names kinds"):
        check(uploads.PDF, "a.pdf", allowed=[])


def test_the_size_limit_is_the_settings():
    assert check(uploads.PDF, "a.pdf", max_bytes=len(uploads.PDF)).size == len(uploads.PDF)
    with pytest.raises(
        AttachmentRefused, match=f"the file is {len(uploads.PDF):,} bytes; the most accepted is 10"
    ):
        check(uploads.PDF, "a.pdf", max_bytes=10)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\sam\\Report.PDF", "Report.pdf"),
        ("inv\x00oi\nce\u202e.pdf", "invoice.pdf"),
        ('a<b>:"c"|?*.pdf', "abc.pdf"),
        (".pdf", "attachment.pdf"),
        ("  . invoice . pdf . ", "invoice.pdf"),
        ("Cafe\u0301 \u2013 M\u00e4rz.pdf", "Caf\u00e9 \u2013 M\u00e4rz.pdf"),
        ("x" * 300 + ".pdf", "x" * 150 + ".pdf"),
        ("no extension", "no extension"),
    ],
)
def test_stored_names_are_safe(given, stored):
    assert safe_filename(given) == stored


def test_a_download_is_named_in_ascii_and_in_utf8():
    assert (
        content_disposition("invoice.pdf")
        == "attachment; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf"
    )
    header = content_disposition('Caf\u00e9 "\u00a3" report.pdf')
    assert header == (
        "attachment; filename=\"Cafe __ report.pdf\"; filename*=UTF-8''Caf%C3%A9%20%22%C2%A3%22%20report.pdf"
    )
    assert "\r" not in content_disposition("a\r\nSet-Cookie: x=1.pdf")
    assert content_disposition("\u65e5\u672c.pdf").startswith('attachment; filename="attachment.pdf"')


def test_the_database_is_the_default_store():
    settings = AttachmentSettings()
    assert settings.attachments_backend is AttachmentBackend.database
    assert settings.attachments_max_bytes == 10 * 1024 * 1024


def test_the_object_store_needs_its_url_bucket_and_keys():
    complete = {
        "attachments_backend": "s3",
        "attachments_s3_endpoint_url": "http://127.0.0.1:9000",
        "attachments_s3_bucket": "portal-attachments",
        "attachments_s3_access_key_id": "key-id",
        "attachments_s3_secret_access_key": "secret",
    }
    assert AttachmentSettings(**complete).attachments_backend is AttachmentBackend.s3
    for missing in [k for k in complete if k != "attachments_backend"]:
        with pytest.raises(ValidationError, match=f"{missing} is required when attachments_backend is s3"):
            AttachmentSettings(**{k: v for k, v in complete.items() if k != missing})
    with pytest.raises(ValidationError, match="attachments_s3_bucket"):
        AttachmentSettings(**{**complete, "attachments_s3_bucket": "Not A Bucket"})


class ClaimsLikeSettings(ServiceSettings, AttachmentSettings):
    model_config = SettingsConfigDict(env_prefix="KITTEST_", extra="ignore")


def test_a_service_takes_the_settings_in_under_its_prefix(monkeypatch):
    monkeypatch.setenv("KITTEST_ATTACHMENTS_BACKEND", "s3")
    monkeypatch.setenv("KITTEST_ATTACHMENTS_MAX_BYTES", "2048")
    monkeypatch.setenv("KITTEST_ATTACHMENTS_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("KITTEST_ATTACHMENTS_S3_BUCKET", "claims-files")
    monkeypatch.setenv("KITTEST_ATTACHMENTS_S3_ACCESS_KEY_ID", "key-id")
    monkeypatch.setenv("KITTEST_ATTACHMENTS_S3_SECRET_ACCESS_KEY", "not-in-the-repr")
    settings = ClaimsLikeSettings(environment="development")
    assert (settings.attachments_backend, settings.attachments_max_bytes) == (AttachmentBackend.s3, 2048)
    assert settings.attachments_s3_bucket == "claims-files"
    assert "not-in-the-repr" not in repr(settings)
