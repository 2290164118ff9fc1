"""Notifications end to end: identity's user event through the real broker into messaging's worker, whose
sender mails a queued notification to a real SMTP sink once, across a redelivery of the event and a
repeated queue; the opt-out of non-essential mails through the API; the GOV.UK Notify backend against a
stub of its documented send-email endpoint."""

from __future__ import annotations

import asyncio
import secrets
import uuid

from devtools.mail_sink import MailSink, serving
from messaging.notifications import provider_recipients, queue
from messaging.notifications.backends import NotifyBackend
from messaging.notifications.sender import send_due
from shared import db
from shared.auth import PrincipalKind
from shared.bus import Outbox, OutboxRelay
from shared.events import make_envelope
from shared.service import run_worker
from tests.messaging.notification_support import (
    addressed,
    apply_user,
    mailbox,
    messaging_pool,
    notify_stub,
    user_state,
)
from tests.support.inprocess import eventually, serve
from tests.support.scratch import robust_connection

API = "/api/v1/messaging/notification-preferences"


async def test_the_worker_learns_the_user_from_the_broker_and_mails_them_once_across_a_redelivery(env):
    from messaging.main import DEFINITION as MESSAGING

    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    address = f"carer-{uuid.uuid4().hex[:8]}@carer.example"
    user = user_state(authority_id=authority_id, organisation_id=organisation_id, email=address)
    envelope = make_envelope(user, aggregate_id=user.user_id, authority_id=authority_id)
    sink = MailSink()
    identity = await db.create_pool(env.dsn("identity"), min_size=1, max_size=1)
    try:
        async with (
            serving(sink) as port,
            robust_connection(env.amqp_url) as broker,
            messaging_pool(env) as pool,
        ):
            relay = OutboxRelay(
                pool=identity, schema="identity", connection=broker, events_exchange="portal.events"
            )
            async with identity.acquire() as conn, conn.transaction():
                await Outbox("identity").add(conn, envelope)
            settings = env.settings(
                MESSAGING, send_notifications=True, sink_port=port, notification_poll_seconds=0.1
            )
            stop = asyncio.Event()
            worker = asyncio.create_task(run_worker(MESSAGING, settings, stop=stop, relay=False))
            try:
                await relay.relay_once()

                async def known():
                    async with pool.acquire() as conn:
                        return await provider_recipients(
                            conn, authority_id=authority_id, organisation_id=organisation_id
                        )

                recipients = await eventually(known, timeout=20)
                key = f"action:{uuid.uuid4()}:reply:2"
                for _ in range(2):  # the actions handler run twice for one event
                    async with pool.acquire() as conn, conn.transaction():
                        await queue(
                            conn,
                            authority_id=authority_id,
                            key=key,
                            recipients=recipients,
                            subject="Reply on action A-7",
                            body="It is waiting for you.",
                            essential=True,
                        )
                await eventually(lambda: _sent(pool, authority_id), timeout=20)
                # The user event delivered again (an outbox replay): applied once, nothing more is mailed.
                async with identity.acquire() as conn:
                    await conn.execute(
                        "UPDATE identity.outbox SET published_at = NULL WHERE event_id = $1",
                        envelope.event_id,
                    )
                assert await relay.relay_once() >= 1
                await asyncio.sleep(1.0)  # time for the consumer and a few rounds of the sender
            finally:
                stop.set()
                await worker
            async with pool.acquire() as conn:
                rows = await conn.fetch(
                    "SELECT status FROM messaging.notification WHERE authority_id = $1", authority_id
                )
    finally:
        await identity.close()
    assert addressed(sink, address) == [address]
    assert [r["status"] for r in rows] == ["sent"]


async def _sent(pool, authority_id):
    async with pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM messaging.notification WHERE authority_id = $1 AND status = 'sent'",
            authority_id,
        )


async def test_opting_out_suppresses_non_essential_mails_only(env):
    from messaging.main import DEFINITION as MESSAGING
    from shared.service import create_api

    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    address = f"opted-{uuid.uuid4().hex[:8]}@carer.example"
    user = user_state(authority_id=authority_id, organisation_id=organisation_id, email=address)
    token = env.token(authority_id=authority_id, organisation_id=organisation_id, subject=str(user.user_id))
    headers = {"authorization": f"Bearer {token}"}
    async with serve(create_api(MESSAGING, env.settings(MESSAGING))) as api, messaging_pool(env) as pool:
        before = await api.get(API, headers=headers)
        changed = await api.put(API, headers=headers, json={"non_essential_emails": False})
        after = await api.get(API, headers=headers)
        bad = await api.put(API, headers=headers, json={"non_essential_emails": "sometimes"})
        key_token = env.token(
            authority_id=authority_id, organisation_id=organisation_id, kind=PrincipalKind.api_key
        )
        machine = await api.put(
            API, headers={"authorization": f"Bearer {key_token}"}, json={"non_essential_emails": False}
        )
        async with pool.acquire() as conn:
            await apply_user(conn, user)
            recipients = await provider_recipients(
                conn, authority_id=authority_id, organisation_id=organisation_id
            )
            for kind, essential in (("assigned", True), ("overdue", False)):
                async with conn.transaction():
                    await queue(
                        conn,
                        authority_id=authority_id,
                        key=f"action:{uuid.uuid4()}:{kind}",
                        recipients=recipients,
                        subject=f"Action A-9 {kind}",
                        body="See the portal.",
                        essential=essential,
                    )
        sink = MailSink()
        async with serving(sink) as port:
            from messaging.notifications.backends import SmtpBackend

            backend = SmtpBackend(host="127.0.0.1", port=port, sender="portal@portal.example")
            done = await send_due(
                pool, backend, batch_size=10, retry_delays=[30.0], authority_id=authority_id
            )
            await backend.close()
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT kind, status FROM messaging.notification WHERE authority_id = $1 ORDER BY kind",
                authority_id,
            )
            audit = await conn.fetchval(
                "SELECT count(*) FROM messaging.audit_event WHERE action = 'notification_preference_changed'"
                " AND subject_id = $1",
                user.user_id,
            )
    assert (before.status_code, before.json()) == (200, {"non_essential_emails": True})
    assert (changed.status_code, changed.json()) == (200, {"non_essential_emails": False})
    assert after.json() == {"non_essential_emails": False}
    assert bad.status_code == 422 and "non_essential_emails" in bad.text
    assert machine.status_code == 403 and "not-a-person" in machine.text
    assert (done.sent, done.suppressed) == (1, 1)
    assert [m["Subject"] for m in sink.messages()] == ["Action A-9 assigned"]
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("essential", "sent"),
        ("non_essential", "suppressed"),
    ]
    assert audit == 1


async def test_the_notify_backend_sends_through_the_documented_endpoint_and_a_refusal_fails_the_mail(env):
    service_id, secret, template_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    app, received = notify_stub(service_id=service_id, secret=secret, template_id=template_id)
    authority_id = uuid.uuid4()
    good, refused = mailbox("notify"), mailbox("refused")
    async with serve(app) as stub, messaging_pool(env) as pool:
        base_url = str(stub.base_url)
        backend = NotifyBackend(
            api_key=f"portal_test-{service_id}-{secret}", template_id=template_id, base_url=base_url
        )
        wrong_template = NotifyBackend(
            api_key=f"portal_test-{service_id}-{secret}", template_id=str(uuid.uuid4()), base_url=base_url
        )
        wrong_key = NotifyBackend(
            api_key=f"portal_test-{service_id}-{uuid.uuid4()}", template_id=template_id, base_url=base_url
        )
        async with pool.acquire() as conn:
            for recipient, key in ((good, "a"), (refused, "b")):
                async with conn.transaction():
                    await queue(
                        conn,
                        authority_id=authority_id,
                        key=f"action:{key}{secrets.token_hex(4)}",
                        recipients=[recipient],
                        subject="Action A-3 is overdue",
                        body="See the portal.",
                        essential=True,
                    )
            # The wrong key is refused (403): tried again later; the wrong template (400) fails for good.
            await conn.execute(
                "UPDATE messaging.notification SET next_attempt_at = now() + interval '1 hour'"
                " WHERE recipient_address = $1",
                refused.address,
            )
            unauthorised = await send_due(
                pool, wrong_key, batch_size=5, retry_delays=[0.0], authority_id=authority_id
            )
            sent = await send_due(pool, backend, batch_size=5, retry_delays=[30.0], authority_id=authority_id)
            await conn.execute(
                "UPDATE messaging.notification SET next_attempt_at = now() WHERE recipient_address = $1",
                refused.address,
            )
            failed = await send_due(
                pool, wrong_template, batch_size=5, retry_delays=[30.0], authority_id=authority_id
            )
            rows = {
                r["recipient_address"]: r
                for r in await conn.fetch(
                    "SELECT recipient_address, status, attempts, last_error FROM messaging.notification"
                    " WHERE authority_id = $1",
                    authority_id,
                )
            }
        for b in (backend, wrong_template, wrong_key):
            await b.close()
    assert (unauthorised.retried, sent.sent, failed.failed) == (1, 1, 1)
    (body,) = received
    assert body["email_address"] == good.address
    assert body["template_id"] == template_id
    assert body["personalisation"] == {"subject": "Action A-3 is overdue", "body": "See the portal."}
    assert len(body["reference"]) == 40
    assert (rows[good.address]["status"], rows[good.address]["attempts"]) == ("sent", 2)
    assert rows[refused.address]["status"] == "failed"
    assert "400" in rows[refused.address]["last_error"]
