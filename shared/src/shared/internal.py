"""The internal listener: a second HTTP server in the same process, on a port that is never public.

It serves `/metrics` of every process (the gateway and the service APIs keep only their probes on the
public port), and for workers, which have no public port, `/healthz` and `/readyz` too. Kubernetes
probes and Prometheus reach it on the pod's address; the gateway never proxies to it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from shared.logging import get_logger

log = get_logger(__name__)
Refresh = Callable[[], Awaitable[None]]
REFRESH_TIMEOUT_SECONDS = 2.0


def metrics_router(registry: CollectorRegistry, *, refresh: Refresh | None = None) -> APIRouter:
    """`/metrics` of `registry`; `refresh` first sets the gauges measured at scrape time."""
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    async def metrics() -> Response:
        if refresh is not None:
            try:
                await asyncio.wait_for(refresh(), timeout=REFRESH_TIMEOUT_SECONDS)
            except Exception as exc:  # the counters are still worth serving
                log.warning("metrics_refresh_failed", error=repr(exc))
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


class _InternalServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the process's own server or worker loop handles SIGTERM and stops this one


@contextlib.asynccontextmanager
async def internal_listener(app: FastAPI, *, host: str, port: int) -> AsyncIterator[int]:
    """Serve `app` on host:port (0: a free port) while the block runs; yield the port."""
    server = _InternalServer(
        uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="off", access_log=False)
    )
    task = asyncio.create_task(server.serve(), name="internal-listener")
    while not server.started:
        if task.done():
            task.result()  # the bind failed: uvicorn says why and exits
            raise RuntimeError("internal listener stopped before it started")
        await asyncio.sleep(0.01)
    bound = int(server.servers[0].sockets[0].getsockname()[1])
    log.info("internal_listener_started", port=bound)
    try:
        yield bound
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
