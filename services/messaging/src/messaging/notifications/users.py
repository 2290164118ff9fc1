"""Identity's portal users, as messaging keeps them to address notifications (declared with the
projection kit: `identity.user.upserted` into `messaging.portal_user`, guarded by the revision).

The memberships are a list in the event: when the kit applied the state (the row now holds this
revision), the user's membership rows are replaced by the event's, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.bus import Subscription
from shared.events import Envelope, EventPayload, UserUpserted
from shared.projections import Projection

USER_COLUMNS = (
    "user_id",
    "authority_id",
    "email",
    "forename",
    "surname",
    "is_council",
    "active",
    "revision",
    "updated_at",
)

users = Projection.mirror(UserUpserted, "messaging", "portal_user", key="user_id", columns=USER_COLUMNS)


async def _replace_memberships(conn: asyncpg.Connection, events: Sequence[UserUpserted]) -> None:
    applied = await conn.fetch(
        "SELECT user_id, revision FROM messaging.portal_user WHERE user_id = ANY($1::uuid[])",
        [e.user_id for e in events],
    )
    current = {r["user_id"]: r["revision"] for r in applied}
    # The newest state of each user in the batch, and only when it is the one now kept.
    newest: dict[object, UserUpserted] = {}
    for e in events:
        if current.get(e.user_id) == e.revision:
            newest[e.user_id] = e
    if not newest:
        return
    await conn.execute(
        "DELETE FROM messaging.portal_user_membership WHERE user_id = ANY($1::uuid[])", list(newest)
    )
    await conn.executemany(
        "INSERT INTO messaging.portal_user_membership (user_id, organisation_id, role, scope_type, scope_id)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [
            (e.user_id, m.organisation_id, m.role, m.scope_type, m.scope_id)
            for e in newest.values()
            for m in e.memberships
        ],
    )


async def user_upserted(conn: asyncpg.Connection, envelope: Envelope, event: UserUpserted) -> None:
    await users.apply(conn, envelope, event)
    await _replace_memberships(conn, [event])


async def users_upserted(conn: asyncpg.Connection, events: Sequence[tuple[Envelope, EventPayload]]) -> None:
    await users.apply_many(conn, events)
    await _replace_memberships(conn, [e for _, e in events if isinstance(e, UserUpserted)])


def subscription() -> Subscription:
    return Subscription(UserUpserted, user_upserted, users_upserted)
