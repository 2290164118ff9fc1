"""The benchmark's worker processes, one per role, as in production: identity's relay and actuals'
consumer are separate processes (and separate from the process that writes, standing for the API).

A child says ("ready",) once connected; a consumer child says ("done", records) once it has committed the
number of events it was told to expect; every child stops when the parent says ("stop",).
"""

from __future__ import annotations

import asyncio
import cProfile
import multiprocessing
import os
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from bench.naive import NaiveRelay
from shared.bus import OutboxRelay
from shared.bus.topology import declare_consumer_queue, queue_name
from shared.events import Envelope
from shared.logging import configure_logging
from shared.loop import run_event_loop
from shared.service import (
    ServiceDefinition,
    close_runtime,
    event_consumer,
    open_runtime,
    outbox_relay,
)
from shared.settings import ServiceSettings
from shared.telemetry import configure_telemetry
from tests.support.environment import RunEnvironment, definitions

RAW_CONSUMER = "bench_raw"
RAW_ROUTING_KEY = "bench.raw.v1"
# (event id, timestamp in the event, consumer commit time), all seconds since the epoch.
Record = tuple[str, float, float]


@dataclass(frozen=True)
class Role:
    kind: str  # a key of ROLES
    run_id: str
    service: str
    tag: str = ""  # a consumer counts only events whose correlation id starts with it
    expected: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    log_path: str = os.devnull
    profile_dir: str | None = None  # write a cProfile of the process there


class Child:
    """A role running in its own process, driven from the parent's event loop."""

    def __init__(self, role: Role) -> None:
        context = multiprocessing.get_context("spawn")
        self.role = role
        self.pipe, child_end = context.Pipe()
        self.process = context.Process(target=child_main, args=(role, child_end), name=role.kind)

    async def start(self) -> None:
        self.process.start()
        message = await self.receive(timeout=60)
        if message != ("ready",):
            raise RuntimeError(f"{self.role.kind} did not start: {message!r}")

    async def receive(self, *, timeout: float) -> Any:
        def wait() -> Any:
            if not self.pipe.poll(timeout):
                raise TimeoutError(f"{self.role.kind}: nothing within {timeout}s")
            return self.pipe.recv()

        return await asyncio.to_thread(wait)

    async def cpu_seconds(self) -> float:
        """User + system CPU time the child has used so far."""
        self.pipe.send(("cpu",))
        kind, seconds = await self.receive(timeout=30)
        assert kind == "cpu", kind
        return float(seconds)

    async def stop(self) -> None:
        if self.process.is_alive():
            self.pipe.send(("stop",))
            await asyncio.to_thread(self.process.join, 30)
        if self.process.is_alive():
            self.process.terminate()
            await asyncio.to_thread(self.process.join, 10)


def child_main(role: Role, pipe: Connection) -> None:
    log = os.open(role.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 2)  # the worker logs as in production (JSON, INFO), just not onto the report
    configure_logging(service=role.service, level="INFO", json=True)
    configure_telemetry(service=role.service, otlp_endpoint=None)
    if role.profile_dir is None:
        run_event_loop(ROLES[role.kind](role, pipe))
        return
    with cProfile.Profile() as profile:
        run_event_loop(ROLES[role.kind](role, pipe))
    profile.dump_stats(
        os.path.join(role.profile_dir, f"{role.kind}-{role.tag or role.service}-{os.getpid()}.prof")
    )


def service_settings(role: Role) -> tuple[ServiceDefinition, ServiceSettings]:
    definition = next(d for d in definitions() if d.name == role.service)
    production = {
        "relay_poll_seconds": ServiceSettings.model_fields["relay_poll_seconds"].default,
        "log_json": True,
    }
    settings = RunEnvironment(run_id=role.run_id).settings(definition, **production, **role.settings)
    return definition, settings


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def wait_for_stop(pipe: Connection) -> None:
    """Answer the parent's questions until it says stop."""
    while (message := await asyncio.to_thread(pipe.recv)) != ("stop",):
        if message == ("cpu",):
            pipe.send(("cpu", cpu_seconds()))


async def run_relay(role: Role, pipe: Connection) -> None:
    """identity's worker with only its relay: `OutboxRelay`, or the naive one."""
    runtime = await open_runtime(*service_settings(role))
    stop = asyncio.Event()
    relay: OutboxRelay | NaiveRelay
    if role.kind == "relay":
        relay = outbox_relay(runtime)
    else:
        relay = NaiveRelay(
            pool=runtime.pool, connection=runtime.broker, events_exchange=runtime.settings.events_exchange
        )
    task = asyncio.create_task(relay.run(stop))
    pipe.send(("ready",))
    try:
        await wait_for_stop(pipe)
    finally:
        stop.set()
        await task
        await close_runtime(runtime)


async def run_consumer(role: Role, pipe: Connection) -> None:
    """A service's worker with only its consumer, noting when each expected event's transaction committed."""
    runtime = await open_runtime(*service_settings(role))
    records: dict[str, Record] = {}
    done = asyncio.Event()

    async def on_committed(envelope: Envelope) -> None:
        committed_at = time.time()
        event_id = str(envelope.event_id)
        if (envelope.correlation_id or "").startswith(role.tag) and event_id not in records:
            records[event_id] = (event_id, envelope.occurred_at.timestamp(), committed_at)
            if len(records) >= role.expected:
                done.set()

    consumer = event_consumer(runtime, on_committed=on_committed)
    await consumer.start()
    try:
        await report_when_done(pipe, done, records)
    finally:
        await consumer.stop()
        await close_runtime(runtime)


async def run_raw_consumer(role: Role, pipe: Connection) -> None:
    """The floor: a plain aio-pika consumer acking each message, with no database."""
    _, settings = service_settings(role)
    connection = await aio_pika.connect_robust(settings.amqp)
    records: dict[str, Record] = {}
    done = asyncio.Event()

    async def on_message(message: AbstractIncomingMessage) -> None:
        await message.ack()
        received_at = time.time()
        message_id = message.message_id or ""
        if message_id not in records:
            records[message_id] = (message_id, 0.0, received_at)
            if len(records) >= role.expected:
                done.set()

    channel = await connection.channel()
    await channel.set_qos(prefetch_count=settings.consumer_prefetch)
    queue, _ = await declare_consumer_queue(
        channel,
        events_exchange=settings.events_exchange,
        queue=queue_name(RAW_CONSUMER),
        routing_keys=[RAW_ROUTING_KEY],
        delivery_limit=settings.consumer_delivery_limit,
    )
    tag = await queue.consume(on_message)
    try:
        await report_when_done(pipe, done, records)
    finally:
        await queue.cancel(tag)
        await connection.close()


async def report_when_done(pipe: Connection, done: asyncio.Event, records: dict[str, Record]) -> None:
    pipe.send(("ready",))
    stopped = asyncio.create_task(wait_for_stop(pipe))
    finished = asyncio.create_task(done.wait())
    await asyncio.wait([stopped, finished], return_when=asyncio.FIRST_COMPLETED)
    if finished.done():
        pipe.send(("done", list(records.values())))
        await stopped
    finished.cancel()


ROLES: dict[str, Callable[[Role, Connection], Coroutine[Any, Any, None]]] = {
    "relay": run_relay,
    "naive_relay": run_relay,
    "consumer": run_consumer,
    "raw_consumer": run_raw_consumer,
}
