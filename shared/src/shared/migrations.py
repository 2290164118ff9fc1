"""A migration runner for plain SQL files: ordered, checksummed, applied once, under an advisory lock.

Files run in name order, each in its own transaction, as the service's own role. First come the
platform migrations of `shared/platform_migrations` the service asks for (outbox, inbox, audit log), with
`{schema}` standing for the service's schema, then the service's own `<service>/migrations/*.sql`.
Both are package data, read through `importlib.resources`, so an installed wheel migrates as the
source tree does.
A file already applied whose checksum changed stops the start-up: history is never rewritten.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

import asyncpg

from shared.db import ident
from shared.logging import get_logger

log = get_logger(__name__)
PLATFORM_DIR = files("shared") / "platform_migrations"


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


OUTBOX_INBOX = "0001_outbox_inbox.sql"
# History only: until issue 10 this made every service's `organisation` projection. No service asks for
# it now (each creates its own table, `IF NOT EXISTS`, in its own migrations); where it was applied it
# stays in `schema_migrations`, unchanged.
ORGANISATION_PROJECTION = "0002_organisation_projection.sql"
ATTACHMENTS = "0003_attachments.sql"  # shared.attachments
JOBS = "0004_jobs.sql"  # shared.jobs
AUDIT_LOG = "0005_audit_log.sql"  # the table of `uow.audit` (identity keeps its own, same shape)
DECISION_REQUESTS = "0007_decision_requests.sql"  # the table of `shared.decisions` (request and decide)


def load_migrations(
    *, schema: str, service_migrations: Traversable | None, platform: tuple[str, ...] = (OUTBOX_INBOX,)
) -> list[Migration]:
    """The platform migrations the service asked for, then its own (a package folder), each list in
    name order."""
    found: list[Migration] = []
    for name in sorted(platform):
        sql = (PLATFORM_DIR / name).read_text().replace("{schema}", ident(schema))
        found.append(Migration(name=f"platform/{name}", sql=sql))
    if service_migrations is not None:
        own = sorted(
            (f for f in service_migrations.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name
        )
        found += [Migration(name=f.name, sql=f.read_text()) for f in own]
    return found


async def migrate(conn: asyncpg.Connection, *, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply what is missing; return the names applied. Several replicas may call this at once."""
    table = f"{ident(schema)}.schema_migrations"
    lock_key = int.from_bytes(hashlib.sha256(f"migrate:{schema}".encode()).digest()[:8], "big", signed=True)
    await conn.execute("SELECT pg_advisory_lock($1)", lock_key)
    try:
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            " name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        applied = {r["name"]: r["checksum"] for r in await conn.fetch(f"SELECT name, checksum FROM {table}")}
        done: list[str] = []
        for m in migrations:
            if m.name in applied:
                if applied[m.name] != m.checksum:
                    raise MigrationError(f"{schema}: migration {m.name} changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    f"INSERT INTO {table} (name, checksum) VALUES ($1, $2)", m.name, m.checksum
                )
            log.info("migration_applied", schema=schema, migration=m.name)
            done.append(m.name)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_key)
