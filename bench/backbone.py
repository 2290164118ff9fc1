"""Backbone throughput and latency (issue "Platform foundation"): `uv run python -m bench.backbone`.

In one run, on an isolated database and vhost (tests/support/environment, removed at the end):
- floor: plain aio-pika, publisher confirms, into a quorum queue and out with acks; no database;
- ours:  events written to identity's outbox (N per transaction) -> `OutboxRelay` -> broker -> actuals'
         `Consumer` (inbox + organisation projection upsert), each worker in its own process;
- naive: the same writes and consumer code, but a relay that publishes one row per transaction awaiting
         each confirm (bench/naive.py) and a consumer that takes one message at a time (prefetch 1);
- latency: single events, one per transaction with a pause between them, through our path while idle.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
import asyncpg
from shared.bus import Outbox
from shared.bus.topology import declare_events_exchange
from shared.events import Envelope, OrganisationUpserted, make_envelope
from shared.logging import configure_logging
from shared.settings import ServiceSettings
from shared.telemetry import configure_telemetry, tracer

from bench.children import RAW_ROUTING_KEY, Child, Record, Role
from shared import db
from tests.support.environment import ADMIN_DSN, RunEnvironment, new_run_id, rabbitmqctl

SCENARIOS = ("floor", "ours", "naive", "latency")
DEFAULTS = {name: f.default for name, f in ServiceSettings.model_fields.items()}


@dataclass(frozen=True)
class Throughput:
    name: str
    events: int
    started: float  # first write (or publish) began
    written: float  # last write (or publish) done
    finished: float  # last consumer commit (or ack)

    @property
    def rate(self) -> float:
        return self.events / (self.finished - self.started)

    @property
    def write_rate(self) -> float:
        return self.events / (self.written - self.started)


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


async def write_events(pool: asyncpg.Pool, *, tag: str, count: int, per_transaction: int) -> None:
    """Write `count` events to identity's outbox, `per_transaction` per transaction, one after another."""
    outbox = Outbox("identity")
    authority_id = uuid.uuid4()
    for first in range(0, count, per_transaction):
        with tracer().start_as_current_span("bench write"):
            async with pool.acquire() as conn, conn.transaction():
                for number in range(first, min(first + per_transaction, count)):
                    await outbox.add(
                        conn, organisation_event(tag=tag, number=number, authority_id=authority_id)
                    )


class Bench:
    def __init__(self, env: RunEnvironment, args: argparse.Namespace) -> None:
        self.env = env
        self.args = args

    def role(self, kind: str, service: str, **values: object) -> Role:
        return Role(kind=kind, run_id=self.env.run_id, service=service, log_path=self.args.log_file, **values)  # type: ignore[arg-type]

    async def consumer_records(self, consumer: Child, expected: int) -> list[Record]:
        kind, records = await consumer.receive(timeout=60 + expected * 0.05)
        assert kind == "done" and len(records) == expected, (kind, len(records))
        return list(records)

    async def floor(self) -> Throughput:
        count = self.args.events
        consumer = Child(self.role("raw_consumer", "actuals", expected=count))
        await consumer.start()
        connection = await aio_pika.connect_robust(self.env.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await declare_events_exchange(channel, DEFAULTS["events_exchange"])
            size = len(organisation_event(tag="ours-", number=0, authority_id=uuid.uuid4()).model_dump_json())
            body = b'{"p":"' + b"x" * (size - 8) + b'"}'
            window = DEFAULTS["relay_batch_size"]  # what the relay has in flight at most
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
            records = await self.consumer_records(consumer, count)
        finally:
            await consumer.stop()
            await connection.close()
        return Throughput("floor", count, started, written, max(r[2] for r in records))

    async def outbox_path(self, name: str, *, relay: str, consumer_settings: dict[str, object]) -> Throughput:
        count = self.args.events
        tag = f"{name}-"
        consumer = Child(
            self.role("consumer", "actuals", tag=tag, expected=count, settings=consumer_settings)
        )
        relayer = Child(self.role(relay, "identity"))
        pool = await db.create_pool(self.env.dsn("identity"))
        try:
            await asyncio.gather(consumer.start(), relayer.start())
            started = time.time()
            await write_events(pool, tag=tag, count=count, per_transaction=self.args.per_transaction)
            written = time.time()
            records = await self.consumer_records(consumer, count)
        finally:
            await asyncio.gather(consumer.stop(), relayer.stop())
            await pool.close()
        return Throughput(name, count, started, written, max(r[2] for r in records))

    async def latency(self) -> Latency:
        count, tag = self.args.latency_events, "latency-"
        consumer = Child(self.role("consumer", "actuals", tag=tag, expected=count))
        relayer = Child(self.role("relay", "identity"))
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
                await asyncio.sleep(self.args.pause_ms / 1000)
            records = await self.consumer_records(consumer, count)
        finally:
            await asyncio.gather(consumer.stop(), relayer.stop())
            await pool.close()
        return Latency(
            from_event=[done - stamped for _, stamped, done in records],
            from_commit=[done - committed[event_id] for event_id, _, done in records],
        )


def percentile(values: Sequence[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def machine() -> str:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        postgres = str(await conn.fetchval("SHOW server_version")).split()[0]
    finally:
        await conn.close()
    broker = (await rabbitmqctl("version")).strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python {platform.python_version()},"
        f" PostgreSQL {postgres}, RabbitMQ {broker}; load average before the run: {load}"
    )


def report(args: argparse.Namespace, about: str, rates: list[Throughput], latency: Latency | None) -> str:
    by_name: dict[str, list[Throughput]] = {}
    for t in rates:
        by_name.setdefault(t.name, []).append(t)
    median = {name: statistics.median(t.rate for t in runs) for name, runs in by_name.items()}
    lines = [
        f"Machine: {about}",
        f"Events per throughput run: {args.events}; outbox writes: {args.per_transaction} per transaction;"
        f" rounds: {args.rounds} (scenarios interleaved; median, with the lowest and highest in brackets).",
        "",
        "| path | events/s, first write -> last consumer commit | producer side alone, events/s |",
        "|---|---:|---:|",
    ]
    for name, runs in by_name.items():
        low, high = min(t.rate for t in runs), max(t.rate for t in runs)
        writes = statistics.median(t.write_rate for t in runs)
        lines.append(f"| {name} | {median[name]:,.0f} [{low:,.0f}-{high:,.0f}] | {writes:,.0f} |")
    if "ours" in median and "floor" in median:
        lines.append(f"\nours / floor = {median['ours'] / median['floor']:.2f} (goal >= 0.5)")
    if "ours" in median and "naive" in median:
        lines.append(f"ours / naive = {median['ours'] / median['naive']:.1f}x")
    if latency is not None:
        for label, values in (
            ("timestamp in the event -> consumer commit", latency.from_event),
            ("producer commit returned -> consumer commit", latency.from_commit),
        ):
            lines.append(
                f"idle latency, {label}, {len(values)} events {args.pause_ms} ms apart:"
                f" p50 {percentile(values, 50) * 1000:.1f} ms, p99 {percentile(values, 99) * 1000:.1f} ms,"
                f" max {max(values) * 1000:.1f} ms (goal p50 < 20 ms)"
            )
    return "\n".join(lines)


async def run_scenario(bench: Bench, scenario: str) -> Throughput | Latency:
    if scenario == "floor":
        return await bench.floor()
    if scenario == "ours":
        return await bench.outbox_path("ours", relay="relay", consumer_settings={})
    if scenario == "naive":
        return await bench.outbox_path(
            "naive", relay="naive_relay", consumer_settings={"consumer_prefetch": 1}
        )
    return await bench.latency()


async def run(args: argparse.Namespace) -> str:
    about = await machine()
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    rates: list[Throughput] = []
    latency = None
    try:
        bench = Bench(env, args)
        throughput = [s for s in args.scenarios if s != "latency"]
        plan = throughput * args.rounds + (["latency"] if "latency" in args.scenarios else [])
        for step, scenario in enumerate(plan, start=1):
            result = await run_scenario(bench, scenario)
            if isinstance(result, Throughput):
                rates.append(result)
                done = f"{result.rate:,.0f} events/s"
            else:
                latency = result
                done = f"p50 {percentile(result.from_event, 50) * 1000:.1f} ms"
            print(f"[{step}/{len(plan)}] {scenario}: {done}", flush=True)
    finally:
        await env.destroy()
    return report(args, about, rates, latency)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.backbone", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="events per throughput run")
    parser.add_argument("--per-transaction", type=int, default=100, help="outbox writes per transaction")
    parser.add_argument("--rounds", type=int, default=3, help="times each throughput scenario runs")
    parser.add_argument("--latency-events", type=int, default=200)
    parser.add_argument("--pause-ms", type=int, default=50, help="pause between latency events")
    parser.add_argument(
        "--scenarios", type=lambda s: s.split(","), default=list(SCENARIOS), help=",".join(SCENARIOS)
    )
    parser.add_argument("--log-file", default=os.devnull, help="where the workers' JSON logs go")
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    configure_logging(service="bench", level="WARNING", json=False)
    configure_telemetry(service="bench", otlp_endpoint=None)
    print(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
