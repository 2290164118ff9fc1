"""Render jobs given up on are failed runs, not runs queued forever.

A render that crashes its worker process is never acked: the broker redelivers it, counts the
deliveries, and once the render queue's delivery limit is reached dead-letters it to
`reports.render.dlq` (as the consumer does with a job that keeps failing for another reason). This
consumer marks each of those runs failed, so the user sees it, and acks the message: there is
nothing to redrive, as a failed run is never rendered again (the user starts a new one).
"""

from __future__ import annotations

import asyncio
import uuid

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from pydantic import ValidationError

from reports.handlers.rendering import abandon_run
from reports.metrics import RenderMetrics
from shared.bus.topology import DEAD_LETTER_REASON
from shared.events import Envelope, ReportRunRequested
from shared.logging import get_logger
from shared.service import Runtime

log = get_logger(__name__)
DATABASE_RETRY_SECONDS = 1.0


class AbandonedRenders:
    def __init__(self, runtime: Runtime, *, queue: str, metrics: RenderMetrics | None = None) -> None:
        self.runtime = runtime
        self.queue = queue
        self.metrics = metrics
        self._channel: AbstractChannel | None = None

    async def start(self) -> None:
        """Consume the dead letters of the render queue (declared, with its binding, by the render
        consumer: start that first)."""
        connection: AbstractRobustConnection = self.runtime.broker
        self._channel = await connection.channel()
        await self._channel.set_qos(prefetch_count=8)
        queue = await self._channel.declare_queue(
            self.queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.consume(self._on_message)

    async def stop(self) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        run_id = _run_id(message)
        reason = (message.headers or {}).get(DEAD_LETTER_REASON) or _death_reason(message)
        if run_id is None:  # not a render job: nothing to mark, nothing a redrive could do
            log.error("render_dead_letter_unreadable", message_id=message.message_id, reason=str(reason))
            await message.ack()
            return
        try:
            failed = await abandon_run(self.runtime.work, run_id=run_id, cause=str(reason))
        except Exception as exc:  # the database is away: keep the message for when it is back
            log.warning("render_dead_letter_waiting_for_database", run_id=str(run_id), error=repr(exc))
            await asyncio.sleep(DATABASE_RETRY_SECONDS)
            await message.nack(requeue=True)
            return
        log.error("report_run_abandoned", run_id=str(run_id), marked_failed=failed, reason=str(reason))
        if failed and self.metrics is not None:
            self.metrics.abandoned.inc()
        await message.ack()


def _run_id(message: AbstractIncomingMessage) -> uuid.UUID | None:
    try:
        envelope = Envelope.model_validate_json(message.body)
        if envelope.routing_key != ReportRunRequested.routing_key():
            return None
        return ReportRunRequested.model_validate(envelope.payload).run_id
    except ValidationError:
        return None


def _death_reason(message: AbstractIncomingMessage) -> str:
    """The broker's own reason (x-death), e.g. `delivery_limit` for a job that crashed its workers."""
    deaths = (message.headers or {}).get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return str(deaths[0].get("reason", "unknown"))
    return "unknown"
