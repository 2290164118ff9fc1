"""Report downloads into the access audit log: the reports service publishes each download, identity
keeps the log that council admins read (DESIGN.md "Security model")."""

from __future__ import annotations

import uuid

import asyncpg

from shared.bus import Outbox
from shared.events import Envelope, ReportArtifactDownloaded
from shared.uow import Actor, Work

# The consumer holds the connection, in its transaction (with the inbox row): a Work without a pool.
WORK = Work(None, Outbox("identity"))


async def record_download(
    conn: asyncpg.Connection, envelope: Envelope, event: ReportArtifactDownloaded
) -> None:
    """One `report_downloaded` entry by whoever downloaded, about the user who did (when a user did)."""
    actor = Actor(
        kind=event.actor_kind,
        id=event.downloaded_by,
        address=event.client_address,
        request_id=event.request_id,
    )
    async with WORK.within(conn, actor) as uow:
        await uow.audit(
            "report_downloaded",
            authority_id=event.authority_id,
            subject_id=_user_id(event),
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
