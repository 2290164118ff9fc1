"""`python -m <service> worker` and the service's other process kinds: the outbox relay, the consumers
and any extra tasks, each configured from the service's settings and run until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from shared.bus import Consumer, OutboxRelay
from shared.events import Envelope
from shared.logging import get_logger
from shared.loop import stop_on_signals
from shared.service.definition import ServiceDefinition
from shared.service.runtime import Runtime, close_runtime, open_runtime
from shared.settings import ServiceSettings
from shared.telemetry import flush_telemetry

log = get_logger(__name__)


def outbox_relay(runtime: Runtime) -> OutboxRelay:
    """The relay of the service's outbox, configured from its settings."""
    settings = runtime.settings
    return OutboxRelay(
        pool=runtime.pool,
        schema=runtime.definition.name,
        connection=runtime.broker,
        events_exchange=settings.events_exchange,
        batch_size=settings.relay_batch_size,
        concurrency=settings.relay_concurrency,
        poll_seconds=settings.relay_poll_seconds,
        retention=timedelta(days=settings.outbox_retention_days),
        publish_timeout=settings.relay_publish_timeout_seconds,
        metrics=runtime.metrics,
    )


def event_consumer(
    runtime: Runtime, *, on_committed: Callable[[Envelope], Awaitable[None]] | None = None
) -> Consumer:
    """The consumer of the service's subscriptions, configured from its settings."""
    settings = runtime.settings
    return Consumer(
        name=runtime.definition.name,
        pool=runtime.pool,
        schema=runtime.definition.name,
        connection=runtime.broker,
        events_exchange=settings.events_exchange,
        subscriptions=runtime.definition.consumes,
        delivery_limit=settings.consumer_delivery_limit,
        retry_delays=settings.consumer_retry_delays,
        inbox_retention=timedelta(days=settings.inbox_retention_days),
        prefetch=settings.consumer_prefetch,
        batch_size=settings.consumer_batch_size,
        appliers=settings.consumer_appliers,
        on_committed=on_committed,
        metrics=runtime.metrics,
    )


async def run_worker(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    *,
    stop: asyncio.Event | None = None,
    relay: bool = True,
    consume: bool = True,
) -> None:
    """Run the relay, the consumers and any extra worker tasks until `stop` (or a signal), with the
    worker's probes and metrics on `worker_port`."""
    stop = stop or stop_on_signals()
    runtime = await open_runtime(definition, settings)
    consumer: Consumer | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        async with runtime.probes(settings.worker_port):
            if relay:
                tasks.append(asyncio.create_task(outbox_relay(runtime).run(stop), name="relay"))
            if consume and definition.consumes:
                consumer = event_consumer(runtime)
                await consumer.start()
            for task in definition.worker_tasks:
                tasks.append(asyncio.create_task(task(runtime, stop)))
            log.info(
                "worker_started",
                relay=relay,
                consumers=bool(consumer),
                extra_tasks=len(definition.worker_tasks),
            )
            await stop.wait()
    finally:
        log.info("worker_stopping")
        if consumer is not None:
            await consumer.stop()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await close_runtime(runtime)
        flush_telemetry()


async def run_command(
    definition: ServiceDefinition, settings: ServiceSettings, name: str, *, stop: asyncio.Event | None = None
) -> None:
    """Run the extra process kind `name` of a service until `stop` (or a signal), with its probes and
    metrics on the port of its `<name>_port` setting."""
    runtime = await open_runtime(definition, settings)
    try:
        async with runtime.probes(getattr(settings, f"{name}_port")):
            await definition.commands[name](runtime, stop or stop_on_signals())
    finally:
        await close_runtime(runtime)
        flush_telemetry()


async def run_once(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    operation: Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]],
) -> None:
    """Run a one-shot operation (dead letters, outbox replay): no probes, it ends by itself."""
    runtime = await open_runtime(definition, settings)
    try:
        await operation(runtime, asyncio.Event())
    finally:
        await close_runtime(runtime)
        flush_telemetry()
