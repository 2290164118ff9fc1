"""The notification outbox and its sender against a real aiosmtpd sink and the run's PostgreSQL: one mail
per recipient, none twice for a repeated call or a sender killed after claiming, the same Message-ID in
the at-least-once window, retries after an SMTP failure, and failures for good."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from messaging.notifications import (
    NotificationRefused,
    Recipient,
    assigned_mail,
    message_id,
    provider_recipients,
    queue,
    team_recipients,
)
from messaging.notifications.sender import send_due
from tests.messaging.notification_support import (
    addressed,
    apply_user,
    mailbox,
    messaging_pool,
    smtp_sink,
    user_state,
)

DELAYS = [30.0, 120.0]


async def rows_of(conn, authority_id):
    return await conn.fetch(
        "SELECT recipient_address, status, attempts, last_error, sent_at, next_attempt_at > now() AS later"
        " FROM messaging.notification WHERE authority_id = $1 ORDER BY recipient_address",
        authority_id,
    )


async def queue_one(conn, authority_id, recipients, *, key=None, essential=True, subject="Action A-1 waits"):
    async with conn.transaction():
        return await queue(
            conn,
            authority_id=authority_id,
            key=key or f"action:{uuid.uuid4()}:assigned:1",
            recipients=recipients,
            subject=subject,
            body="An action is waiting for you.",
            essential=essential,
        )


async def test_each_recipient_gets_one_mail_and_a_repeated_call_queues_nothing(env):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with messaging_pool(env) as pool, pool.acquire() as conn, smtp_sink() as (sink, backend):
        first = user_state(
            authority_id=authority_id, organisation_id=organisation_id, email="a@carer.example"
        )
        second = user_state(
            authority_id=authority_id, organisation_id=organisation_id, email="b@carer.example"
        )
        for user in (first, second):
            await apply_user(conn, user)
        people = await provider_recipients(conn, authority_id=authority_id, organisation_id=organisation_id)
        team = team_recipients("payments-team@council.example")
        mail = assigned_mail(
            reference="A-000123",
            action_type="Payments Message",
            provider_name="Sausage Sandwich Fostering",
            assigned_to="Payments",
            due=None,
            link="http://localhost:8000/actions/x",
        )
        key = f"action:{uuid.uuid4()}:assigned:1"

        async def tell() -> int:
            async with conn.transaction():
                return await queue(
                    conn,
                    authority_id=authority_id,
                    key=key,
                    recipients=[*people, *team, *team],  # the same mailbox twice: one mail
                    subject=mail.subject,
                    body=mail.body,
                    essential=mail.essential,
                )

        assert await tell() == 3
        assert await tell() == 0  # the handler run again for the same event (a redelivery)
        done = await send_due(pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id)
        again = await send_due(pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id)
        rows = await rows_of(conn, authority_id)

    assert (done.claimed, done.sent, again.claimed) == (3, 3, 0)
    assert sorted(addressed(sink, "a@carer.example", "b@carer.example", "payments-team@council.example")) == [
        "a@carer.example",
        "b@carer.example",
        "payments-team@council.example",
    ]
    assert [(r["status"], r["attempts"], r["sent_at"] is not None) for r in rows] == [("sent", 1, True)] * 3
    message = next(m for m in sink.messages() if m["To"] == "a@carer.example")
    assert message["Message-ID"] == message_id(f"{key}/{first.user_id}", "x@portal.example")
    assert message["Subject"] == "Action A-000123 is waiting for Payments"
    assert "Sausage Sandwich Fostering" in message.get_content()


async def test_the_providers_recipients_are_its_active_users_within_the_actions_scope(env):
    authority_id, organisation_id, contract_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with messaging_pool(env) as pool, pool.acquire() as conn:
        whole = user_state(
            authority_id=authority_id, organisation_id=organisation_id, email="whole@p.example"
        )
        contract = user_state(
            authority_id=authority_id,
            organisation_id=organisation_id,
            email="contract@p.example",
            scope=("contract", contract_id),
        )
        other_contract = user_state(
            authority_id=authority_id,
            organisation_id=organisation_id,
            email="elsewhere@p.example",
            scope=("contract", uuid.uuid4()),
        )
        closed = user_state(
            authority_id=authority_id, organisation_id=organisation_id, email="closed@p.example", active=False
        )
        # Roles that cannot open an action are not told of one; Care Management is.
        finance, admin, care = (
            user_state(
                authority_id=authority_id, organisation_id=organisation_id, email=f"{r}@p.example", role=r
            )
            for r in ("finance", "admin", "care")
        )
        for user in (whole, contract, other_contract, closed, finance, admin, care):
            await apply_user(conn, user)
        about_contract = await provider_recipients(
            conn, authority_id=authority_id, organisation_id=organisation_id, scope_ids=[contract_id]
        )
        about_provider = await provider_recipients(
            conn, authority_id=authority_id, organisation_id=organisation_id
        )
        other_council = await provider_recipients(
            conn, authority_id=uuid.uuid4(), organisation_id=organisation_id
        )
        # A newer state moves the user to another organisation; an older one arriving late changes nothing.
        moved = user_state(
            authority_id=authority_id,
            organisation_id=uuid.uuid4(),
            email="whole@p.example",
            user_id=whole.user_id,
            revision=3,
        )
        late = whole.model_copy(update={"revision": 2})
        await apply_user(conn, moved)
        await apply_user(conn, late)
        after_move = await provider_recipients(
            conn, authority_id=authority_id, organisation_id=organisation_id
        )

    assert [r.address for r in about_contract] == ["care@p.example", "contract@p.example", "whole@p.example"]
    assert [r.address for r in about_provider] == ["care@p.example", "whole@p.example"]
    assert other_council == []
    assert [r.address for r in after_move] == ["care@p.example"]  # whole@ moved away
    assert about_provider[1] == Recipient(address="whole@p.example", user_id=whole.user_id)


async def test_a_sender_killed_after_claiming_leaves_each_mail_to_the_next_which_sends_it_once(env):
    authority_id = uuid.uuid4()
    team = mailbox("brokerage")

    async def killed(conn, rows):
        conn.terminate()  # the process dies holding its claim: the server ends the transaction
        raise ConnectionError("killed after claiming")

    async with messaging_pool(env) as pool, pool.acquire() as conn, smtp_sink() as (sink, backend):
        await queue_one(conn, authority_id, [team])
        with pytest.raises((ConnectionError, asyncpg.InterfaceError)):
            await send_due(
                pool,
                backend,
                batch_size=10,
                retry_delays=DELAYS,
                authority_id=authority_id,
                after_claim=killed,
            )
        assert addressed(sink, team.address) == []
        done = await send_due(pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id)
        rows = await rows_of(conn, authority_id)
    assert done.sent == 1
    assert addressed(sink, team.address) == [team.address]
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 1)]


async def test_a_sender_killed_after_sending_and_before_its_commit_sends_again_with_the_same_message_id(env):
    # The documented at-least-once window (messaging.notifications.sender): a receiver that de-duplicates
    # on Message-ID shows one mail.
    authority_id = uuid.uuid4()
    team = mailbox("payments")

    async def killed(conn, rows):
        conn.terminate()
        raise ConnectionError("killed before the commit")

    async with messaging_pool(env) as pool, pool.acquire() as conn, smtp_sink() as (sink, backend):
        await queue_one(conn, authority_id, [team])
        with pytest.raises((ConnectionError, asyncpg.InterfaceError)):
            await send_due(
                pool,
                backend,
                batch_size=10,
                retry_delays=DELAYS,
                authority_id=authority_id,
                after_send=killed,
            )
        await send_due(pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id)
        rows = await rows_of(conn, authority_id)
    copies = [m for m in sink.messages() if m["To"] == team.address]
    assert len(copies) == 2
    assert len({m["Message-ID"] for m in copies}) == 1
    assert [r["status"] for r in rows] == ["sent"]


async def test_an_smtp_failure_is_tried_again_after_the_back_off_and_then_sent(env):
    authority_id = uuid.uuid4()
    team = mailbox("finance")
    async with (
        messaging_pool(env) as pool,
        pool.acquire() as conn,
        smtp_sink(refuse_next=1) as (sink, backend),
    ):
        await queue_one(conn, authority_id, [team])
        refused = await send_due(pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id)
        waiting = await rows_of(conn, authority_id)
        too_soon = await send_due(
            pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id
        )
        await conn.execute(  # the back-off has passed
            "UPDATE messaging.notification SET next_attempt_at = now() WHERE authority_id = $1", authority_id
        )
        done = await send_due(pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id)
        rows = await rows_of(conn, authority_id)
    assert (refused.claimed, refused.sent, refused.retried) == (1, 0, 1)
    (row,) = waiting
    assert (row["status"], row["attempts"], row["later"]) == ("pending", 1, True)
    assert "451" in row["last_error"]
    assert too_soon.claimed == 0
    assert done.sent == 1
    assert addressed(sink, team.address) == [team.address]
    assert [(r["status"], r["attempts"], r["last_error"]) for r in rows] == [("sent", 2, None)]


async def test_a_mail_refused_for_good_or_failing_past_the_last_delay_is_marked_failed(env):
    authority_id = uuid.uuid4()
    refused, exhausted = mailbox("refused"), mailbox("exhausted")
    async with messaging_pool(env) as pool, pool.acquire() as conn:
        async with smtp_sink(refuse_next=1, refusal="550 5.1.1 No such mailbox") as (sink, backend):
            await queue_one(conn, authority_id, [refused])
            permanent = await send_due(
                pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id
            )
        async with smtp_sink(refuse_next=2) as (sink, backend):
            await queue_one(conn, authority_id, [exhausted])
            rounds = []
            for _ in range(2):
                rounds.append(
                    await send_due(
                        pool, backend, batch_size=10, retry_delays=[0.0], authority_id=authority_id
                    )
                )
        rows = await rows_of(conn, authority_id)
    assert (permanent.failed, permanent.retried) == (1, 0)
    assert [(r.retried, r.failed) for r in rounds] == [(1, 0), (0, 1)]
    assert sink.received == []
    by_address = {r["recipient_address"]: r for r in rows}
    assert (by_address[refused.address]["status"], by_address[refused.address]["attempts"]) == ("failed", 1)
    assert "550" in by_address[refused.address]["last_error"]
    assert (by_address[exhausted.address]["status"], by_address[exhausted.address]["attempts"]) == (
        "failed",
        2,
    )


@pytest.mark.parametrize(
    ("subject", "address", "problem"),
    [
        ("Action waits\r\nBcc: everyone@example.org", "team@council.example", "line break"),
        ("Action waits", "team@council.example\r\nBcc: everyone@example.org", "line break"),
        ("Action waits", "team@council.example, everyone@example.org", "not one e-mail address"),
        ("", "team@council.example", "subject is empty"),
    ],
)
async def test_header_injection_is_refused_before_anything_is_queued(env, subject, address, problem):
    authority_id = uuid.uuid4()
    async with messaging_pool(env) as pool, pool.acquire() as conn:
        with pytest.raises(NotificationRefused, match=problem):
            await queue_one(conn, authority_id, [Recipient(address=address)], subject=subject)
        assert await rows_of(conn, authority_id) == []


async def test_a_consumers_batch_of_user_states_keeps_the_newest_memberships_of_each(env):
    from messaging.notifications.users import users_upserted
    from shared.events import make_envelope

    authority_id, first_org, second_org = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    old = user_state(authority_id=authority_id, organisation_id=first_org, email="batch@p.example")
    new = user_state(
        authority_id=authority_id,
        organisation_id=second_org,
        email="batch@p.example",
        user_id=old.user_id,
        revision=2,
    )
    async with messaging_pool(env) as pool, pool.acquire() as conn:
        async with conn.transaction():
            await users_upserted(
                conn,
                [
                    (make_envelope(e, aggregate_id=e.user_id, authority_id=authority_id), e)
                    for e in (new, old)
                ],
            )
        first = await provider_recipients(conn, authority_id=authority_id, organisation_id=first_org)
        second = await provider_recipients(conn, authority_id=authority_id, organisation_id=second_org)
    assert first == []
    assert [r.user_id for r in second] == [old.user_id]
