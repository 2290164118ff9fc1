"""Consumers under failure: a consumer killed between its commit and its ack, poison messages, and a
handler that always fails. Each event's effect happens at most once, nothing blocks the queue, and
whatever cannot be processed rests in the dead-letter queue with the reason."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
from structlog.testing import capture_logs

from shared.bus import Consumer
from shared.bus.topology import DEAD_LETTER_REASON, ORIGINAL_ROUTING_KEY
from shared.events import Envelope
from tests.support.inprocess import eventually
from tests.support.scratch import Scratch, amqp_url_via, organisation, publish, robust_connection, scratch
from tests.support.tcp_proxy import proxy_to


class ProcessKilled(BaseException):
    """Stands for SIGKILL: unlike an Exception, nothing in the consumer catches it, so nothing after
    the point where it is raised runs (no ack, no nack)."""


@asynccontextmanager
async def consuming(s: Scratch, connection, **options) -> AsyncIterator[Consumer]:
    consumer = Consumer(
        name=s.name,
        pool=s.pool,
        schema=s.schema,
        connection=connection,
        events_exchange=s.exchange,
        **{"subscriptions": [s.subscription()], **options},
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def test_consumer_killed_after_commit_before_ack_does_not_apply_the_event_twice(env):
    envelope = organisation("applied once only")
    redelivered = asyncio.Event()
    seen_by_replacement: list[Envelope] = []

    async def seen(committed: Envelope) -> None:
        seen_by_replacement.append(committed)
        redelivered.set()

    async with scratch(env) as s, proxy_to("127.0.0.1", 5672) as link:

        async def die_after_commit(committed: Envelope) -> None:
            link.cut(refuse_new=True)  # as the OS drops a killed process's sockets
            raise ProcessKilled(committed.event_id)

        # The first consumer reaches the broker through a link the test can cut.
        async with (
            robust_connection(amqp_url_via(link, env)) as doomed,
            consuming(s, doomed, on_committed=die_after_commit),
        ):
            await publish(s, _body(envelope), message_id=str(envelope.event_id))
            await eventually(lambda: _broker_took_back(s), timeout=10)
            assert await s.applied_ids() == [envelope.event_id], "the first consumer committed"

        # Its replacement gets the redelivery, finds the event in its inbox, and acks it.
        async with robust_connection(env.amqp_url) as connection, consuming(s, connection, on_committed=seen):
            await asyncio.wait_for(redelivered.wait(), timeout=10)
            await eventually(s.settled, timeout=10)

        assert [e.event_id for e in seen_by_replacement] == [envelope.event_id]
        assert await s.applied_ids() == [envelope.event_id], "the redelivery was applied again"
        assert await s.inbox_ids() == [envelope.event_id]


ROUTING_KEY = "identity.organisation.upserted.v1"
GOOD = 20


async def test_poison_messages_are_dead_lettered_with_the_reason_and_logged_once_and_the_rest_flows(env):
    garbage, garbage_id = b"\x00\xff not an envelope", str(uuid.uuid4())
    bad_payload = organisation("revision zero")
    bad_payload = bad_payload.model_copy(update={"payload": {**bad_payload.payload, "revision": 0}})
    good = [organisation(f"good-{i:02d}") for i in range(GOOD)]

    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:
        with capture_logs() as logs:
            async with consuming(s, connection):
                await publish(s, garbage, message_id=garbage_id)
                for envelope in [bad_payload, *good]:
                    await publish(s, _body(envelope), message_id=str(envelope.event_id))
                await eventually(lambda: s.settled(dead_letters=2), timeout=15)
        dead = {m.message_id: m for m in await _drain(s.channel, s.dead_letter_queue)}

        assert sorted(await s.applied_ids()) == sorted(e.event_id for e in good), "the rest flowed"
        assert sorted(await s.inbox_ids()) == sorted(e.event_id for e in good)

    assert set(dead) == {garbage_id, str(bad_payload.event_id)}
    assert dead[garbage_id].body == garbage
    assert _reason(dead[garbage_id]).startswith("invalid envelope")
    assert _reason(dead[str(bad_payload.event_id)]).startswith(f"invalid payload of {ROUTING_KEY}: revision")
    assert {m.headers[ORIGINAL_ROUTING_KEY] for m in dead.values()} == {ROUTING_KEY}
    assert sorted(_dead_letter_logs(logs)) == sorted(dead), "each dead letter is logged exactly once"


FAILING = "handler always fails"
RETRY_DELAYS = (0.1, 0.2)  # so an event is tried 3 times
ATTEMPTS = len(RETRY_DELAYS) + 1


async def test_failing_handler_is_retried_with_back_off_then_dead_lettered_while_the_rest_flows(env):
    failing = organisation(FAILING)
    good = [organisation(f"good-{i:02d}") for i in range(GOOD)]
    good_applied = asyncio.Event()
    first_attempt = asyncio.Event()
    good_runs: list[uuid.UUID] = []
    held_up: list[uuid.UUID] = []
    failing_attempts = 0

    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:

        async def apply(conn, envelope, event):
            nonlocal failing_attempts
            if event.name == FAILING:
                failing_attempts += 1
                if failing_attempts == 1:
                    # Hold the first attempt until every message queued behind it has been applied:
                    # a failing message must not hold up the rest of the queue. (It is alone in its
                    # batch: the rest is published only once it is in hand.)
                    first_attempt.set()
                    try:
                        await asyncio.wait_for(good_applied.wait(), timeout=10)
                    except TimeoutError:
                        held_up.append(envelope.event_id)
                raise RuntimeError("handler bug")
            await s.record(conn, envelope, event)
            good_runs.append(envelope.event_id)
            if len(good_runs) == GOOD:
                good_applied.set()

        with capture_logs() as logs:
            async with consuming(
                s, connection, subscriptions=[s.subscription(apply)], retry_delays=RETRY_DELAYS
            ):
                await publish(s, _body(failing), message_id=str(failing.event_id))
                await asyncio.wait_for(first_attempt.wait(), timeout=10)
                for envelope in good:
                    await publish(s, _body(envelope), message_id=str(envelope.event_id))
                await eventually(lambda: s.settled(dead_letters=1), timeout=15)
        dead = await _drain(s.channel, s.dead_letter_queue)

        assert sorted(await s.applied_ids()) == sorted(e.event_id for e in good)
        assert sorted(await s.inbox_ids()) == sorted(e.event_id for e in good), "no trace of the failure"

    assert held_up == [], "the rest of the queue waited behind the failing message"
    assert [m.message_id for m in dead] == [str(failing.event_id)]
    assert _reason(dead[0]) == f"failed {ATTEMPTS} attempts: RuntimeError('handler bug')"
    assert dead[0].headers[ORIGINAL_ROUTING_KEY] == ROUTING_KEY
    assert failing_attempts == ATTEMPTS
    retries = [(e["attempt"], e["retry_in"]) for e in logs if e["event"] == "event_failed_will_retry"]
    assert retries == [(1, 0.1), (2, 0.2)], "retried with a growing back-off"
    assert _dead_letter_logs(logs) == [str(failing.event_id)]


BATCH_SIZE = 8
QUEUED = 60


async def test_queued_events_are_applied_in_batches_each_once_in_one_transaction_per_batch(env):
    """Messages that wait in the queue are applied several per transaction (the same transaction id on
    their inbox rows), never more than the batch size, each exactly once; a redelivered duplicate in the
    same batch is acked without running the handler again."""
    events = [organisation(f"queued-{i:02d}") for i in range(QUEUED)]
    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:
        async with consuming(s, connection):
            pass  # declares the queue; the events then wait in it for the next consumer
        for envelope in events:
            await publish(s, _body(envelope), message_id=str(envelope.event_id))
        await publish(s, _body(events[0]), message_id=str(events[0].event_id))  # a duplicate
        async with consuming(s, connection, batch_size=BATCH_SIZE, appliers=2) as consumer:
            acks = _count_acks(consumer)
            await eventually(s.settled, timeout=15)

        assert sorted(await s.applied_ids()) == sorted(e.event_id for e in events), "each applied once"
        per_transaction = [
            r["n"]
            for r in await s.pool.fetch(
                f"SELECT count(*) AS n FROM {s.schema}.inbox WHERE consumer = $1 GROUP BY xmin::text", s.name
            )
        ]
    assert sum(per_transaction) == QUEUED
    assert max(per_transaction) <= BATCH_SIZE, per_transaction
    assert len(per_transaction) < QUEUED / 2, f"hardly batched: {per_transaction}"
    # Settled (nothing left unacked) with far fewer ack frames than messages: batches in delivery order
    # are acked with one `multiple` frame each.
    assert len(acks) < QUEUED / 2, f"acked one by one: {acks}"
    assert acks.count(True) >= 2


async def test_a_failing_handler_in_a_batch_rolls_back_and_the_rest_of_the_batch_is_applied(env):
    failing = organisation(FAILING)
    good = [organisation(f"good-{i:02d}") for i in range(GOOD)]
    attempts: list[int] = []

    async def apply(conn, envelope, event):
        if event.name == FAILING:
            attempts.append(1)
            raise RuntimeError("handler bug")
        await s.record(conn, envelope, event)

    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:
        async with consuming(s, connection, retry_delays=RETRY_DELAYS):
            pass
        for envelope in [good[0], failing, *good[1:]]:  # all in the queue, to arrive in one burst
            await publish(s, _body(envelope), message_id=str(envelope.event_id))
        async with consuming(s, connection, subscriptions=[s.subscription(apply)], retry_delays=RETRY_DELAYS):
            await eventually(lambda: s.settled(dead_letters=1), timeout=15)
        dead = await _drain(s.channel, s.dead_letter_queue)

        assert sorted(await s.applied_ids()) == sorted(e.event_id for e in good), "each good one once"
        assert sorted(await s.inbox_ids()) == sorted(e.event_id for e in good), "no trace of the failure"
    assert [m.message_id for m in dead] == [str(failing.event_id)]
    assert len(attempts) >= ATTEMPTS


async def _broker_took_back(s: Scratch) -> bool:
    """The killed consumer's delivery is back in the queue, ready for someone else."""
    return await s.ready(s.queue) == 1


def _count_acks(consumer: Consumer) -> list[bool]:
    """The `multiple` flag of each ack frame the consumer sends from now on."""
    sent: list[bool] = []
    ack = consumer._settle.ack

    async def counting(message, *, multiple=False):
        sent.append(multiple)
        await ack(message, multiple=multiple)

    consumer._settle.ack = counting  # type: ignore[method-assign]
    return sent


def _body(envelope: Envelope) -> bytes:
    return envelope.model_dump_json().encode()


def _dead_letter_logs(logs: list[dict]) -> list[str]:
    return [e["event_id"] for e in logs if e["event"] == "event_dead_lettered"]


def _reason(message: aio_pika.abc.AbstractIncomingMessage) -> str:
    return str(message.headers[DEAD_LETTER_REASON])


async def _drain(channel, name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    queue = await channel.declare_queue(name, passive=True)
    messages = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        messages.append(message)
    return messages


async def test_a_consumer_whose_channel_the_broker_closes_goes_on_consuming_on_a_new_one(env):
    # The broker closes a channel on a channel error (an ack of an unknown delivery tag, as a
    # settlement bug once caused): the consumer must not fall silent behind a ready probe.
    before, after = organisation("before the channel error"), organisation("after the channel error")
    async with (
        scratch(env) as s,
        robust_connection(env.amqp_url) as connection,
        consuming(s, connection) as consumer,
    ):
        await publish(s, _body(before), message_id=str(before.event_id))
        await eventually(lambda: _applied(s, before), timeout=10)
        queue = consumer._queue
        assert queue is not None
        channel = await queue.channel.get_underlay_channel()
        await channel.basic_ack(delivery_tag=99_999)  # PRECONDITION_FAILED: the broker closes the channel
        await eventually(lambda: _closed(channel), timeout=10)
        await publish(s, _body(after), message_id=str(after.event_id))
        await eventually(lambda: _applied(s, after), timeout=20)
        assert sorted(map(str, await s.applied_ids())) == sorted([str(before.event_id), str(after.event_id)])


async def _applied(s: Scratch, envelope: Envelope) -> bool:
    return envelope.event_id in await s.applied_ids()


async def _closed(channel) -> bool:
    return bool(channel.is_closed)
