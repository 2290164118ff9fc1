"""Each service creates its `organisation` projection in its own migration (issue 10): on a fresh schema
that migration makes the table; on a schema migrated before, where the shared platform migration 0002 made
it, the same migration passes over it, keeping its rows, and 0002 stays in the history. Both end with the
same table."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared import db
from shared.migrations import AUDIT_LOG, ORGANISATION_PROJECTION, OUTBOX_INBOX, load_migrations, migrate
from shared.projections import organisation_projection
from shared.service import ServiceDefinition, service_migrations
from tests.support.environment import ADMIN_DSN, RunEnvironment, definitions
from tests.support.things import upserted

CONSUMERS = [d for d in definitions() if d.name != "identity"]
BEFORE_ISSUE_10 = (OUTBOX_INBOX, ORGANISATION_PROJECTION, AUDIT_LOG)  # what they asked for until then


@pytest.fixture
async def two_databases() -> AsyncIterator[tuple[RunEnvironment, RunEnvironment]]:
    """A fresh database and an old one, each with the five services' roles and schemas and nothing else."""
    made = [RunEnvironment(run_id=secrets.token_hex(4)) for _ in range(2)]
    services = [
        db.ServiceDatabase.from_dsn(schema=d.name, dsn=e.dsn(d.name)) for e in made for d in CONSUMERS
    ]
    await db.bootstrap(ADMIN_DSN, services)
    try:
        yield made[0], made[1]
    finally:
        await db.drop_everything(ADMIN_DSN, services)


async def migrated(
    env: RunEnvironment, definition: ServiceDefinition, migrations
) -> tuple[asyncpg.Connection, list[str]]:
    conn = await db.connect(env.dsn(definition.name))
    return conn, await migrate(conn, schema=definition.name, migrations=migrations)


async def table_shape(conn: asyncpg.Connection, schema: str) -> tuple[list[tuple], list[str], str]:
    columns = await conn.fetch(
        "SELECT column_name, data_type, is_nullable, ordinal_position FROM information_schema.columns"
        " WHERE table_schema = $1 AND table_name = 'organisation' ORDER BY ordinal_position",
        schema,
    )
    indexes = await conn.fetch(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'organisation' ORDER BY indexname",
        schema,
    )
    owner = await conn.fetchval(
        "SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'organisation'", schema
    )
    return [tuple(c) for c in columns], [i["indexdef"] for i in indexes], owner.rsplit("_", 1)[-1]


@pytest.mark.parametrize("definition", CONSUMERS, ids=lambda d: d.name)
async def test_fresh_and_old_schemas_end_with_the_same_organisation_table(two_databases, definition):
    fresh, old = two_databases
    schema, own = definition.name, [m.name for m in service_migrations(definition) if "/" not in m.name]
    assert any(name.endswith("_organisation_projection.sql") for name in own), own
    before = load_migrations(schema=schema, service_migrations=None, platform=BEFORE_ISSUE_10)

    old_conn, _ = await migrated(old, definition, before)
    fresh_conn, applied_fresh = await migrated(fresh, definition, service_migrations(definition))
    try:
        kept = uuid.uuid4()
        await organisation_projection(schema).apply(
            old_conn, *upserted(kept, uuid.uuid4(), revision=4, name="Kept")
        )
        applied_old = await migrate(old_conn, schema=schema, migrations=service_migrations(definition))

        assert f"platform/{ORGANISATION_PROJECTION}" not in applied_fresh
        assert set(own) <= set(applied_fresh) and set(own) <= set(applied_old)
        history = {r["name"] for r in await old_conn.fetch(f"SELECT name FROM {schema}.schema_migrations")}
        assert f"platform/{ORGANISATION_PROJECTION}" in history  # never taken out of the history
        assert (
            await old_conn.fetchval(
                f"SELECT name FROM {schema}.organisation WHERE organisation_id = $1", kept
            )
            == "Kept"
        )
        fresh_shape = await table_shape(fresh_conn, schema)
        assert fresh_shape == await table_shape(old_conn, schema)
        assert [c[0] for c in fresh_shape[0]] == list(organisation_projection(schema).columns)
        assert fresh_shape[2] == schema  # owned by the service's own role
        # Migrating again changes nothing on either.
        assert await migrate(old_conn, schema=schema, migrations=service_migrations(definition)) == []
        assert await migrate(fresh_conn, schema=schema, migrations=service_migrations(definition)) == []
    finally:
        await old_conn.close()
        await fresh_conn.close()
