"""A real worker process killed while it sends: the mail it had claimed and not yet delivered is sent once
by the next sender. The first sink never answers the message's end of data (a server that hangs), so the
worker is caught holding its claim mid-send, and is SIGKILLed there."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid

from devtools.mail_sink import MailSink, serving
from messaging.notifications.sender import send_due
from tests.messaging.integration.test_notifications import DELAYS, queue_one, rows_of
from tests.messaging.notification_support import addressed, mailbox, messaging_pool, smtp_sink
from tests.support.inprocess import eventually

# The worker's senders alone (no relay, no consumer: the run's queues are other tests' business).
WORKER = """
import asyncio
from messaging.main import DEFINITION
from shared.service import run_worker
from shared.settings import load_settings
asyncio.run(run_worker(DEFINITION, load_settings(DEFINITION.settings_cls), relay=False, consume=False))
"""


class HangingSink(MailSink):
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.arrived.set()
        await asyncio.Event().wait()  # never answers: the client waits for its 250
        return "250 never"


async def test_a_worker_killed_mid_send_leaves_the_mail_to_the_next_sender_which_sends_it_once(env):
    authority_id = uuid.uuid4()
    team = mailbox("killed")
    hanging = HangingSink()
    async with messaging_pool(env) as pool, pool.acquire() as conn, serving(hanging) as port:
        await queue_one(conn, authority_id, [team])
        variables = {
            **{k: v for k, v in os.environ.items() if not k.startswith("MESSAGING_")},
            **env.env_vars("messaging"),
            "MESSAGING_SEND_NOTIFICATIONS": "true",
            "MESSAGING_SINK_PORT": str(port),
            "MESSAGING_NOTIFICATION_POLL_SECONDS": "0.1",
        }
        worker = await asyncio.create_subprocess_exec(sys.executable, "-c", WORKER, env=variables)
        try:
            await asyncio.wait_for(hanging.arrived.wait(), timeout=30)
            free = await conn.fetch(  # none: the row is locked by the worker's transaction
                "SELECT notification_id FROM messaging.notification WHERE authority_id = $1"
                " FOR UPDATE SKIP LOCKED",
                authority_id,
            )
            worker.send_signal(signal.SIGKILL)
            assert await worker.wait() == -signal.SIGKILL
        finally:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
        # The server notices the dead connection and ends its transaction: the row is free again.
        await eventually(lambda: _unlocked(pool, authority_id), timeout=20)
        async with smtp_sink() as (sink, backend):
            done = await send_due(
                pool, backend, batch_size=10, retry_delays=DELAYS, authority_id=authority_id
            )
        rows = await rows_of(conn, authority_id)
    assert free == []
    assert hanging.received == []
    assert done.sent == 1
    assert addressed(sink, team.address) == [team.address]
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 1)]


async def _unlocked(pool, authority_id):
    async with pool.acquire() as conn:
        return await conn.fetch(
            "SELECT notification_id FROM messaging.notification WHERE authority_id = $1 AND status = 'pending'"
            " FOR UPDATE SKIP LOCKED",
            authority_id,
        )
