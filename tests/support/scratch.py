"""A throwaway corner of the run's environment for tests that break things on purpose.

Each `Scratch` is a schema of its own (outbox, inbox and an `applied` table that records every handler
run, with no unique key so that a double application shows as two rows), owned by the actuals role, and
an events exchange of its own. Nothing a test does there can reach the services' real queues and
projections, and the test's consumer (named after the schema) has a queue no one else reads.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aio_pika
import asyncpg

from actuals.config import Settings as ActualsSettings
from shared import db
from shared.bus import Outbox, Subscription
from shared.bus.topology import (
    dead_letter_exchange_name,
    dead_letter_queue_name,
    queue_name,
    unroutable_name,
)
from shared.events import Envelope, OrganisationUpserted, make_envelope
from shared.migrations import OUTBOX_INBOX, load_migrations, migrate
from shared.service import ServiceDefinition
from tests.support.environment import ADMIN_DSN, RunEnvironment, rabbitmqctl
from tests.support.tcp_proxy import TcpProxy

ROUTING_KEY = OrganisationUpserted.routing_key()
OWNER = "actuals"  # the role that owns scratch schemas; any service role would do


@dataclass
class Scratch:
    env: RunEnvironment
    schema: str
    pool: asyncpg.Pool
    channel: aio_pika.abc.AbstractChannel  # straight to the broker, for the test's own look and publish

    @property
    def name(self) -> str:
        """The consumer name (so the queue is `<name>.events`) and the relay's schema."""
        return self.schema

    @property
    def exchange(self) -> str:
        return f"{self.schema}.events-exchange"

    @property
    def queue(self) -> str:
        return queue_name(self.name)

    @property
    def dead_letter_queue(self) -> str:
        return dead_letter_queue_name(self.name)

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.schema)

    # --- writing events ---------------------------------------------------------------------------

    async def write(self, envelope: Envelope) -> None:
        """Put `envelope` in the outbox in a transaction of its own, as a business handler would."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self.outbox.add(conn, envelope)

    # --- the handler's effect ---------------------------------------------------------------------

    async def record(self, conn: asyncpg.Connection, envelope: Envelope, event: Any) -> None:
        """The effect of a handler: one row per run, in the consumer's transaction."""
        await conn.execute(
            f"INSERT INTO {self.schema}.applied (event_id, name) VALUES ($1, $2)",
            envelope.event_id,
            event.name,
        )

    def subscription(self, handler: Any = None) -> Subscription:
        return Subscription(OrganisationUpserted, handler or self.record)

    async def applied_count(self) -> int:
        return int(await self.pool.fetchval(f"SELECT count(*) FROM {self.schema}.applied"))

    async def applied_ids(self) -> list[uuid.UUID]:
        """Every application, duplicates included, in no particular order."""
        return [r["event_id"] for r in await self.pool.fetch(f"SELECT event_id FROM {self.schema}.applied")]

    async def inbox_ids(self) -> list[uuid.UUID]:
        rows = await self.pool.fetch(
            f"SELECT event_id FROM {self.schema}.inbox WHERE consumer = $1", self.name
        )
        return [r["event_id"] for r in rows]

    async def unpublished(self) -> int:
        return int(
            await self.pool.fetchval(f"SELECT count(*) FROM {self.schema}.outbox WHERE published_at IS NULL")
        )

    # --- the broker's view ------------------------------------------------------------------------
    # `rabbitmqctl list_queues` counts of quorum queues are statistics refreshed every few seconds, so
    # they can show an old state; a passive declare and the channels' own unacked counts are current.

    async def declared(self, queue: str) -> bool:
        out = await rabbitmqctl("list_queues", "-p", self.env.vhost, "--no-table-headers", "name")
        return queue in out.split()

    async def ready(self, queue: str) -> int:
        declared = await self.channel.declare_queue(queue, passive=True)
        assert declared.declaration_result.message_count is not None
        return int(declared.declaration_result.message_count)

    async def unacked(self, queue: str) -> int:
        """Deliveries from `queue` that a consumer holds and has not acked yet."""
        consumers = await rabbitmqctl(
            "list_consumers", "-p", self.env.vhost, "--no-table-headers", "queue_name", "channel_pid"
        )
        channels = {pid for name, pid in map(str.split, consumers.splitlines()) if name == queue}
        if not channels:
            return 0
        out = await rabbitmqctl("list_channels", "--no-table-headers", "pid", "messages_unacknowledged")
        return sum(int(n) for pid, n in map(str.split, out.splitlines()) if pid in channels)

    async def settled(self, *, dead_letters: int = 0) -> bool:
        """Nothing waiting in the queue or held unacked, and `dead_letters` resting in the DLQ.
        Ready is read on both sides of unacked, so a message moving between the two is not missed."""
        if await self.ready(self.queue) or await self.unacked(self.queue) or await self.ready(self.queue):
            return False
        return await self.ready(self.dead_letter_queue) == dead_letters


def organisation(name: str) -> Envelope:
    """A valid `OrganisationUpserted` envelope for a new organisation called `name`."""
    authority_id = uuid.uuid4()
    event = OrganisationUpserted(
        organisation_id=uuid.uuid4(),
        authority_id=authority_id,
        name=name,
        reference=f"P{secrets.randbelow(10**6):06d}",
        active=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )
    return make_envelope(event, aggregate_id=event.organisation_id, authority_id=authority_id)


@asynccontextmanager
async def scratch(env: RunEnvironment) -> AsyncIterator[Scratch]:
    schema = f"scratch_{secrets.token_hex(4)}"
    admin = await db.connect(db.with_database(ADMIN_DSN, env.database))
    try:
        await admin.execute(f"CREATE SCHEMA {db.ident(schema)} AUTHORIZATION {db.ident(env.role(OWNER))}")
    finally:
        await admin.close()
    pool = await db.create_pool(env.dsn(OWNER), min_size=1, max_size=10)
    try:
        async with pool.acquire() as conn:
            await migrate(
                conn,
                schema=schema,
                migrations=load_migrations(schema=schema, service_migrations=None, platform=(OUTBOX_INBOX,)),
            )
            await conn.execute(
                f"CREATE TABLE {schema}.applied (event_id uuid NOT NULL, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
            )
        connection = await aio_pika.connect(env.amqp_url)
        try:
            s = Scratch(env=env, schema=schema, pool=pool, channel=await connection.channel())
            yield s
            await _delete_broker_objects(s)
        finally:
            await connection.close()
    finally:
        await pool.close()
        admin = await db.connect(db.with_database(ADMIN_DSN, env.database))
        try:
            await admin.execute(f"DROP SCHEMA {db.ident(schema)} CASCADE")
        finally:
            await admin.close()


async def _delete_broker_objects(s: Scratch) -> None:
    """What the test's consumer declared (the run's vhost goes at the end of the run anyway)."""
    channel = await s.channel.get_underlay_channel()
    for queue in (s.queue, s.dead_letter_queue, unroutable_name(s.exchange)):
        await channel.queue_delete(queue)
    for exchange in (s.exchange, dead_letter_exchange_name(s.exchange), unroutable_name(s.exchange)):
        await channel.exchange_delete(exchange)


def scratch_worker(s: Scratch, handler: Any) -> ServiceDefinition:
    """A service whose worker (run_worker) relays the scratch outbox and applies organisation events
    with `handler`, on the scratch queue."""
    return ServiceDefinition(
        name=s.name,
        title="scratch worker",
        settings_cls=ActualsSettings,  # the settings of the role that owns scratch schemas
        subscriptions=[s.subscription(handler)],
    )


def amqp_url_via(proxy: TcpProxy, env: RunEnvironment) -> str:
    """The run's vhost through `proxy`. A short reconnect interval keeps tests fast (production keeps
    aio-pika's default of 5 s)."""
    return f"amqp://guest:guest@127.0.0.1:{proxy.port}/{quote(env.vhost, safe='')}?reconnect_interval=0.3"


async def publish(s: Scratch, body: bytes, *, message_id: str, routing_key: str = ROUTING_KEY) -> None:
    """Publish `body` to the scratch exchange as the relay would (persistent JSON, id = event id)."""
    target = await s.channel.get_exchange(s.exchange)
    await target.publish(
        aio_pika.Message(
            body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
        ),
        routing_key=routing_key,
    )


@asynccontextmanager
async def robust_connection(url: str) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(url)
    try:
        yield connection
    finally:
        await connection.close()
