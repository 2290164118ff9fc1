"""Report downloads into the access audit log: the reports service publishes each download, identity
keeps the log that council admins read (DESIGN.md "Security model")."""

from __future__ import annotations

import uuid

import asyncpg

from identity.context import Caller
from identity.handlers.common import record
from shared.events import Envelope, ReportArtifactDownloaded


async def record_download(
    conn: asyncpg.Connection, envelope: Envelope, event: ReportArtifactDownloaded
) -> None:
    """One `report_downloaded` entry, about the user who downloaded (when a user did)."""
    caller = Caller(
        address=event.client_address,
        request_id=event.request_id,
        actor_kind=event.actor_kind,
        actor_id=event.downloaded_by,
    )
    await record(
        conn,
        caller,
        authority_id=event.authority_id,
        action="report_downloaded",
        subject_user_id=_user_id(event),
        organisation_id=event.organisation_id,
        run_id=event.run_id,
        report=event.report,
        format=event.format,
        filename=event.filename,
        role=event.role,
        downloaded_at=event.downloaded_at.isoformat(),
    )


def _user_id(event: ReportArtifactDownloaded) -> uuid.UUID | None:
    if event.actor_kind != "user":
        return None
    try:
        return uuid.UUID(event.downloaded_by)
    except ValueError:
        return None
