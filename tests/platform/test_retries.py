"""Retries that count themselves: a failing event waits out its back-off in a delay queue (not held by
the consumer, not requeued), comes back with its attempt count in a header, and is dead-lettered at its
subscription's own limit, whatever the broker's delivery counting."""

from __future__ import annotations

import pytest

from shared.bus import Subscription
from shared.bus.topology import retry_queue_name
from shared.events import OrganisationUpserted
from tests.platform.test_resilience_consumer import _body, _drain, _reason, consuming
from tests.support.inprocess import eventually
from tests.support.scratch import organisation, publish, robust_connection, scratch

BACK_OFF = 1.0


async def test_failing_event_waits_in_a_delay_queue_then_is_applied_once(env):
    envelope = organisation("fails once")
    attempts: list[int] = []

    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:

        async def fail_first(conn, env_, event):
            attempts.append(1)
            if len(attempts) == 1:
                raise RuntimeError("deadlock detected")
            await s.record(conn, env_, event)

        async with consuming(
            s, connection, subscriptions=[s.subscription(fail_first)], retry_delays=(BACK_OFF,)
        ) as consumer:
            await publish(s, _body(envelope), message_id=str(envelope.event_id))
            delay_queue = retry_queue_name(s.queue, BACK_OFF)
            await eventually(lambda: _one_ready(s, delay_queue), timeout=20)
            await eventually(lambda: _holds_nothing(consumer), timeout=0.5)  # well within the back-off
            assert await s.applied_count() == 0
            await eventually(lambda: _applied(s), timeout=10)
            await eventually(s.settled, timeout=10)
            assert await s.ready(delay_queue) == 0

        assert await s.applied_ids() == [envelope.event_id]
    assert len(attempts) == 2


async def test_a_subscription_sets_its_own_limit(env):
    envelope = organisation("always fails")
    attempts: list[int] = []

    async def always_fail(conn, env_, event):
        attempts.append(1)
        raise RuntimeError("handler bug")

    async with scratch(env) as s, robust_connection(env.amqp_url) as connection:
        subscription = Subscription(OrganisationUpserted, always_fail, max_attempts=2)
        async with consuming(s, connection, subscriptions=[subscription], retry_delays=(0.1, 0.1, 0.1, 0.1)):
            await publish(s, _body(envelope), message_id=str(envelope.event_id))
            await eventually(lambda: s.settled(dead_letters=1), timeout=10)
        dead = await _drain(s.channel, s.dead_letter_queue)

    assert len(attempts) == 2
    assert [_reason(m) for m in dead] == ["failed 2 attempts: RuntimeError('handler bug')"]


async def _holds_nothing(consumer) -> bool:
    """The consumer has settled every delivery it received (the failed one was acked, not kept)."""
    return consumer._settle._in_hand.held() == 0


async def _one_ready(s, queue: str) -> bool:
    return await s.ready(queue) == 1


async def _applied(s) -> bool:
    return await s.applied_count() == 1


pytestmark = pytest.mark.timeout(60)
