"""How a consumer lets go of each message it holds: acked after its commit, copied to a delay queue for
another try after a back-off, or copied to the dead-letter queue with the reason; the copy is confirmed
before the original is acked.

Retries count themselves in the `portal-retries` header of the copy, so the limit does not depend on how
a broker version counts requeues (ADR 0008); the queue's own delivery limit stays as the guard against a
consumer that crashes on a message every time.

Every delivery is held from its arrival (`hold`) until one of these settles it, so that a committed
batch can be acked with one frame when nothing earlier is still in hand (see `shared.bus.acks`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage

from shared.bus.acks import InHand
from shared.bus.delivery import Delivery
from shared.bus.metrics import BusMetrics
from shared.bus.topology import DEAD_LETTER_REASON, ORIGINAL_ROUTING_KEY, RETRIES, retry_queue_name
from shared.logging import get_logger

log = get_logger(__name__)


DEFAULT_RETRY_DELAYS = (5.0, 30.0, 120.0, 600.0)
# Headers the broker sets on a message it dead-letters; a copy starts without them.
BROKER_HEADERS = ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason")


def backoff_seconds(attempt: int) -> float:
    """The in-place back-off while the database is unreachable (a retry of the commit, not of the event)."""
    return float(min(0.1 * 2 ** (attempt - 1), 5.0))


class Settlement:
    def __init__(
        self,
        *,
        queue: str,
        metrics: BusMetrics,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        max_attempts: int | None = None,
    ) -> None:
        self.queue = queue
        self.metrics = metrics
        self.retry_delays = tuple(retry_delays)
        self.max_attempts = max_attempts or len(self.retry_delays) + 1
        # Both set once the consumer has declared its queues.
        self.dead_letters: AbstractExchange | None = None
        self.retries: AbstractExchange | None = None  # the channel's default exchange
        self._in_hand = InHand()
        # Which deliveries are still in hand is read and the acks are sent under one lock: a multiple ack
        # worked out while another applier's acks (or a retry's) are still being sent would settle their
        # messages first, and their own acks then close the channel ("unknown delivery tag").
        self._settling = asyncio.Lock()

    def hold(self, message: AbstractIncomingMessage) -> None:
        self._in_hand.hold(message)

    async def ack_committed(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Ack the messages of a committed batch, with one frame where InHand allows it."""
        async with self._settling:
            for message, multiple in self._in_hand.acks(messages):
                await self.ack(message, multiple=multiple)

    async def ack(self, message: AbstractIncomingMessage, *, multiple: bool = False) -> None:
        """Ack (with `multiple`, every delivery of the channel up to this one). If the channel broke
        meanwhile, the broker delivers the messages again and the inbox recognises them: nothing to do
        here but say so."""
        try:
            await message.ack(multiple=multiple)
        except Exception as exc:
            log.warning("event_ack_failed", error=repr(exc), message_id=message.message_id, multiple=multiple)

    async def requeue(self, message: AbstractIncomingMessage) -> None:
        async with self._settling:
            self._in_hand.release(message)
            try:
                await message.nack(requeue=True)
            except Exception as exc:  # the channel broke: the broker redelivers it anyway
                log.warning("event_nack_failed", error=repr(exc))

    async def retry_or_dead_letter(self, failed: Delivery, exc: Exception) -> None:
        """Send the message to wait out its back-off in a delay queue; dead-letter it at its limit (the
        subscription's own, or the consumer's)."""
        message = failed.message
        with failed.context():
            attempts = retries_of(message) + 1
            limit = failed.subscription.max_attempts or self.max_attempts
            if attempts >= limit or not self.retry_delays:
                await self.dead_letter(message, reason=f"failed {attempts} attempts: {exc!r}")
            else:
                wait = self.retry_delays[min(attempts, len(self.retry_delays)) - 1]
                log.warning("event_failed_will_retry", error=repr(exc), attempt=attempts, retry_in=wait)
                self.metrics.retries.inc()
                await self._copy_then_ack(
                    message,
                    self.retries,
                    routing_key=retry_queue_name(self.queue, wait),
                    headers={RETRIES: attempts},
                )
        failed.span.end()

    async def dead_letter(self, message: AbstractIncomingMessage, *, reason: str) -> None:
        """Copy the message to this queue's DLQ with the reason, confirmed, then ack the original."""
        if await self._copy_then_ack(
            message, self.dead_letters, routing_key=self.queue, headers={DEAD_LETTER_REASON: reason[:1000]}
        ):
            self.metrics.dead_lettered.inc()
            log.error("event_dead_lettered", queue=self.queue, event_id=message.message_id, reason=reason)

    async def _copy_then_ack(
        self,
        message: AbstractIncomingMessage,
        exchange: AbstractExchange | None,
        *,
        routing_key: str,
        headers: dict[str, Any],
    ) -> bool:
        """Publish a copy (confirmed) with `headers` added, then ack the original; if the copy fails,
        give the original back to the queue instead. True when copied."""
        assert exchange is not None
        try:
            await exchange.publish(copy_of(message, headers), routing_key=routing_key)
        except Exception as exc:
            log.warning("event_copy_failed", error=repr(exc), routing_key=routing_key)
            await self.requeue(message)
            return False
        async with self._settling:
            self._in_hand.release(message)
            await self.ack(message)
        return True


def retries_of(message: AbstractIncomingMessage) -> int:
    retries = (message.headers or {}).get(RETRIES, 0)
    return retries if isinstance(retries, int) else 0


def copy_of(message: AbstractIncomingMessage, headers: dict[str, Any]) -> aio_pika.Message:
    """A persistent copy of `message` with `headers` added; it keeps the original routing key in a
    header (the copy is routed by queue name) and none of the broker's dead-lettering headers."""
    kept = {k: v for k, v in (message.headers or {}).items() if k not in BROKER_HEADERS}
    kept.setdefault(ORIGINAL_ROUTING_KEY, message.routing_key or "")
    return aio_pika.Message(
        body=message.body,
        headers={**kept, **headers},
        content_type=message.content_type,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
