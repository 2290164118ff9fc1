"""The forgotten-password request of the seeds (seed 000): stored, and published for the support team.

The answer is the same whether or not the e-mail belongs to an account; only the council sees which.
Nobody is verified: the handler takes the `Actor` (where the request comes from) in the caller's place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from identity.context import Context
from identity.handlers.common import authority_by_slug, enforce_limits, keeping_refusals, normalise_email
from identity.store import requests, users
from shared.events import PasswordResetRequested
from shared.uow import Actor


@dataclass(frozen=True)
class ResetForm:
    name: str
    organisation_name: str
    email: str
    phone: str


async def request_reset(actor: Actor, ctx: Context, *, authority_slug: str, form: ResetForm) -> uuid.UUID:
    """Store the request and publish it; the same work is done whether the e-mail is known or not."""
    email = normalise_email(form.email)
    async with keeping_refusals(ctx.work, actor) as uow:
        authority = await authority_by_slug(uow.conn, authority_slug)
        authority_id = authority.authority_id
        await enforce_limits(uow.conn, ctx, actor, purpose="reset", account=(str(authority_id), email))
    async with ctx.work.begin(actor) as uow:
        user = await users.get_user_by_email(conn=uow.conn, authority_id=authority_id, email=email)
        user_id = user.user_id if user else None
        request_id = uuid.uuid4()
        details = {
            "name": form.name,
            "organisation_name": form.organisation_name,
            "email": email,
            "phone": form.phone,
        }
        await requests.add_reset_request(
            conn=uow.conn,
            request_id=request_id,
            authority_id=authority_id,
            matched_user_id=user_id,
            **details,
        )
        event = PasswordResetRequested(
            request_id=request_id,
            authority_id=authority_id,
            user_id=user_id,
            requested_at=datetime.now(UTC),
            **details,
        )
        await uow.publish(event, aggregate_id=request_id, authority_id=authority_id)
        await uow.audit(
            "password_reset_requested",
            authority_id=authority_id,
            subject_id=user_id,
            request=request_id,
            known_account=user_id is not None,
        )
        uow.log("password_reset_requested", request_id=str(request_id))
    return request_id
