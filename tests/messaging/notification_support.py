"""What the notification tests share: the messaging pool and settings of the run, portal users applied
through the projection's handler, a local SMTP sink, and a stub of GOV.UK Notify's send-email endpoint."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from devtools.mail_sink import MailSink, serving
from messaging.notifications import Recipient
from messaging.notifications.backends import SmtpBackend
from messaging.notifications.users import user_upserted
from shared import db
from shared.events import MembershipState, UserUpserted, make_envelope

SENDER = "Provider Portal <no-reply@portal.example>"


@asynccontextmanager
async def messaging_pool(env: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(env.dsn("messaging"), min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def smtp_sink(**options: Any) -> AsyncIterator[tuple[MailSink, SmtpBackend]]:
    """A real aiosmtpd sink on a free port, and an SMTP backend sending to it."""
    sink = MailSink(**options)
    async with serving(sink) as port:
        backend = SmtpBackend(host="127.0.0.1", port=port, sender=SENDER)
        try:
            yield sink, backend
        finally:
            await backend.close()


def user_state(
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    email: str,
    scope: tuple[str, uuid.UUID] | None = None,
    revision: int = 1,
    active: bool = True,
    user_id: uuid.UUID | None = None,
    role: str = "full",
) -> UserUpserted:
    scope_type, scope_id = scope or ("organisation", organisation_id)
    return UserUpserted(
        user_id=user_id or uuid.uuid4(),
        authority_id=authority_id,
        email=email,
        forename="Dawn",
        surname="Stockton",
        is_council=False,
        active=active,
        memberships=[
            MembershipState(
                organisation_id=organisation_id,
                role=role,  # type: ignore[arg-type]
                can_edit=True,
                scope_type=scope_type,  # type: ignore[arg-type]
                scope_id=scope_id,
            )
        ],
        revision=revision,
        updated_at=datetime.now(UTC),
    )


async def apply_user(conn: asyncpg.Connection, event: UserUpserted) -> None:
    """What messaging's consumer does with identity.user.upserted, in one transaction."""
    async with conn.transaction():
        await user_upserted(
            conn, make_envelope(event, aggregate_id=event.user_id, authority_id=event.authority_id), event
        )


def addressed(sink: MailSink, *addresses: str) -> list[str]:
    """The To of every mail the sink kept for these addresses, in arrival order (repeats kept)."""
    wanted = set(addresses)
    return [str(m["To"]) for m in sink.messages() if str(m["To"]) in wanted]


def mailbox(label: str) -> Recipient:
    return Recipient(address=f"{label}-{uuid.uuid4().hex[:8]}@council.example")


# --- a stub of GOV.UK Notify: POST /v2/notifications/email as its API documentation describes ---------


def notify_stub(*, service_id: str, secret: str, template_id: str) -> tuple[FastAPI, list[dict[str, Any]]]:
    """The send-email endpoint: a JWT (HS256, `iss` the service id, `iat` recent) signed with the key's
    secret; a JSON body with email_address, template_id and personalisation; 201 and the notification,
    or 400/403 with Notify's error shape."""
    app = FastAPI()
    received: list[dict[str, Any]] = []

    def error(status: int, kind: str, message: str) -> JSONResponse:
        return JSONResponse(
            {"status_code": status, "errors": [{"error": kind, "message": message}]}, status_code=status
        )

    @app.post("/v2/notifications/email")
    async def send_email(request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(header[7:], secret, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.PyJWTError:
            return error(403, "AuthError", "Invalid token: signature, api token not found")
        if claims["iss"] != service_id or abs(datetime.now(UTC).timestamp() - claims["iat"]) > 30:
            return error(403, "AuthError", "Invalid token: iss or iat")
        body = await request.json()
        if body.get("template_id") != template_id:
            return error(400, "BadRequestError", "Template not found")
        if "@" not in str(body.get("email_address", "")):
            return error(400, "ValidationError", "email_address Not a valid email address")
        personalisation = body.get("personalisation") or {}
        if set(personalisation) < {"subject", "body"}:
            return error(400, "BadRequestError", "Missing personalisation: subject, body")
        received.append(body)
        notification_id = str(uuid.uuid4())
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "id": notification_id,
                "reference": body.get("reference"),
                "content": {
                    "subject": personalisation["subject"],
                    "body": personalisation["body"],
                    "from_email": "provider.portal@notifications.service.gov.uk",
                },
                "uri": f"{base}/v2/notifications/{notification_id}",
                "template": {"id": template_id, "version": 1, "uri": f"{base}/v2/template/{template_id}"},
            },
            status_code=201,
        )

    return app, received
