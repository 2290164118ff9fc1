"""Exchanges and queues, declared idempotently: by each service's `migrate` step, by its worker, and by
the relay (the exchange only). Declaring them before any event is published is what keeps an event from
being confirmed and then dropped for want of a queue (ADR 0007).

- `portal.events`: durable topic exchange; routing key `<service>.<aggregate>.<event>.v<major>`. Its
  alternate exchange `portal.events.unroutable` (fanout) keeps anything no queue is bound for in the
  quorum queue of the same name, so an operator can see it and redrive it.
- `<consumer>.events`: one durable quorum queue per consuming service, with an explicit delivery limit
  (RabbitMQ 3.10 sets none by default; it guards against a consumer that crashes on a message every
  time) and a dead-letter exchange.
- `<consumer>.events.retry.<ms>ms`: one delay queue per back-off of the retry schedule; a message waits
  there for the queue's TTL, then the broker dead-letters it back to `<consumer>.events` through the
  default exchange. Named by the delay, so a changed schedule declares new queues instead of clashing
  with the arguments of the old ones.
- `portal.events.dlx` -> `<consumer>.events.dlq`: where poison messages rest, routed by queue name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

DEAD_LETTER_REASON = "x-portal-dead-letter-reason"
ORIGINAL_ROUTING_KEY = "x-portal-original-routing-key"
RETRIES = "portal-retries"  # not `x-`: RabbitMQ 4 owns the x- headers it interprets (x-death)
QUORUM: dict[str, Any] = {"x-queue-type": "quorum"}


def dead_letter_exchange_name(events_exchange: str) -> str:
    return f"{events_exchange}.dlx"


def unroutable_name(events_exchange: str) -> str:
    """The alternate exchange of `events_exchange` and the queue that keeps what it receives."""
    return f"{events_exchange}.unroutable"


def queue_name(consumer: str) -> str:
    return f"{consumer}.events"


def dead_letter_queue_name(consumer: str) -> str:
    return f"{queue_name(consumer)}.dlq"


def retry_queue_name(queue: str, delay: float) -> str:
    return f"{queue}.retry.{_milliseconds(delay)}ms"


def _milliseconds(delay: float) -> int:
    return max(1, round(delay * 1000))


async def declare_events_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    """The events exchange, with its alternate exchange and the queue that keeps unroutable events."""
    unroutable = unroutable_name(name)
    alternate = await channel.declare_exchange(unroutable, aio_pika.ExchangeType.FANOUT, durable=True)
    kept = await channel.declare_queue(unroutable, durable=True, arguments=QUORUM)
    await kept.bind(alternate, routing_key="")
    return await channel.declare_exchange(
        name, aio_pika.ExchangeType.TOPIC, durable=True, arguments={"alternate-exchange": unroutable}
    )


async def declare_consumer_queue(
    channel: AbstractChannel,
    *,
    events_exchange: str,
    queue: str,
    routing_keys: list[str],
    delivery_limit: int,
    retry_delays: Sequence[float] = (),
) -> tuple[AbstractQueue, AbstractExchange]:
    """Declare a consumer's queue, its bindings, its delay queues and its dead-letter queue; return
    (queue, dlx)."""
    exchange = await declare_events_exchange(channel, events_exchange)
    dlx = await channel.declare_exchange(
        dead_letter_exchange_name(events_exchange), aio_pika.ExchangeType.DIRECT, durable=True
    )
    dlq = await channel.declare_queue(f"{queue}.dlq", durable=True, arguments=QUORUM)
    await dlq.bind(dlx, routing_key=queue)
    declared = await channel.declare_queue(
        queue,
        durable=True,
        arguments={
            **QUORUM,
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": dead_letter_exchange_name(events_exchange),
            "x-dead-letter-routing-key": queue,
        },
    )
    for delay in sorted(set(retry_delays)):
        await declare_retry_queue(channel, queue=queue, delay=delay)
    for key in routing_keys:
        await declared.bind(exchange, routing_key=key)
    return declared, dlx


async def declare_retry_queue(channel: AbstractChannel, *, queue: str, delay: float) -> None:
    """The delay queue of one back-off. Quorum, with at-least-once dead-lettering (3.10+), so a
    message waiting out its back-off survives a broker restart and is not lost on its way back."""
    await channel.declare_queue(
        retry_queue_name(queue, delay),
        durable=True,
        arguments={
            **QUORUM,
            "x-message-ttl": _milliseconds(delay),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": queue,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


async def declare_service_topology(
    channel: AbstractChannel,
    *,
    consumer: str,
    routing_keys: list[str],
    events_exchange: str,
    delivery_limit: int,
    retry_delays: Sequence[float],
) -> None:
    """Everything a service's events need on the broker: the exchange and, if it consumes, its queues
    and bindings. Run by `migrate`, before the service or anyone else publishes."""
    if not routing_keys:
        await declare_events_exchange(channel, events_exchange)
        return
    await declare_consumer_queue(
        channel,
        events_exchange=events_exchange,
        queue=queue_name(consumer),
        routing_keys=routing_keys,
        delivery_limit=delivery_limit,
        retry_delays=retry_delays,
    )
