"""identity's events about a user, published in the business transaction (`uow.publish`, the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime

from identity.context import Context
from identity.handlers.common import memberships_of
from identity.store import users
from identity.store.users import User
from shared.events import MembershipState, TemporaryPasswordIssued, UserUpserted
from shared.uow import UnitOfWork


async def publish_user(uow: UnitOfWork, *, user: User, changed: bool = True) -> None:
    """The user's full state (no credentials). `changed`: bump the revision first (not on creation)."""
    version = await users.bump_revision(conn=uow.conn, user_id=user.user_id) if changed else user
    memberships = await memberships_of(uow.conn, user.user_id)
    event = UserUpserted(
        user_id=user.user_id,
        authority_id=user.authority_id,
        email=user.email,
        forename=user.forename,
        surname=user.surname,
        phone=user.phone,
        is_council=user.is_council,
        active=user.active,
        memberships=[MembershipState.model_validate(m.model_dump()) for m in memberships],
        revision=version.revision,
        updated_at=version.updated_at,
    )
    await uow.publish(event, aggregate_id=user.user_id, authority_id=user.authority_id)


async def publish_temporary_password(
    uow: UnitOfWork, ctx: Context, *, user: User, password: str, reason: str
) -> None:
    """For the messaging service to e-mail; sealed with the delivery key, bound to the user."""
    event = TemporaryPasswordIssued(
        user_id=user.user_id,
        authority_id=user.authority_id,
        email=user.email,
        forename=user.forename,
        surname=user.surname,
        reason=reason,
        sealed_password=ctx.delivery.seal_text(password, owner=user.user_id),
        issued_at=datetime.now(UTC),
    )
    await uow.publish(event, aggregate_id=user.user_id, authority_id=user.authority_id)
