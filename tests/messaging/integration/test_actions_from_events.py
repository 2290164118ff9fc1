"""Actions born of other services' events, through messaging's real consumer on the run's broker: a
disputed payment opens a Payments Message to the payments team with the disputed lines, and the
dispute's decision closes it; identity's contact, contact change and organisation change requests open
Provider Portal Admin tasks their decisions close; a forgotten-password request opens a council task
the reset of the user's password closes. Every event is delivered twice (the same message again, and
the same state under a new event id): nothing opens or closes twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aio_pika
import pytest

from messaging.main import DEFINITION as MESSAGING
from shared.events import (
    ContactChangeRequestUpserted,
    ContactRequestUpserted,
    DisputeRequestUpserted,
    OrganisationChangeRequestUpserted,
    PasswordResetRequested,
    TemporaryPasswordIssued,
    make_envelope,
)
from shared.events.envelope import EventPayload
from shared.events.identity import AccessState
from shared.service import close_runtime, event_consumer, open_runtime
from tests.messaging.support import API, COUNCIL, add_tenant, bearer, messaging_api, messaging_conn, published
from tests.payments.finance_events import six_events
from tests.support.inprocess import eventually

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@asynccontextmanager
async def consuming(env) -> AsyncIterator[None]:
    """Messaging's consumer of its subscriptions, as its worker runs it."""
    runtime = await open_runtime(MESSAGING, env.settings(MESSAGING))
    consumer = event_consumer(runtime)
    await consumer.start()
    try:
        yield
    finally:
        await consumer.stop()
        await close_runtime(runtime)


async def deliver(env, *events: EventPayload, twice: bool = True) -> None:
    """Each event published to the events exchange as its producer's relay does; with `twice`, the
    same message again (a redelivery) and the same state under a new event id (a re-publication)."""
    ids: set[uuid.UUID] = set()
    connection = await aio_pika.connect(env.amqp_url)
    try:
        channel = await connection.channel()
        exchange = await channel.get_exchange(env.settings(MESSAGING).events_exchange)
        for event in events:
            aggregate = getattr(event, "request_id", None) or getattr(event, "user_id", None)
            envelope = make_envelope(event, aggregate_id=aggregate, authority_id=event.authority_id)  # type: ignore[attr-defined]
            copies = (
                [
                    envelope,
                    envelope,
                    make_envelope(event, aggregate_id=aggregate, authority_id=event.authority_id),
                ]
                if twice
                else [envelope]
            )  # type: ignore[attr-defined]
            for copy in copies:
                ids.add(copy.event_id)
                await exchange.publish(
                    aio_pika.Message(
                        copy.model_dump_json().encode(),
                        message_id=str(copy.event_id),
                        content_type="application/json",
                    ),
                    routing_key=copy.routing_key,
                )
    finally:
        await connection.close()
    await applied(env, ids)


async def applied(env, ids: set[uuid.UUID]) -> None:
    """Wait until the consumer has applied (or skipped as seen) every one of these events."""

    async def check():
        async with messaging_conn(env) as conn:
            done = await conn.fetchval(
                "SELECT count(*) FROM messaging.inbox WHERE consumer = 'messaging' AND event_id = ANY($1::uuid[])",
                list(ids),
            )
        return done == len(ids)

    await eventually(check, timeout=20)


async def actions_of(env, authority_id: uuid.UUID) -> list[dict]:
    async with messaging_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT a.*, t.name AS team_name, y.name AS type_name FROM messaging.action a"
            " JOIN messaging.team t USING (team_id) JOIN messaging.action_type y USING (type_id)"
            " WHERE a.authority_id = $1 ORDER BY a.created_at, a.action_id",
            authority_id,
        )
    return [dict(r) for r in rows]


async def first_post(env, action_id: uuid.UUID) -> str:
    async with messaging_conn(env) as conn:
        return str(
            await conn.fetchval(
                "SELECT text FROM messaging.post WHERE action_id = $1 ORDER BY seq LIMIT 1", action_id
            )
        )


async def closed(env, authority_id: uuid.UUID, count: int) -> list[dict]:
    async def check():
        rows = await actions_of(env, authority_id)
        return rows if sum(r["status"] == "closed" for r in rows) >= count else None

    return await eventually(check, timeout=20)


async def opened(env, authority_id: uuid.UUID, count: int) -> list[dict]:
    async def check():
        rows = await actions_of(env, authority_id)
        return rows if len(rows) >= count else None

    return await eventually(check, timeout=20)


@pytest.fixture(scope="module")
async def consumer(env):
    async with consuming(env):
        yield


def decision_of(disputed, status: str, reason: str) -> DisputeRequestUpserted:
    """The council's decision of the dispute `disputed` (a scheduled payment's disputed event)."""
    return DisputeRequestUpserted(
        request_id=disputed.request_id,
        payment_id=disputed.payment_id,
        line_ids=disputed.disputed_line_ids,
        authority_id=disputed.authority_id,
        organisation_id=disputed.organisation_id,
        requested_by="user-1",
        status=status,
        reason=reason,
        revision=2,
        updated_at=NOW,
    )


async def test_a_disputed_payment_opens_one_payments_message_with_its_lines_and_its_decision_closes_it(
    env, consumer
):
    authority_id = uuid.uuid4()
    disputed = six_events(authority_id)["disputed"]
    await deliver(env, disputed)
    [action] = await opened(env, authority_id, 1)
    assert (action["type_name"], action["team_name"], action["assigned_to"], action["origin"]) == (
        "Payments Message",
        "Payments",
        "council",
        "event",
    )
    assert (
        action["organisation_id"] == disputed.organisation_id
        and action["related_label"] == "Sausage Sandwich Fostering"
    )
    text = await first_post(env, action["action_id"])
    assert (
        "Lisa left on 3 October" in text
        and "Simpson, Lisa (C2000021), PO-2019-148-2" in text
        and "£303.03" in text
    )
    assert "Simpson, Bart" not in text  # only the disputed line

    await deliver(env, decision_of(disputed, "rejected", "Lisa's placement ended on 6 October"))
    [action] = await closed(env, authority_id, 1)
    assert action["closed_reason"] == "The council rejected the dispute: Lisa's placement ended on 6 October"
    await deliver(env, disputed)  # the dispute again, after its decision: still one action
    states = await published(env, "messaging.action.upserted.v1", action["action_id"])
    assert [s["change"] for s in states] == ["opened", "closed"]
    assert len(await actions_of(env, authority_id)) == 1


async def test_an_approved_dispute_closes_its_message_with_the_councils_reason(env, consumer):
    authority_id = uuid.uuid4()
    disputed = six_events(authority_id)["disputed"]
    await deliver(env, disputed)
    await opened(env, authority_id, 1)
    await deliver(env, decision_of(disputed, "approved", "Agreed: Lisa left on 3 October (FIN-123)"))
    [action] = await closed(env, authority_id, 1)
    assert (
        action["closed_reason"]
        == "The council approved the dispute: Agreed: Lisa left on 3 October (FIN-123)"
    )


async def test_identity_requests_open_portal_admin_tasks_that_their_decisions_close(env, consumer):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="requests")
    org, user = tenant.organisation_id, uuid.uuid4()
    contact = ContactRequestUpserted(
        request_id=uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=org,
        requested_by=user,
        forename="Dawn",
        surname="Stockton",
        email="dawn@example.org",
        phone="01952 380000",
        address="1 High St",
        role="care",
        can_edit=True,
        scope_type="organisation",
        scope_id=org,
        status="pending",
        revision=1,
        updated_at=NOW,
    )
    change = ContactChangeRequestUpserted(
        request_id=uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=org,
        requested_by=user,
        change="removal",
        user_id=uuid.uuid4(),
        forename="Homer",
        surname="Simpson",
        email="homer@example.org",
        current=AccessState(role="finance", can_edit=True, scope_type="organisation", scope_id=org),
        status="pending",
        revision=1,
        updated_at=NOW,
    )
    details = OrganisationChangeRequestUpserted(
        request_id=uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=org,
        requested_by=user,
        name="Sausage Sandwich Ltd",
        address="2 Low St",
        postcode="TF3 4JA",
        phone="01952 380001",
        email="office@example.org",
        changed=["name", "phone"],
        status="pending",
        revision=1,
        updated_at=NOW,
    )
    await deliver(env, contact, change, details)
    rows = await opened(env, authority_id, 3)
    assert len(rows) == 3
    assert {r["team_name"] for r in rows} == {"Provider Portal Admin"} and {r["type_name"] for r in rows} == {
        "Portal - Data Query"
    }
    assert {r["title"] for r in rows} == {
        "New contact request: Dawn Stockton",
        "Contact removal request: Homer Simpson",
        "Organisation details change request",
    }
    assert {r["related_label"] for r in rows} == {tenant.organisation_name}

    # The provider sees its own requests' tasks in its list.
    async with messaging_api(env) as api:
        mine = (await api.get(f"{API}/actions", headers=tenant.headers(env))).json()
        assert len(mine) == 3

    await deliver(
        env,
        contact.model_copy(update={"status": "approved", "revision": 2}),
        change.model_copy(update={"status": "rejected", "reason": "Homer still works here", "revision": 2}),
        details.model_copy(update={"status": "approved", "revision": 2}),
    )
    rows = await closed(env, authority_id, 3)
    reasons = {r["title"]: r["closed_reason"] for r in rows}
    assert reasons == {
        "New contact request: Dawn Stockton": "The council approved the contact request.",
        "Contact removal request: Homer Simpson": "The council rejected the contact change request: Homer still works here",
        "Organisation details change request": "The council approved the organisation change request.",
    }
    for row in rows:
        states = await published(env, "messaging.action.upserted.v1", row["action_id"])
        assert [s["change"] for s in states] == ["opened", "closed"]


async def test_a_forgotten_password_opens_a_council_task_closed_by_the_reset(env, consumer):
    authority_id, user_id = uuid.uuid4(), uuid.uuid4()
    request = PasswordResetRequested(
        request_id=uuid.uuid4(),
        authority_id=authority_id,
        name="Dawn Stockton",
        organisation_name="Sausage Sandwich",
        email="dawn@example.org",
        phone="01952 380000",
        user_id=user_id,
        requested_at=NOW,
    )
    unknown = request.model_copy(
        update={"request_id": uuid.uuid4(), "user_id": None, "email": "who@example.org"}
    )
    await deliver(env, request, unknown)
    rows = await opened(env, authority_id, 2)
    assert len(rows) == 2
    assert {(r["related_kind"], r["organisation_id"], r["team_name"]) for r in rows} == {
        ("person", None, "Provider Portal Admin")
    }
    async with messaging_api(env) as api:
        inbox = (await api.get(f"{COUNCIL}/actions", headers=bearer(env.council_token(authority_id)))).json()
        assert {a["title"] for a in inbox} == {"Forgotten password: Dawn Stockton"}
        assert len(inbox) == 2

    issued = TemporaryPasswordIssued(
        user_id=user_id,
        authority_id=authority_id,
        email="dawn@example.org",
        forename="Dawn",
        surname="Stockton",
        reason="reset",
        sealed_password="c2VhbGVk",
        issued_at=NOW,
    )
    new_user = issued.model_copy(update={"user_id": uuid.uuid4(), "reason": "new_user"})
    await deliver(env, issued, new_user)
    rows = await closed(env, authority_id, 1)
    by_email = {("who@" in await first_post(env, r["action_id"])): r for r in rows}
    assert (
        by_email[False]["status"] == "closed"
        and by_email[False]["closed_reason"] == "The council reset the password."
    )
    assert by_email[True]["status"] == "open"  # no account: the council closes it itself


async def test_a_decision_closes_a_task_whose_closure_the_provider_asked_for(env, consumer):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="asked")
    access = ContactChangeRequestUpserted(
        request_id=uuid.uuid4(),
        authority_id=authority_id,
        organisation_id=tenant.organisation_id,
        requested_by=uuid.uuid4(),
        change="access",
        user_id=uuid.uuid4(),
        forename="Marge",
        surname="Simpson",
        email="marge@example.org",
        current=AccessState(
            role="finance", can_edit=False, scope_type="organisation", scope_id=tenant.organisation_id
        ),
        asked=AccessState(
            role="full", can_edit=True, scope_type="organisation", scope_id=tenant.organisation_id
        ),
        status="pending",
        revision=1,
        updated_at=NOW,
    )
    await deliver(env, access)
    [action] = await opened(env, authority_id, 1)
    assert action["title"] == "Access change request: Marge Simpson"
    assert "to Full Access for the organisation" in await first_post(env, action["action_id"])
    async with messaging_api(env) as api:
        asked = await api.post(
            f"{API}/actions/{action['action_id']}/closure-request", json={}, headers=tenant.headers(env)
        )
        assert asked.status_code == 200 and asked.json()["status"] == "closure_requested"
    await deliver(env, access.model_copy(update={"status": "approved", "revision": 2}))
    [action] = await closed(env, authority_id, 1)
    async with messaging_conn(env) as conn:
        status = await conn.fetchval(
            "SELECT status FROM messaging.decision_request WHERE subject = $1",
            f"action:{action['action_id']}",
        )
    assert status == "approved"  # the decision answered the provider's closure request too


async def test_a_worker_with_filled_projections_asks_for_nothing(env):
    import asyncio

    from messaging.consumers import BACKFILLED, ask_for_missing_states
    from messaging.store.related import empty_projections

    async with messaging_conn(env) as conn:
        await add_tenant(conn, authority_id=uuid.uuid4(), label="filled")
        # Every table a worker would ask to be filled is filled (the tenant's own rows at least).
        assert await empty_projections(conn, tables=sorted(BACKFILLED)) == []
        with pytest.raises(ValueError, match="messaging projects no table 'action'"):
            await empty_projections(conn, tables=["action"])
        before = await conn.fetchval(
            "SELECT count(*) FROM messaging.outbox WHERE routing_key LIKE '%.backfill.requested.v1'"
        )
    runtime = await open_runtime(MESSAGING, env.settings(MESSAGING))
    try:
        await ask_for_missing_states(runtime, asyncio.Event())
    finally:
        await close_runtime(runtime)
    async with messaging_conn(env) as conn:
        after = await conn.fetchval(
            "SELECT count(*) FROM messaging.outbox WHERE routing_key LIKE '%.backfill.requested.v1'"
        )
    assert after == before
