"""Use cases of the identity service, as plain async functions."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity.store import directory as store
from shared.bus import Outbox
from shared.events import OrganisationUpserted, make_envelope
from shared.logging import get_logger

log = get_logger(__name__)


async def upsert_organisation(
    *,
    pool: asyncpg.Pool,
    outbox: Outbox,
    authority_id: uuid.UUID,
    reference: str,
    name: str,
    active: bool,
    correlation_id: str | None,
) -> dict[str, Any]:
    """Save the organisation and publish its full state, in one transaction."""
    async with pool.acquire() as conn, conn.transaction():
        org = await store.upsert_organisation(
            conn=conn, authority_id=authority_id, reference=reference, name=name, active=active
        )
        event = OrganisationUpserted(**org)
        await outbox.add(
            conn,
            make_envelope(
                event,
                aggregate_id=org["organisation_id"],
                authority_id=authority_id,
                correlation_id=correlation_id,
            ),
        )
    log.info("organisation_upserted", organisation_id=str(org["organisation_id"]), revision=org["revision"])
    return org
