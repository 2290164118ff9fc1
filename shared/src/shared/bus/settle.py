"""How a consumer lets go of each message it holds: acked after its commit, given back for another try
after a back-off, or copied to the dead-letter queue with the reason and then acked.

Every delivery is held from its arrival (`hold`) until one of these settles it, so that a committed
batch can be acked with one frame when nothing earlier is still in hand (see `shared.bus.acks`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage

from shared.bus.acks import InHand
from shared.bus.delivery import Delivery
from shared.bus.metrics import BusMetrics
from shared.bus.topology import DEAD_LETTER_REASON, ORIGINAL_ROUTING_KEY
from shared.logging import get_logger

log = get_logger(__name__)


def backoff_seconds(attempt: int) -> float:
    return float(min(0.1 * 2 ** (attempt - 1), 5.0))


class Settlement:
    def __init__(self, *, queue: str, delivery_limit: int, metrics: BusMetrics) -> None:
        self.queue = queue
        self.metrics = metrics
        self.delivery_limit = delivery_limit
        self.dead_letters: AbstractExchange | None = None  # set once the consumer has declared its queue
        self._in_hand = InHand()

    def hold(self, message: AbstractIncomingMessage) -> None:
        self._in_hand.hold(message)

    async def ack_committed(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Ack the messages of a committed batch, with one frame where InHand allows it."""
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
        self._in_hand.release(message)
        try:
            await message.nack(requeue=True)
        except Exception as exc:  # the channel broke: the broker redelivers it anyway
            log.warning("event_nack_failed", error=repr(exc))

    async def retry_or_dead_letter(self, failed: Delivery, exc: Exception) -> None:
        """Back off, then give the message back for another delivery; dead-letter it at the limit."""
        message = failed.message
        with failed.context():
            previous = (message.headers or {}).get("x-delivery-count", 0)
            delivery = (previous if isinstance(previous, int) else 0) + 1
            if delivery >= self.delivery_limit:
                await self.dead_letter(message, reason=f"failed {delivery} deliveries: {exc!r}")
            else:
                wait = backoff_seconds(delivery)
                log.warning("event_failed_will_retry", error=repr(exc), delivery=delivery, retry_in=wait)
                await asyncio.sleep(wait)
                self.metrics.retries.inc()
                await self.requeue(message)
        failed.span.end()

    async def dead_letter(self, message: AbstractIncomingMessage, *, reason: str) -> None:
        """Copy the message to this queue's DLQ with the reason, confirmed, then ack the original."""
        assert self.dead_letters is not None
        headers = dict(message.headers or {})
        headers[DEAD_LETTER_REASON] = reason[:1000]
        headers[ORIGINAL_ROUTING_KEY] = message.routing_key or ""
        try:
            await self.dead_letters.publish(
                aio_pika.Message(
                    body=message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=self.queue,
            )
        except Exception as exc:
            log.warning("dead_letter_publish_failed", error=repr(exc))
            await self.requeue(message)
            return
        self.metrics.dead_lettered.inc()
        log.error("event_dead_lettered", queue=self.queue, event_id=message.message_id, reason=reason)
        self._in_hand.release(message)
        await self.ack(message)
