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
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
from shared.bus import Outbox, Subscription
from shared.bus.topology import dead_letter_queue_name, queue_name
from shared.events import Envelope, OrganisationUpserted, make_envelope

from shared import db
from shared.migrations import OUTBOX_INBOX, load_migrations, migrate
from tests.support.environment import ADMIN_DSN, RunEnvironment, rabbitmqctl

OWNER = "actuals"  # the role that owns scratch schemas; any service role would do


@dataclass
class Scratch:
    env: RunEnvironment
    schema: str
    pool: asyncpg.Pool

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

    async def queue_depth(self, queue: str) -> tuple[int, int] | None:
        """(ready, unacknowledged) messages of `queue` as the broker counts them; None if undeclared."""
        out = await rabbitmqctl(
            "list_queues",
            "-p",
            self.env.vhost,
            "--no-table-headers",
            "name",
            "messages_ready",
            "messages_unacknowledged",
        )
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == queue:
                return int(parts[1]), int(parts[2])
        return None


def organisation(name: str, **changes: Any) -> Envelope:
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
    envelope = make_envelope(event, aggregate_id=event.organisation_id, authority_id=authority_id)
    return envelope.model_copy(update=changes) if changes else envelope


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
                migrations=load_migrations(
                    schema=schema, service_dir=Path("/nonexistent"), platform=(OUTBOX_INBOX,)
                ),
            )
            await conn.execute(
                f"CREATE TABLE {schema}.applied (event_id uuid NOT NULL, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
            )
        yield Scratch(env=env, schema=schema, pool=pool)
    finally:
        await pool.close()
        admin = await db.connect(db.with_database(ADMIN_DSN, env.database))
        try:
            await admin.execute(f"DROP SCHEMA {db.ident(schema)} CASCADE")
        finally:
            await admin.close()


@asynccontextmanager
async def broker(env: RunEnvironment) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A plain (not robust) channel straight to the broker, for the test's own look and publish."""
    connection = await aio_pika.connect(env.amqp_url)
    try:
        yield await connection.channel()
    finally:
        await connection.close()
