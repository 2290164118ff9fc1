"""Run a service's API or worker inside the test's event loop, over real sockets."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from gateway.config import SERVICES
from gateway.config import Settings as GatewaySettings

# Ports are handed out below the kernel's ephemeral range (32768-60999 on Linux), in a block of their own
# per pytest-xdist worker. A port the kernel picked (bind to port 0) is free only until someone binds
# it: every outgoing connection of the run (to PostgreSQL, RabbitMQ, a service) takes an ephemeral port,
# and one taken between the pick and a started service's bind failed the service with "address already
# in use" (and every test that needed its stack).
_BLOCK = 2000
_BLOCKS = 6  # 20000-31999
_FIRST = 20000


def _block_start() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return _FIRST + (int(worker) % _BLOCKS if worker.isdigit() else 0) * _BLOCK


def _ports() -> Iterator[int]:
    first = _block_start()
    offset = random.randrange(_BLOCK)  # runs one after another start in different places
    for step in itertools.count():
        yield first + (offset + step) % _BLOCK


_next_port = _ports()


def free_port() -> int:
    """A port nothing listens on, not handed out before in this process (until the block wraps round)."""
    for _ in range(_BLOCK):
        port = next(_next_port)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # someone else's (RabbitMQ's 25672, another run's)
            return port
    raise RuntimeError(f"no free port among the {_BLOCK} from {_block_start()}")


def dead_url() -> str:
    """The URL of a port nothing listens on (a service that is down), never a default of `make run`."""
    return f"http://127.0.0.1:{free_port()}"


def no_upstreams() -> dict[str, str]:
    """The gateway's settings for every service URL, each down: an in-process gateway that talks to none."""
    return {f"{name}_url": dead_url() for name in SERVICES}


def gateway_settings(**settings: Any) -> GatewaySettings:
    """An in-process gateway's settings: the test environment, and every service down but those named."""
    return GatewaySettings(**{"environment": "test", **no_upstreams(), **settings})


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Serve `app` with uvicorn on a free port; yield a client bound to it."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        # Up to 30 s: on a machine busy with other test runs an app's start-up (a database pool) can take
        # seconds, and a client yielded before it listens fails with a confusing ConnectError.
        for _ in range(1500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        else:
            raise RuntimeError(f"{app.title} did not start listening on port {port} within 30 s")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def eventually(predicate, *, timeout: float = 10.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll an async predicate until it returns a truthy value; fail with the last value otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    last = None
    while asyncio.get_running_loop().time() < deadline:
        last = await predicate()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


@asynccontextmanager
async def gateway_in_front_of(
    upstream: FastAPI, services: tuple[str, ...], **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process gateway whose `services` are all `upstream` (the others down); yield a client of it."""
    from gateway.main import create_gateway

    async with serve(upstream) as served:
        base = str(served.base_url).rstrip("/")
        routed = {f"{service}_url": base for service in services}
        async with serve(create_gateway(gateway_settings(**routed, **settings))) as client:
            yield client
