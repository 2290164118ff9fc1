"""Service defaults: what every service switches on with one call.

A service declares a `ServiceDefinition` (its name, settings class, routers, subscriptions) and gets:
- `create_api(...)`: the FastAPI app with pool, broker, token verification, probes and metrics;
- `run_worker(...)`: its outbox relay and its consumers, until SIGTERM/SIGINT;
- `cli(...)`: `python -m <service> api|worker|migrate`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.resources.abc import Traversable
from typing import Annotated, Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractRobustConnection
from fastapi import APIRouter, Depends, FastAPI, Request

from shared import db
from shared.auth import TokenVerifier
from shared.bus import Consumer, Outbox, OutboxRelay, Subscription
from shared.bus.metrics import BusMetrics
from shared.bus.topology import declare_consumer_queue, declare_service_topology
from shared.events import Envelope
from shared.http import create_app, internal_app
from shared.internal import internal_listener
from shared.logging import configure_logging, get_logger
from shared.loop import run_event_loop, settle_garbage_collector, stop_on_signals
from shared.migrations import OUTBOX_INBOX, Migration, load_migrations, migrate
from shared.settings import ServiceSettings, load_settings
from shared.telemetry import configure_telemetry, flush_telemetry

log = get_logger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str  # also the schema name and the consumer name
    title: str
    settings_cls: type[ServiceSettings]
    # The service's own SQL migrations, package data: `importlib.resources.files("<service>") / "migrations"`.
    migrations: Traversable | None = None
    routers: Sequence[APIRouter] = ()
    subscriptions: Sequence[Subscription] = ()
    # Work queues of the service's extra process kinds, by queue name, with the routing keys they take
    # (e.g. reports.render): declared by `migrate` like the service's own queue.
    work_queues: Mapping[str, Sequence[str]] = field(default_factory=dict)
    platform_migrations: tuple[str, ...] = (OUTBOX_INBOX,)
    # Extra background tasks for the worker (e.g. reports' renderer), each run until stop is set.
    worker_tasks: Sequence[Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]] = ()
    # Extra process kinds: `python -m <service> <name>` runs it until SIGTERM (e.g. reports' render);
    # its probes and metrics are on the port of the setting `<name>_port`, which the service declares.
    commands: Mapping[str, Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]] = field(
        default_factory=dict
    )
    # Extra set-up of app.state at API start (e.g. identity's signing keys).
    on_api_start: Callable[[Runtime, FastAPI], Awaitable[None]] | None = None
    # And its tear-down (e.g. identity's hashing threads).
    on_api_stop: Callable[[Runtime, FastAPI], Awaitable[None]] | None = None


@dataclass
class Runtime:
    """The real dependencies of one process, chosen once (the composition root)."""

    definition: ServiceDefinition
    settings: ServiceSettings
    pool: asyncpg.Pool
    broker: AbstractRobustConnection
    outbox: Outbox
    state: dict[str, Any] = field(default_factory=dict)
    metrics: BusMetrics = field(default_factory=BusMetrics)  # of the relay and consumers it runs

    async def db_ready(self) -> bool:
        return await db.ping(self.pool)

    async def broker_ready(self) -> bool:
        return not self.broker.is_closed and self.broker.connected.is_set()

    def probes(self, port: int) -> AbstractAsyncContextManager[int]:
        """A worker's /healthz, /readyz and /metrics on `port` of the internal listener."""
        app = internal_app(
            self.metrics.registry,
            readiness={"database": self.db_ready, "broker": self.broker_ready},
            refresh=lambda: self.metrics.measure(pool=self.pool, broker=self.broker),
        )
        return internal_listener(app, host=self.settings.metrics_host, port=port)


async def open_runtime(definition: ServiceDefinition, settings: ServiceSettings) -> Runtime:
    pool = await db.create_pool(settings.dsn, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
    try:
        broker = await aio_pika.connect_robust(
            settings.amqp, client_properties={"connection_name": definition.name}
        )
    except Exception:
        await pool.close()
        raise
    return Runtime(definition, settings, pool, broker, Outbox(definition.name))


async def close_runtime(runtime: Runtime) -> None:
    await runtime.broker.close()
    await runtime.pool.close()


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
            routing_keys=sorted(s.payload_type.routing_key() for s in definition.subscriptions),
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


def token_verifier(settings: ServiceSettings) -> TokenVerifier | None:
    if not settings.token_jwks_json and not settings.token_jwks_url:
        return None
    return TokenVerifier(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        jwks_json=settings.token_jwks_json,
        jwks_url=settings.token_jwks_url,
    )


def create_api(definition: ServiceDefinition, settings: ServiceSettings) -> FastAPI:
    holder: dict[str, Runtime] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await open_runtime(definition, settings)
        holder["runtime"] = runtime
        app.state.runtime = runtime
        app.state.token_verifier = token_verifier(settings)
        if definition.on_api_start is not None:
            await definition.on_api_start(runtime, app)
        log.info("api_started", port=settings.http_port)
        try:
            yield
        finally:
            if definition.on_api_stop is not None:
                await definition.on_api_stop(runtime, app)
            await close_runtime(runtime)
            flush_telemetry()

    async def db_ready() -> bool:
        return "runtime" in holder and await holder["runtime"].db_ready()

    async def broker_ready() -> bool:
        return "runtime" in holder and await holder["runtime"].broker_ready()

    from shared.operations import operations_router  # it depends on this module's Runtime

    operations = [operations_router(definition.name)] if definition.subscriptions else []
    return create_app(
        service=definition.name,
        title=definition.title,
        routers=[*definition.routers, *operations],
        readiness={"database": db_ready, "broker": broker_ready},
        lifespan=lifespan,
        internal=(settings.metrics_host, settings.metrics_port),
    )


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


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
        subscriptions=runtime.definition.subscriptions,
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
            if consume and definition.subscriptions:
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


def cli(definition: ServiceDefinition, argv: Sequence[str] | None = None) -> None:
    """`python -m <service> api | worker | migrate | dead-letters ... | outbox ...`."""
    from shared.operations import OPERATIONS, operation_command

    parser = argparse.ArgumentParser(prog=definition.name, description=definition.title)
    parser.add_argument("command", choices=["api", "worker", "migrate", *OPERATIONS, *definition.commands])
    parser.add_argument("words", nargs=argparse.REMAINDER, help="the operation's own arguments")
    args = parser.parse_args(argv)
    if args.command in OPERATIONS:
        operation = operation_command(definition.name, [args.command, *args.words])
    settings = load_settings(definition.settings_cls)
    configure_logging(service=definition.name, level=settings.log_level, json=settings.log_json)
    configure_telemetry(service=definition.name, otlp_endpoint=settings.otlp_endpoint)
    if args.command == "api":
        import uvicorn

        app = create_api(definition, settings)
        settle_garbage_collector()
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            proxy_headers=False,
        )
    elif args.command == "worker":
        run_event_loop(run_worker(definition, settings))
    elif args.command == "migrate":
        applied = run_event_loop(run_migrations(definition, settings))
        log.info("migrations_done", applied=len(applied))
    elif args.command in OPERATIONS:
        run_event_loop(run_once(definition, settings, operation))
    else:
        run_event_loop(run_command(definition, settings, args.command))
    sys.exit(0)
