"""`python -m <service> migrate`: the service's schema (platform migrations, then its own) and its
exchange, queues and bindings."""

from __future__ import annotations

import aio_pika

from shared import db
from shared.bus.topology import declare_consumer_queue, declare_service_topology
from shared.migrations import Migration, load_migrations, migrate
from shared.service.definition import ServiceDefinition
from shared.settings import ServiceSettings


def service_migrations(definition: ServiceDefinition) -> list[Migration]:
    """The platform migrations the service asked for, then its own."""
    return load_migrations(
        schema=definition.name,
        service_migrations=definition.migrations,
        platform=definition.platform_migrations,
    )


async def run_migrations(definition: ServiceDefinition, settings: ServiceSettings) -> list[str]:
    conn = await db.connect(settings.dsn)
    try:
        applied = await migrate(conn, schema=definition.name, migrations=service_migrations(definition))
    finally:
        await conn.close()
    await declare_topology(definition, settings)
    return applied


async def declare_topology(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    """The service's exchange, queues and bindings: declared before anything is published, so no event
    is confirmed by the broker and then dropped for want of a queue."""
    connection = await aio_pika.connect(settings.amqp, client_properties={"connection_name": definition.name})
    try:
        channel = await connection.channel()
        await declare_service_topology(
            channel,
            consumer=definition.name,
            routing_keys=sorted(s.payload_type.routing_key() for s in definition.consumes),
            events_exchange=settings.events_exchange,
            delivery_limit=settings.consumer_delivery_limit,
            retry_delays=settings.consumer_retry_delays,
        )
        for queue, routing_keys in definition.work_queues.items():
            await declare_consumer_queue(
                channel,
                events_exchange=settings.events_exchange,
                queue=queue,
                routing_keys=sorted(routing_keys),
                delivery_limit=settings.consumer_delivery_limit,
                retry_delays=settings.consumer_retry_delays,
            )
    finally:
        await connection.close()
