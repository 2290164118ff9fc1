"""A schema of its own for a test of the shared kit (money, attachments, jobs), with the platform
migrations it asks for applied by the real migration runner, as a service's schema would have them.

It is owned by one service's role (as every schema is) and dropped afterwards; nothing the test writes
reaches the services' own schemas.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from shared import db
from shared.migrations import load_migrations, migrate
from tests.support.environment import ADMIN_DSN, RunEnvironment

OWNER = "actuals"  # the role that owns kit schemas; any service role would do


@dataclass(frozen=True)
class KitSchema:
    schema: str
    pool: asyncpg.Pool
    applied: list[str]


@asynccontextmanager
async def kit_schema(env: RunEnvironment, *platform: str) -> AsyncIterator[KitSchema]:
    schema = f"kit_{secrets.token_hex(4)}"
    admin = await db.connect(db.with_database(ADMIN_DSN, env.database))
    try:
        await admin.execute(f"CREATE SCHEMA {db.ident(schema)} AUTHORIZATION {db.ident(env.role(OWNER))}")
    finally:
        await admin.close()
    pool = await db.create_pool(env.dsn(OWNER), min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            migrations = load_migrations(schema=schema, service_migrations=None, platform=platform)
            applied = await migrate(conn, schema=schema, migrations=migrations)
        yield KitSchema(schema=schema, pool=pool, applied=applied)
    finally:
        await pool.close()
        admin = await db.connect(db.with_database(ADMIN_DSN, env.database))
        try:
            await admin.execute(f"DROP SCHEMA {db.ident(schema)} CASCADE")
        finally:
            await admin.close()
