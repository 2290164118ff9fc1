"""`python -m <service> bootstrap`, the first step of a deployment's migrations Job (deploy/k8s): it makes
the service's role and schema from the administrator's DSN, twice without harm, and refuses to run
without that DSN."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import asyncpg

from shared import db
from tests.support.environment import ADMIN_DSN


def bootstrap(env_vars: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MESSAGING_", "PORTAL_ADMIN"))}
    return subprocess.run(
        [sys.executable, "-m", "messaging", "bootstrap"],
        env={**environ, **env_vars},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_bootstrap_makes_the_role_and_schema_twice_without_harm_and_needs_the_admin_dsn():
    name = f"boot_{uuid.uuid4().hex[:8]}"
    host = db.with_database(ADMIN_DSN, name).split("://", 1)[1].split("@")[-1]
    dsn = f"postgresql://{name}:pw-{name}@{host}"
    settings = {"MESSAGING_ENVIRONMENT": "test", "MESSAGING_DATABASE_URL": dsn, "MESSAGING_LOG_JSON": "true"}
    settings["MESSAGING_AMQP_URL"] = "amqp://guest:guest@127.0.0.1:5672/"  # read at start-up, unused here
    target = [db.ServiceDatabase(schema="messaging", role=name, password=None, database=name)]

    refused = bootstrap(settings)
    assert refused.returncode == 2
    assert "PORTAL_ADMIN_DSN" in refused.stderr
    try:
        for _ in range(2):  # every roll runs it again
            done = bootstrap({**settings, "PORTAL_ADMIN_DSN": ADMIN_DSN})
            assert done.returncode == 0, done.stderr
        conn = await asyncpg.connect(dsn)  # the role logs in with its DSN's password
        try:
            assert await conn.fetchval("SHOW search_path") == "messaging"
            await conn.execute("CREATE TABLE messaging.probe (id int)")  # it owns its schema
            assert await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
        finally:
            await conn.close()
    finally:
        await db.drop_everything(ADMIN_DSN, target)
