"""Exchanges and queues, declared idempotently by whoever starts first.

- `portal.events`: durable topic exchange; routing key `<service>.<aggregate>.<event>.v<major>`.
- `<consumer>.events`: one durable quorum queue per consuming service, with an explicit delivery limit
  (RabbitMQ 3.10 sets none by default) and a dead-letter exchange.
- `portal.events.dlx` -> `<consumer>.events.dlq`: where poison messages rest, routed by queue name.
"""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

DEAD_LETTER_REASON = "x-portal-dead-letter-reason"
ORIGINAL_ROUTING_KEY = "x-portal-original-routing-key"


def dead_letter_exchange_name(events_exchange: str) -> str:
    return f"{events_exchange}.dlx"


def queue_name(consumer: str) -> str:
    return f"{consumer}.events"


def dead_letter_queue_name(consumer: str) -> str:
    return f"{queue_name(consumer)}.dlq"


async def declare_events_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_consumer_queue(
    channel: AbstractChannel,
    *,
    events_exchange: str,
    queue: str,
    routing_keys: list[str],
    delivery_limit: int,
) -> tuple[AbstractQueue, AbstractExchange]:
    """Declare a consumer's queue, its bindings and its dead-letter queue; return (queue, dlx)."""
    exchange = await declare_events_exchange(channel, events_exchange)
    dlx = await channel.declare_exchange(
        dead_letter_exchange_name(events_exchange), aio_pika.ExchangeType.DIRECT, durable=True
    )
    dlq = await channel.declare_queue(f"{queue}.dlq", durable=True, arguments={"x-queue-type": "quorum"})
    await dlq.bind(dlx, routing_key=queue)
    declared = await channel.declare_queue(
        queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": dead_letter_exchange_name(events_exchange),
            "x-dead-letter-routing-key": queue,
        },
    )
    for key in routing_keys:
        await declared.bind(exchange, routing_key=key)
    return declared, dlx
