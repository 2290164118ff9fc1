"""PostgreSQL access: one asyncpg pool per service, and the bootstrap of its database, role and schema.

Each service connects as its own role, which owns exactly one schema (named after the service) and has no
rights on any other; the admin DSN is used only by `bootstrap`, never by a running service.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from shared.logging import get_logger

log = get_logger(__name__)
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def ident(name: str) -> str:
    """Quote a schema, role or database name that comes from configuration (never from a request)."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return f'"{name}"'


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection goes back to the pool with: asyncpg has already rolled back any transaction
    left open; the session itself is kept as it is (see `create_pool`)."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections decode json/jsonb; broken connections are replaced on next acquire.

    A connection goes back to the pool without asyncpg's default reset (advisory unlock, CLOSE ALL,
    UNLISTEN, RESET ALL): a round trip to PostgreSQL on every release, as much as the query of a small
    read (bench/gateway_read.py). So no code changes a pooled connection's session: settings only with
    SET LOCAL inside a transaction, a LISTEN removed before release (shared.bus.relay), advisory locks
    on a connection of its own (shared.migrations); tests/platform/test_db_pool.py checks the rule."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=30,
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn, conn.transaction():
        yield conn


async def ping(pool: asyncpg.Pool, *, timeout: float = 1.0) -> bool:
    try:
        async with pool.acquire(timeout=timeout) as conn:
            return bool(await conn.fetchval("SELECT 1", timeout=timeout) == 1)
    except Exception:
        return False


@dataclass(frozen=True)
class ServiceDatabase:
    """Where a service lives: parsed from its DSN (the user is its role) and its name (its schema)."""

    schema: str
    role: str
    password: str | None
    database: str

    @classmethod
    def from_dsn(cls, *, schema: str, dsn: str) -> ServiceDatabase:
        parts = urlsplit(dsn)
        if not parts.username or not parts.path.strip("/"):
            raise ValueError(f"{schema}: the database URL needs a user and a database name")
        return cls(
            schema=schema, role=parts.username, password=parts.password, database=parts.path.strip("/")
        )


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + database))


async def bootstrap(admin_dsn: str, services: list[ServiceDatabase]) -> None:
    """Create the database, each service's role and schema, idempotently (safe on every start)."""
    databases = {s.database for s in services}
    admin = await asyncpg.connect(with_database(admin_dsn, "postgres"))
    try:
        for db in sorted(databases):
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db):
                await admin.execute(f"CREATE DATABASE {ident(db)}")
                log.info("database_created", database=db)
        for svc in services:
            await _ensure_role(admin, svc)
    finally:
        await admin.close()
    for db in sorted(databases):
        conn = await asyncpg.connect(with_database(admin_dsn, db))
        try:
            await conn.execute(f"REVOKE ALL ON DATABASE {ident(db)} FROM PUBLIC")
            await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            for svc in (s for s in services if s.database == db):
                await conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {ident(db)} TO {ident(svc.role)}")
                await conn.execute(
                    f"CREATE SCHEMA IF NOT EXISTS {ident(svc.schema)} AUTHORIZATION {ident(svc.role)}"
                )
                await conn.execute(f"ALTER ROLE {ident(svc.role)} SET search_path = {ident(svc.schema)}")
        finally:
            await conn.close()


async def _ensure_role(admin: asyncpg.Connection, svc: ServiceDatabase) -> None:
    exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", svc.role)
    verb = "ALTER" if exists else "CREATE"
    # NOSUPERUSER etc. are explicit so that a role created by hand with more rights is brought back down.
    options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS"
    if svc.password is not None:
        await admin.execute(f"{verb} ROLE {ident(svc.role)} {options} PASSWORD {_literal(svc.password)}")
    else:
        await admin.execute(f"{verb} ROLE {ident(svc.role)} {options}")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def drop_everything(admin_dsn: str, services: list[ServiceDatabase]) -> None:
    """Remove databases and roles made by `bootstrap` (used by test runs to leave nothing behind)."""
    admin = await asyncpg.connect(with_database(admin_dsn, "postgres"))
    try:
        for db in sorted({s.database for s in services}):
            await admin.execute(f"DROP DATABASE IF EXISTS {ident(db)} WITH (FORCE)")
        for svc in services:
            await admin.execute(f"DROP ROLE IF EXISTS {ident(svc.role)}")
    finally:
        await admin.close()


def record_to_dict(record: Any) -> dict[str, Any]:
    return dict(record) if record is not None else {}
