"""A user's own notification preference: "no non-essential e-mails" (docs/messaging.md "Notifications").

Only a person has one: the caller's verified token names them (its subject is their user id, for the
caller's authority), never an id from the request. Essential mails (an action assigned to you, a reply on
one) are always sent; the sender reads the preference when a non-essential mail is due.
"""

from __future__ import annotations

import uuid

from shared.auth import PrincipalKind
from shared.errors import Forbidden
from shared.uow import Caller, Work


def _user_id(caller: Caller) -> uuid.UUID:
    principal = caller.principal
    if principal.kind is not PrincipalKind.user:
        raise Forbidden(
            "notification preferences belong to a person: an API key or a council system has none",
            code="not-a-person",
        )
    try:
        return uuid.UUID(principal.subject)
    except ValueError as exc:  # a signed token of a user always carries their id
        raise Forbidden("the caller is not a portal user", code="not-a-person") from exc


async def non_essential_off(caller: Caller, work: Work) -> bool:
    user_id = _user_id(caller)
    async with work.read() as conn:
        found = await conn.fetchval(
            "SELECT non_essential_off FROM messaging.notification_preference"
            " WHERE user_id = $1 AND authority_id = $2",
            user_id,
            caller.principal.authority_id,
        )
    return bool(found)


async def set_non_essential_off(caller: Caller, work: Work, *, off: bool) -> bool:
    user_id = _user_id(caller)
    authority_id = caller.principal.authority_id
    async with work.begin(caller.actor) as uow:
        await uow.conn.execute(
            "INSERT INTO messaging.notification_preference (user_id, authority_id, non_essential_off)"
            " VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET non_essential_off ="
            " EXCLUDED.non_essential_off, updated_at = now()"
            " WHERE notification_preference.authority_id = EXCLUDED.authority_id",
            user_id,
            authority_id,
            off,
        )
        await uow.audit(
            "notification_preference_changed",
            authority_id=authority_id,
            subject_id=user_id,
            non_essential_off=off,
        )
        uow.log("notification_preference_changed", non_essential_off=off)
    return off
