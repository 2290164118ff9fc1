"""The real dependencies of one process (pool, broker, outbox), opened once at start, and the FastAPI
dependencies that hand them to routes."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Annotated, Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractRobustConnection
from fastapi import Depends, Request

from shared import db
from shared.bus import Outbox
from shared.bus.metrics import BusMetrics
from shared.http import internal_app
from shared.internal import internal_listener
from shared.service.definition import ServiceDefinition
from shared.settings import ServiceSettings
from shared.uow import Work


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

    @property
    def work(self) -> Work:
        """Where the handlers' units of work come from (shared.uow)."""
        return Work(self.pool, self.outbox)

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


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_work(request: Request) -> Work:
    # async, like get_runtime: a plain function would be run on a thread for every request
    return (await get_runtime(request)).work


WorkDep = Annotated[Work, Depends(get_work)]
