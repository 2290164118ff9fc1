"""Attachments: files uploaded to a service, kept in its own schema (or an S3-compatible object store
chosen by settings), checked from their content, and sent back only through an authorised route.

A service opts in with `platform_migrations=(..., ATTACHMENTS)`, takes `AttachmentSettings` into its
settings class, and keeps one `Attachments(<its schema>, settings)`:
- `save(conn, ...)` checks the upload (`check_upload`: size, kind from the content, name and declared
  type agreeing with it, and the kind one of those the use allows, e.g. `allowed=[PDF, JPEG, PNG, HEIC]`)
  and records it with its SHA-256; refusals are `AttachmentRefused`;
- `get`, `list_for`, `read` and `delete` take the caller's `Tenancy`: an attachment outside it is
  `AttachmentNotFound`, as a missing one; `read` checks the bytes against the SHA-256;
- `download_response(attachment, data)` is what the download route returns.
"""

from shared.attachments.backends import AttachmentStoreError
from shared.attachments.content import (
    CSV,
    DOCX,
    HEIC,
    JPEG,
    PDF,
    PNG,
    TEXT,
    XLSX,
    AttachmentRefused,
    Checked,
    check_upload,
    safe_filename,
)
from shared.attachments.content import Kind as AttachmentKind
from shared.attachments.download import download_response
from shared.attachments.settings import AttachmentBackend, AttachmentSettings
from shared.attachments.store import Attachment, AttachmentNotFound, Attachments

__all__ = [
    "CSV",
    "DOCX",
    "HEIC",
    "JPEG",
    "PDF",
    "PNG",
    "TEXT",
    "XLSX",
    "Attachment",
    "AttachmentBackend",
    "AttachmentKind",
    "AttachmentNotFound",
    "AttachmentRefused",
    "AttachmentSettings",
    "AttachmentStoreError",
    "Attachments",
    "Checked",
    "check_upload",
    "download_response",
    "safe_filename",
]
