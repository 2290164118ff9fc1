"""A worker (outbox relay + consumer, as `run_worker` runs them) loses the broker.

Cut mid-flow, twice: once it is back, every event written to the outbox has been applied exactly once —
none lost, none applied twice — and every message acked. Asked to stop during an outage: it stops.
A service API's /readyz follows the broker down and back up."""

from __future__ import annotations

import asyncio

from actuals.main import DEFINITION as ACTUALS
from shared.service import create_api, run_worker
from tests.support.inprocess import eventually, serve
from tests.support.scratch import Scratch, amqp_url_via, organisation, scratch, scratch_worker
from tests.support.tcp_proxy import TcpProxy, proxy_to

EVENTS = 300
CUT_AFTER = (100, 200)  # handler runs after which the broker link is cut (mid-transaction)
OUTAGE_SECONDS = 1.0  # how long new connections are refused after each cut
WAVES = ((0, 120), (120, 240), (240, EVENTS))  # written before the first cut, during each outage
STOP_SECONDS = 5.0  # well inside Kubernetes' default 30 s grace period


async def test_broker_connection_cut_mid_flow_loses_and_duplicates_nothing(env):
    async with scratch(env) as s, proxy_to("127.0.0.1", 5672) as proxy:
        cuts = [asyncio.Event() for _ in CUT_AFTER]
        runs = 0

        async def cut_mid_transaction(conn, envelope, event):
            """Apply the event; at the chosen runs, cut the broker link before the commit and ack."""
            nonlocal runs
            await s.record(conn, envelope, event)
            runs += 1
            if runs in CUT_AFTER:
                proxy.cut(refuse_new=True)
                asyncio.get_running_loop().call_later(OUTAGE_SECONDS, proxy.restore)
                cuts[CUT_AFTER.index(runs)].set()

        stop = asyncio.Event()
        worker = asyncio.create_task(
            run_worker(
                scratch_worker(s, cut_mid_transaction),
                env.settings(
                    ACTUALS,
                    amqp_url=amqp_url_via(proxy, env),
                    events_exchange=s.exchange,
                    relay_poll_seconds=0.2,
                ),
                stop=stop,
            )
        )
        try:
            await eventually(lambda: s.declared(s.queue), timeout=10)
            written = []
            for wave, (first, last) in enumerate(WAVES):
                if wave:
                    await asyncio.wait_for(cuts[wave - 1].wait(), timeout=20)
                for i in range(first, last):
                    envelope = organisation(f"org-{i:04d}")
                    await s.write(envelope)
                    written.append(envelope.event_id)

            await eventually(lambda: _all_applied(s), timeout=30, interval=0.2)
            await eventually(s.settled, timeout=15)
        finally:
            proxy.restore()
            stop.set()
            await asyncio.wait_for(worker, timeout=15)

        applied = await s.applied_ids()
        assert len(applied) == EVENTS, "an event was lost or applied twice"
        assert sorted(applied) == sorted(written)
        assert sorted(await s.inbox_ids()) == sorted(written)
        assert await s.unpublished() == 0
        # The worker really lost the broker and came back: its first connection plus one per cut.
        assert proxy.connections >= 1 + len(CUT_AFTER)


async def test_worker_stops_promptly_while_the_broker_is_unreachable(env):
    async with scratch(env) as s, proxy_to("127.0.0.1", 5672) as proxy:
        stop = asyncio.Event()
        worker = asyncio.create_task(
            run_worker(
                scratch_worker(s, s.record),
                env.settings(ACTUALS, amqp_url=amqp_url_via(proxy, env), events_exchange=s.exchange),
                stop=stop,
            )
        )
        try:
            await eventually(lambda: s.declared(s.queue), timeout=10)
            proxy.cut(refuse_new=True)
            await s.write(organisation("waiting for the broker"))  # the relay has work it cannot do
            await eventually(lambda: _refused(proxy), timeout=10)  # the worker knows the broker is gone
            stop.set()  # SIGTERM during the outage, as in a rolling deploy
            await asyncio.wait_for(asyncio.shield(worker), timeout=STOP_SECONDS)
        finally:
            proxy.restore()
            stop.set()
            await asyncio.wait_for(worker, timeout=15)
        assert await s.unpublished() == 1, "kept for the next worker"


async def test_readiness_follows_the_broker_and_the_api_recovers_without_restart(env):
    async with proxy_to("127.0.0.1", 5672) as proxy:
        app = create_api(ACTUALS, env.settings(ACTUALS, amqp_url=amqp_url_via(proxy, env)))
        async with serve(app) as client:
            assert await _readiness(client, 200) == {"database": True, "broker": True}
            proxy.cut(refuse_new=True)
            down = await eventually(lambda: _readiness(client, 503), timeout=10)
            assert down == {"database": True, "broker": False}
            proxy.restore()
            await eventually(lambda: _readiness(client, 200), timeout=10)
            assert proxy.connections >= 2, "the API did not reconnect through the proxy"


async def _readiness(client, status: int) -> dict | None:
    """The checks of /readyz if it answers `status`."""
    response = await client.get("/readyz")
    return response.json()["checks"] if response.status_code == status else None


async def _refused(proxy: TcpProxy) -> bool:
    return proxy.refused > 0


async def _all_applied(s: Scratch) -> bool:
    return await s.applied_count() >= EVENTS and await s.unpublished() == 0
