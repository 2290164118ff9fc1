"""The benchmark's scenarios: the floor, an outbox path (ours or naive), and idle latency.

Each throughput scenario measures wall-clock time from the first write (or publish) to the last consumer
commit (or ack), and the CPU time its own processes used in that window: the Python processes (the
writer, the relay, the consumer) and the PostgreSQL backends serving the run's database. On a shared
host the wall clock moves with everyone else's load; CPU per event much less so.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
import asyncpg

from bench.children import RAW_ROUTING_KEY, Child, Record, Role, cpu_seconds
from bench.processes import process_cpu
from shared import db
from shared.bus import Outbox
from shared.bus.topology import declare_events_exchange
from shared.events import Envelope, OrganisationUpserted, make_envelope
from shared.settings import ServiceSettings
from shared.telemetry import tracer
from tests.support.environment import ADMIN_DSN, RunEnvironment

DEFAULTS = {name: f.default for name, f in ServiceSettings.model_fields.items()}


@dataclass(frozen=True)
class Throughput:
    name: str
    events: int
    started: float  # first write (or publish) began
    written: float  # last write (or publish) done
    relayed: float  # last row marked published by the relay (the floor: as written)
    finished: float  # last consumer commit (or ack)
    python_cpu: dict[str, float]  # seconds, by Python process (writer or publisher, relay, consumer)
    postgres_cpu: float  # seconds, the PostgreSQL backends of the run's database

    @property
    def rate(self) -> float:
        return self.events / (self.finished - self.started)

    @property
    def write_rate(self) -> float:
        return self.events / (self.written - self.started)

    @property
    def relay_rate(self) -> float:
        return self.events / (self.relayed - self.started)


@dataclass(frozen=True)
class Latency:
    from_event: list[float]  # consumer commit - timestamp in the event (taken inside the transaction)
    from_commit: list[float]  # consumer commit - producer's clock right after its COMMIT returned


def organisation_event(*, tag: str, number: int, authority_id: uuid.UUID) -> Envelope:
    organisation_id = uuid.uuid4()
    event = OrganisationUpserted(
        organisation_id=organisation_id,
        authority_id=authority_id,
        name=f"Bench Organisation {number:06d}",
        reference=f"B{number:06d}",
        active=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )
    return make_envelope(
        event, aggregate_id=organisation_id, authority_id=authority_id, correlation_id=f"{tag}{number:06d}"
    )


def build_events(*, tag: str, count: int) -> list[Envelope]:
    """The events a writer will add, built before the clock starts, as the floor's message body is:
    building a business event is not the backbone's work (serialising it, in `Outbox.add`, is)."""
    authority_id = uuid.uuid4()
    return [organisation_event(tag=tag, number=number, authority_id=authority_id) for number in range(count)]


async def write_events(pool: asyncpg.Pool, events: list[Envelope], *, per_transaction: int) -> None:
    """Write the events to identity's outbox with `Outbox.add`, `per_transaction` per transaction."""
    outbox = Outbox("identity")
    for first in range(0, len(events), per_transaction):
        with tracer().start_as_current_span("bench write"):  # as an API request would have
            async with pool.acquire() as conn, conn.transaction():
                for event in events[first : first + per_transaction]:
                    await outbox.add(conn, event)


Reading = tuple[dict[str, float], dict[int, float]]  # CPU seconds by Python process, by PostgreSQL backend


class CpuMeter:
    """CPU seconds used so far by this process (`own`: the writer or publisher), the given children
    (by their role) and the database's backends."""

    def __init__(self, database: str, children: list[Child], *, own: str) -> None:
        self.database = database
        self.children = children
        self.own = own

    async def read(self) -> Reading:
        python = {self.own: cpu_seconds()}
        for child in self.children:
            python[child.role.kind] = await child.cpu_seconds()
        return python, await backend_cpu(self.database)

    @staticmethod
    def used(before: Reading, after: Reading) -> tuple[dict[str, float], float]:
        python = {name: seconds - before[0][name] for name, seconds in after[0].items()}
        postgres = sum(seconds - before[1].get(pid, 0.0) for pid, seconds in after[1].items())
        return python, postgres


async def backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving `database`."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        pids = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    finally:
        await conn.close()
    return {row["pid"]: process_cpu(row["pid"]) for row in pids}


class Bench:
    def __init__(
        self, env: RunEnvironment, *, events: int, per_transaction: int, role_defaults: dict[str, object]
    ):
        self.env = env
        self.events = events
        self.per_transaction = per_transaction
        self.role_defaults = role_defaults  # log_path, profile_dir

    def child(self, kind: str, service: str, **values: object) -> Child:
        fields = {**self.role_defaults, **values}
        return Child(Role(kind=kind, run_id=self.env.run_id, service=service, **fields))  # type: ignore[arg-type]

    async def records(self, consumer: Child, expected: int) -> list[Record]:
        kind, records = await consumer.receive(timeout=60 + expected * 0.05)
        assert kind == "done" and len(records) == expected, (kind, len(records))
        return list(records)

    async def floor(self) -> Throughput:
        count = self.events
        consumer = self.child("raw_consumer", "actuals", expected=count)
        await consumer.start()
        connection = await aio_pika.connect_robust(self.env.amqp_url)
        meter = CpuMeter(self.env.database, [consumer], own="publisher")
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await declare_events_exchange(channel, DEFAULTS["events_exchange"])
            size = len(organisation_event(tag="ours-", number=0, authority_id=uuid.uuid4()).model_dump_json())
            body = b'{"p":"' + b"x" * (size - 8) + b'"}'
            window = DEFAULTS["relay_batch_size"]  # as many in flight as the relay has, at most
            before = await meter.read()
            started = time.time()
            for first in range(0, count, window):
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(
                                body=body,
                                content_type="application/json",
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                message_id=f"raw-{number}",
                            ),
                            routing_key=RAW_ROUTING_KEY,
                        )
                        for number in range(first, min(first + window, count))
                    )
                )
            written = time.time()
            records = await self.records(consumer, count)
            cpu = CpuMeter.used(before, await meter.read())
        finally:
            await consumer.stop()
            await connection.close()
        return Throughput("floor", count, started, written, written, max(r[2] for r in records), *cpu)

    async def outbox_path(self, name: str, *, relay: str, settings: dict[str, object]) -> Throughput:
        count, tag = self.events, f"{name}-"
        consumer = self.child("consumer", "actuals", tag=tag, expected=count, settings=settings)
        relayer = self.child(relay, "identity", settings=settings)
        pool = await db.create_pool(self.env.dsn("identity"))
        meter = CpuMeter(self.env.database, [consumer, relayer], own="writer")
        try:
            await asyncio.gather(consumer.start(), relayer.start())
            events = build_events(tag=tag, count=count)
            before = await meter.read()
            started = time.time()
            await write_events(pool, events, per_transaction=self.per_transaction)
            written = time.time()
            records = await self.records(consumer, count)
            cpu = CpuMeter.used(before, await meter.read())
            relayed = await pool.fetchval(
                "SELECT extract(epoch FROM max(published_at)) FROM identity.outbox"
                " WHERE created_at >= to_timestamp($1)",
                started,
            )
        finally:
            await asyncio.gather(consumer.stop(), relayer.stop())
            await pool.close()
        return Throughput(name, count, started, written, float(relayed), max(r[2] for r in records), *cpu)

    async def latency(self, *, count: int, pause: float, settings: dict[str, object]) -> Latency:
        tag = "latency-"
        consumer = self.child("consumer", "actuals", tag=tag, expected=count, settings=settings)
        relayer = self.child("relay", "identity", settings=settings)
        pool = await db.create_pool(self.env.dsn("identity"))
        outbox, authority_id = Outbox("identity"), uuid.uuid4()
        committed: dict[str, float] = {}
        try:
            await asyncio.gather(consumer.start(), relayer.start())
            await asyncio.sleep(1.0)  # let both settle: this measures an idle system
            for number in range(count):
                async with pool.acquire() as conn, conn.transaction():
                    envelope = organisation_event(tag=tag, number=number, authority_id=authority_id)
                    await outbox.add(conn, envelope)
                committed[str(envelope.event_id)] = time.time()
                await asyncio.sleep(pause)
            records = await self.records(consumer, count)
        finally:
            await asyncio.gather(consumer.stop(), relayer.stop())
            await pool.close()
        return Latency(
            from_event=[done - stamped for _, stamped, done in records],
            from_commit=[done - committed[event_id] for event_id, _, done in records],
        )
