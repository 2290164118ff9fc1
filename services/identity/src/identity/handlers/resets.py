"""The forgotten-password request of the seeds (seed 000): stored, and published for the support team.

The answer is the same whether or not the e-mail belongs to an account; only the council sees which.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from identity.context import Caller, Context
from identity.handlers.common import authority_by_slug, enforce_limits, normalise_email, record
from identity.store import requests, users
from shared.events import PasswordResetRequested, make_envelope
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class ResetForm:
    name: str
    organisation_name: str
    email: str
    phone: str


async def request_reset(ctx: Context, caller: Caller, *, authority_slug: str, form: ResetForm) -> uuid.UUID:
    """Store the request and publish it; the same work is done whether the e-mail is known or not."""
    email = normalise_email(form.email)
    async with ctx.pool.acquire() as conn:
        authority = await authority_by_slug(conn, authority_slug)
        authority_id = authority["authority_id"]
        await enforce_limits(conn, ctx, caller, purpose="reset", account=(str(authority_id), email))
        async with conn.transaction():
            user = await users.get_user_by_email(conn=conn, authority_id=authority_id, email=email)
            user_id = user["user_id"] if user else None
            request_id = uuid.uuid4()
            await requests.add_reset_request(
                conn=conn,
                request_id=request_id,
                authority_id=authority_id,
                name=form.name,
                organisation_name=form.organisation_name,
                email=email,
                phone=form.phone,
                matched_user_id=user_id,
            )
            event = PasswordResetRequested(
                request_id=request_id,
                authority_id=authority_id,
                name=form.name,
                organisation_name=form.organisation_name,
                email=email,
                phone=form.phone,
                user_id=user_id,
                requested_at=datetime.now(UTC),
            )
            await ctx.outbox.add(
                conn,
                make_envelope(
                    event,
                    aggregate_id=request_id,
                    authority_id=authority_id,
                    correlation_id=caller.request_id,
                ),
            )
            await record(
                conn,
                caller,
                authority_id=authority_id,
                action="password_reset_requested",
                subject_user_id=user_id,
                request=request_id,
                known_account=user_id is not None,
            )
    log.info("password_reset_requested", request_id=str(request_id))
    return request_id
