"""Publishing identity's events in the business transaction (the outbox)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from identity.context import Caller, Context
from identity.store import memberships as membership_store
from identity.store import users
from shared.events import EventPayload, MembershipState, TemporaryPasswordIssued, UserUpserted, make_envelope


async def publish(
    conn: asyncpg.Connection,
    ctx: Context,
    caller: Caller,
    event: EventPayload,
    *,
    aggregate_id: uuid.UUID | str,
    authority_id: uuid.UUID,
) -> None:
    envelope = make_envelope(
        event, aggregate_id=aggregate_id, authority_id=authority_id, correlation_id=caller.request_id
    )
    await ctx.outbox.add(conn, envelope)


async def publish_user(
    conn: asyncpg.Connection, ctx: Context, caller: Caller, *, user: dict[str, Any], changed: bool = True
) -> None:
    """The user's full state (no credentials). `changed`: bump the revision first (not on creation)."""
    version = await users.bump_revision(conn=conn, user_id=user["user_id"]) if changed else user
    memberships = await membership_store.list_memberships(conn=conn, user_id=user["user_id"])
    event = UserUpserted(
        user_id=user["user_id"],
        authority_id=user["authority_id"],
        email=user["email"],
        forename=user["forename"],
        surname=user["surname"],
        phone=user["phone"],
        is_council=user["is_council"],
        active=user["active"],
        memberships=[MembershipState.model_validate(m.model_dump()) for m in memberships],
        revision=version["revision"],
        updated_at=version["updated_at"],
    )
    await publish(conn, ctx, caller, event, aggregate_id=user["user_id"], authority_id=user["authority_id"])


async def publish_temporary_password(
    conn: asyncpg.Connection,
    ctx: Context,
    caller: Caller,
    *,
    user: dict[str, Any],
    password: str,
    reason: str,
) -> None:
    """For the messaging service to e-mail; sealed with the delivery key, bound to the user."""
    event = TemporaryPasswordIssued(
        user_id=user["user_id"],
        authority_id=user["authority_id"],
        email=user["email"],
        forename=user["forename"],
        surname=user["surname"],
        reason=reason,
        sealed_password=ctx.delivery.seal_text(password, owner=user["user_id"]),
        issued_at=datetime.now(UTC),
    )
    await publish(conn, ctx, caller, event, aggregate_id=user["user_id"], authority_id=user["authority_id"])
