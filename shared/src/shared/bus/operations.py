"""What an operator does to the backbone by hand: look at dead letters, redrive them, replay the outbox.

Dead letters are read with `basic.get` on a channel of their own and not acked, so closing the channel
gives back whatever was only looked at. A redriven message goes straight to its work queue (by the
default exchange) as a fresh message: no reason, no retry count, so it gets its full attempts again. The
consumers are idempotent, so a redrive or a replay of something already applied changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import aio_pika
import asyncpg
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from shared.bus.settle import BROKER_HEADERS
from shared.bus.topology import (
    DEAD_LETTER_REASON,
    ORIGINAL_ROUTING_KEY,
    RETRIES,
    dead_letter_queue_name,
    queue_name,
)
from shared.db import ident


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    routing_key: str
    reason: str


async def list_dead_letters(
    connection: AbstractConnection, *, consumer: str, limit: int = 100
) -> list[DeadLetter]:
    """Up to `limit` dead letters of the consumer's queue, oldest first; they stay where they are."""
    channel = await connection.channel()
    try:
        return [_describe(m) for m in await _take(channel, dead_letter_queue_name(consumer), limit)]
    finally:
        await channel.close()  # gives every message taken back to the queue


async def redrive_dead_letters(
    connection: AbstractConnection, *, consumer: str, event_ids: Collection[str] | None = None
) -> list[str]:
    """Move the dead letters with these event ids (all when None) back to the work queue, each copy
    confirmed before its dead letter is acked; return the event ids moved."""
    channel = await connection.channel(publisher_confirms=True)
    moved: list[str] = []
    try:
        for message in await _take(channel, dead_letter_queue_name(consumer), limit=None):
            if event_ids is not None and message.message_id not in event_ids:
                continue
            await channel.default_exchange.publish(_fresh_copy(message), routing_key=queue_name(consumer))
            await message.ack()
            moved.append(message.message_id or "")
    finally:
        await channel.close()
    return moved


async def replay_outbox(pool: asyncpg.Pool, *, schema: str, since: datetime) -> int:
    """Mark the events written since `since` unpublished, so the relay publishes them again; return how
    many. Only what the outbox retention has kept can be replayed."""
    result = await pool.execute(
        f"UPDATE {ident(schema)}.outbox SET published_at = NULL"
        " WHERE created_at >= $1 AND published_at IS NOT NULL",
        since,
    )
    return int(result.split()[-1])


async def _take(
    channel: aio_pika.abc.AbstractChannel, queue: str, limit: int | None
) -> list[AbstractIncomingMessage]:
    """The messages ready in `queue` (at most `limit`), held unacked on `channel`."""
    declared = await channel.declare_queue(queue, passive=True)
    count = declared.declaration_result.message_count or 0
    taken: list[AbstractIncomingMessage] = []
    while len(taken) < (count if limit is None else min(count, limit)):
        message = await declared.get(no_ack=False, fail=False)
        if message is None:
            break
        taken.append(message)
    return taken


def _describe(message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    reason = _text(headers.get(DEAD_LETTER_REASON))
    if not reason:  # the broker dead-lettered it (a consumer crashed on it at every delivery)
        reason = "dead-lettered by the broker: " + _text(headers.get("x-first-death-reason"))
    return DeadLetter(
        event_id=message.message_id or "",
        routing_key=_text(headers.get(ORIGINAL_ROUTING_KEY)) or message.routing_key or "",
        reason=reason,
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _fresh_copy(message: AbstractIncomingMessage) -> aio_pika.Message:
    dropped = {DEAD_LETTER_REASON, RETRIES, *BROKER_HEADERS}
    return aio_pika.Message(
        body=message.body,
        headers={k: v for k, v in (message.headers or {}).items() if k not in dropped},
        content_type=message.content_type,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
