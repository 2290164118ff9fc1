"""Two replicas of a service's consumer on its one queue, as a Deployment of two workers runs them
(deploy/k8s: `<service>-worker`, replicas 2): competing consumers share the events, and an event the
broker delivers twice (a relay that published a row again after a lost confirm) is applied once, even
when each replica holds one of the copies at the same time. The relay's side is
test_resilience_relay.py's two replicas."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack

from shared.events import Envelope
from tests.platform.test_resilience_consumer import _body, consuming
from tests.support.inprocess import eventually
from tests.support.scratch import organisation, publish, robust_connection, scratch

EVENTS = 150


async def test_two_consumer_replicas_apply_each_event_once_even_when_it_is_delivered_twice(env):
    events = [organisation(f"replica-{i:03d}") for i in range(EVENTS)]
    # Deliveries each replica settled after its transaction committed (a skipped duplicate included).
    committed: list[Counter[str]] = [Counter(), Counter()]

    def counting(replica: int):
        async def seen(envelope: Envelope) -> None:
            committed[replica][str(envelope.event_id)] += 1

        return seen

    async with scratch(env) as s, AsyncExitStack() as stack:
        for replica in range(2):
            connection = await stack.enter_async_context(robust_connection(env.amqp_url))
            # A small prefetch, so that neither replica takes the whole backlog: both work.
            await stack.enter_async_context(
                consuming(s, connection, on_committed=counting(replica), prefetch=4, batch_size=4)
            )
        for envelope in events:  # every event twice, the copies side by side in the queue
            for _ in range(2):
                await publish(s, _body(envelope), message_id=str(envelope.event_id))
        await eventually(s.settled, timeout=30)
        await asyncio.sleep(0.2)  # a last commit's callback

        applied = await s.applied_ids()
        assert len(applied) == EVENTS, f"{len(applied) - EVENTS} applied twice"
        assert sorted(applied) == sorted(e.event_id for e in events)
        assert sorted(await s.inbox_ids()) == sorted(e.event_id for e in events)
    assert all(sum(c.values()) > 0 for c in committed), "one replica did all the work"
    assert sum(sum(c.values()) for c in committed) == 2 * EVENTS, "every delivery was settled once"
