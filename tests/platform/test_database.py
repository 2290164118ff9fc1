"""Each service's role can use only its own schema; migrations are ordered, checksummed, applied once,
and safe when several replicas start together."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from shared import db
from shared.migrations import Migration, MigrationError, migrate
from tests.support.environment import SERVICES


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_cannot_touch_another_schema(env, service):
    conn = await db.connect(env.dsn(service))
    try:
        assert await conn.fetchval(f"SELECT count(*) >= 0 FROM {service}.inbox")
        for other in (s for s in SERVICES if s != service):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {other}.inbox LIMIT 1")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"CREATE TABLE {other}.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE public.intruder (id int)")
    finally:
        await conn.close()


async def scratch_schema(env) -> tuple[asyncpg.Connection, str]:
    """A throwaway schema owned by the actuals role, for migration tests."""
    conn = await db.connect(env.dsn("actuals"))
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(db.with_database(env_admin_dsn(), env.database))
    try:
        await admin.execute(f'CREATE SCHEMA {schema} AUTHORIZATION "{env.role("actuals")}"')
    finally:
        await admin.close()
    return conn, schema


def env_admin_dsn() -> str:
    from tests.support.environment import ADMIN_DSN

    return ADMIN_DSN


def migrations(schema: str) -> list[Migration]:
    return [
        Migration("0001_a.sql", f"CREATE TABLE {schema}.a (id int PRIMARY KEY)"),
        Migration("0002_b.sql", f"CREATE TABLE {schema}.b (a_id int REFERENCES {schema}.a)"),
    ]


async def test_migrations_apply_in_order_once(env):
    conn, schema = await scratch_schema(env)
    try:
        assert await migrate(conn, schema=schema, migrations=migrations(schema)) == [
            "0001_a.sql",
            "0002_b.sql",
        ]
        assert await migrate(conn, schema=schema, migrations=migrations(schema)) == []
        names = await conn.fetch(f"SELECT name FROM {schema}.schema_migrations ORDER BY applied_at, name")
        assert [r["name"] for r in names] == ["0001_a.sql", "0002_b.sql"]
    finally:
        await conn.close()


async def test_a_changed_migration_stops_the_start(env):
    conn, schema = await scratch_schema(env)
    try:
        await migrate(conn, schema=schema, migrations=migrations(schema))
        edited = [migrations(schema)[0], Migration("0002_b.sql", f"CREATE TABLE {schema}.b (x int)")]
        with pytest.raises(MigrationError, match=r"0002_b.sql changed after it was applied"):
            await migrate(conn, schema=schema, migrations=edited)
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_applied(env):
    conn, schema = await scratch_schema(env)
    try:
        bad = [
            *migrations(schema),
            Migration("0003_bad.sql", f"CREATE TABLE {schema}.c (id int); SELECT no_such_function()"),
        ]
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(conn, schema=schema, migrations=bad)
        assert await conn.fetchval("SELECT to_regclass($1)", f"{schema}.c") is None
        applied = await conn.fetchval(f"SELECT count(*) FROM {schema}.schema_migrations")
        assert applied == 2
    finally:
        await conn.close()


async def test_replicas_migrating_together_apply_each_file_once(env):
    conn, schema = await scratch_schema(env)
    await conn.close()
    conns = [await db.connect(env.dsn("actuals")) for _ in range(4)]
    try:
        results = await asyncio.gather(
            *(migrate(c, schema=schema, migrations=migrations(schema)) for c in conns)
        )
        assert sorted(len(r) for r in results) == [0, 0, 0, 2]
    finally:
        for c in conns:
            await c.close()
