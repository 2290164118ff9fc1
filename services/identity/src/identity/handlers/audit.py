"""The council's reading of the access audit log (entries are written by every unit of work)."""

from __future__ import annotations

import uuid
from datetime import datetime

from identity import errors
from identity.context import Context
from identity.handlers.common import require_council
from identity.store import audit, users
from identity.store.audit import AuditEntry
from shared.uow import Caller


async def read_audit(
    caller: Caller,
    ctx: Context,
    *,
    user_id: uuid.UUID | None,
    action: str | None,
    since: datetime | None,
    before_id: int | None,
    limit: int,
    offset: int,
) -> list[AuditEntry]:
    """Entries of the caller's authority, newest first, optionally about one of its users or of one
    action; `before_id`: only older than that entry."""
    principal = caller.principal
    require_council(principal, "only the council can read the audit log")
    async with ctx.work.read() as conn:
        if user_id is not None and not await users.get_user(
            conn=conn, authority_id=principal.authority_id, user_id=user_id
        ):
            raise errors.not_found("user")
        return await audit.list_audit(
            conn=conn,
            authority_id=principal.authority_id,
            subject_user_id=user_id,
            action=action,
            since=since,
            before_id=before_id,
            limit=limit,
            offset=offset,
        )
