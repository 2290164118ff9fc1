"""One isolated environment per test run, on the real PostgreSQL and RabbitMQ.

A run gets its own database, its own roles (one per service, as in production) and its own RabbitMQ
vhost, all named after a random run id; teardown drops all of them. Two runs at once never see each
other's rows or messages.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import os
import secrets
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from devtools.services import SERVICES
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType, SigningKey, jwks_document
from shared.service import ServiceDefinition, run_migrations
from shared.settings import ServiceSettings

ADMIN_DSN = os.environ.get("PORTAL_TEST_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("PORTAL_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
RABBITMQCTL = os.environ.get("PORTAL_TEST_RABBITMQCTL", "rabbitmqctl")
PREFIX = "portal_t_"
POOL_MAX = 3  # connections of each service's pool in tests (PostgreSQL has 100 for everyone)
# The retry delays of every consumer in tests: the first two of the default (5 s, 30 s), which are all a
# test lives to see, so each consumer has two retry queues instead of four. RabbitMQ 3.10 reserves file
# handles for every quorum queue, within a limit it takes from its `ulimit -n` at start (927 of 1,024
# here): with the default's four, the vhosts of the run's two workers, a package's own environment and the
# isolation test's two nested runs reached it, and the broker stopped accepting connections until one
# went away (every new connection hung for minutes). Tests of retrying set delays of their own.
RETRY_DELAYS = [5.0, 30.0]


# Every test logs in from 127.0.0.1, in whatever order the run's workers take the files: the
# per-address limits of identity are tested on their own, lower (tests/identity/integration/test_*limits).
EVERY_TEST_FROM_ONE_ADDRESS = {"login_limit_per_address": 10000, "reset_limit_per_address": 10000}


def _env_value(value: Any) -> str:
    """A setting's value as its environment variable spells it (pydantic-settings reads lists as JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def definitions() -> list[ServiceDefinition]:
    return [importlib.import_module(f"{name}.main").DEFINITION for name in SERVICES]


@dataclass
class RunEnvironment:
    run_id: str
    signing_key: SigningKey = field(default_factory=SigningKey.generate)
    # Identity's other secrets, fresh per run (the development defaults are refused in tests).
    gateway_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    security_code_key: str = field(default_factory=lambda: base64.b64encode(os.urandom(32)).decode())
    delivery_key: str = field(default_factory=lambda: base64.b64encode(os.urandom(32)).decode())

    @property
    def database(self) -> str:
        return f"{PREFIX}{self.run_id}"

    @property
    def vhost(self) -> str:
        return f"{PREFIX}{self.run_id}"

    @property
    def amqp_url(self) -> str:
        return AMQP_BASE.rstrip("/") + "/" + quote(self.vhost, safe="")

    def role(self, service: str) -> str:
        return f"{PREFIX}{self.run_id}_{service}"

    def dsn(self, service: str) -> str:
        host = urlsplit(ADMIN_DSN).netloc.split("@")[-1]
        return f"postgresql://{self.role(service)}@{host}/{self.database}"

    def service_databases(self) -> list[db.ServiceDatabase]:
        return [db.ServiceDatabase.from_dsn(schema=d.name, dsn=self.dsn(d.name)) for d in definitions()]

    @property
    def jwks(self) -> str:
        return jwks_document([self.signing_key])

    def values(self, service: str) -> dict[str, Any]:
        """The settings every test process of `service` runs with, in this process (`settings()`) or as a
        subprocess (`env_vars()`)."""
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": self.dsn(service),
            "amqp_url": self.amqp_url,
            "token_jwks_json": self.jwks,
            "log_json": True,
            "relay_poll_seconds": 0.5,
            "consumer_retry_delays": RETRY_DELAYS,
            # A stack per pytest-xdist worker, a dozen processes each, and the tests' own pools, on one
            # PostgreSQL of 100 connections: a few each is plenty for tests (a pool waits for a free one).
            "db_pool_max": POOL_MAX,
            # Internal listeners on any free port, so parallel runs never collide.
            "metrics_port": 0,
            "worker_port": 0,
            **({"render_port": 0} if service == "reports" else {}),
            # No test process sends notifications: the notification tests run the sender themselves,
            # against a sink of their own (tests/messaging/integration/test_notifications*.py).
            **({"send_notifications": False} if service == "messaging" else {}),
        }
        if service == "identity":
            values.update(self.identity_secrets())
        return values

    def settings(self, definition: ServiceDefinition, **overrides: Any) -> ServiceSettings:
        values = self.values(definition.name)
        if definition.name == "identity":
            values.update(EVERY_TEST_FROM_ONE_ADDRESS)
        values.update(overrides)
        return definition.settings_cls(**values)

    def env_vars(self, service: str) -> dict[str, str]:
        """Environment variables that configure `service` as `settings()` does (for subprocesses)."""
        prefix = service.upper() + "_"
        return {
            **{f"{prefix}{name.upper()}": _env_value(value) for name, value in self.values(service).items()},
            # The stacks' payments worker computes no payment run: tests start runs and compute them in
            # their own process (a crash mid-run, a race with confirmations) or run the worker's loop
            # themselves (tests/payments/integration/test_run_worker.py, the whole cycle).
            **({"PAYMENTS_COMPUTE_RUNS": "false"} if service == "payments" else {}),
        }

    def identity_secrets(self) -> dict[str, str]:
        return {
            "signing_key": self.signing_key.private_pem(),
            "gateway_secret": self.gateway_secret,
            "security_code_key": self.security_code_key,
            "delivery_key": self.delivery_key,
        }

    def token(
        self,
        *,
        authority_id: uuid.UUID,
        organisation_id: uuid.UUID | None = None,
        role: Role = Role.full,
        can_edit: bool = True,
        scope_type: ScopeType | None = None,
        scope_id: uuid.UUID | None = None,
        subject: str | None = None,
        kind: PrincipalKind = PrincipalKind.user,
        ttl_seconds: int = 300,
    ) -> str:
        if scope_type is None:
            scope_type = ScopeType.authority if role is Role.council else ScopeType.organisation
        if scope_type is ScopeType.organisation and scope_id is None:
            scope_id = organisation_id
        principal = Principal(
            subject=subject or f"user-{uuid.uuid4().hex[:8]}",
            kind=kind,
            authority_id=authority_id,
            organisation_id=organisation_id,
            role=role,
            can_edit=can_edit,
            scope_type=scope_type,
            scope_id=scope_id,
        )
        return self.signing_key.sign(
            principal, issuer="portal-identity", audience="portal-services", ttl_seconds=ttl_seconds
        )

    def council_token(self, authority_id: uuid.UUID, *, can_edit: bool = True) -> str:
        return self.token(
            authority_id=authority_id, role=Role.council, can_edit=can_edit, kind=PrincipalKind.council_client
        )

    def council_user_token(self, authority_id: uuid.UUID, *, can_edit: bool = True) -> str:
        """A council member of staff (a person: a council client needs grants to manage accounts)."""
        return self.token(authority_id=authority_id, role=Role.council, can_edit=can_edit)

    # --- lifecycle -------------------------------------------------------------------------------

    async def create(self) -> None:
        """What `python -m <service> migrate` does for every service: schemas, then queues and bindings."""
        await db.bootstrap(ADMIN_DSN, self.service_databases())
        await rabbitmqctl("add_vhost", self.vhost)
        await rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        for definition in definitions():
            await run_migrations(definition, self.settings(definition))

    async def destroy(self) -> None:
        try:
            await rabbitmqctl("delete_vhost", self.vhost)
        finally:
            await db.drop_everything(ADMIN_DSN, self.service_databases())


@asynccontextmanager
async def own_environment(run_id: str | None = None) -> AsyncIterator[RunEnvironment]:
    """A database and vhost of the caller's own, made and dropped around it: for tests that must not meet
    the run's shared environment, where a whole stack may be running (tests/conftest.py `stack`), or
    whose events its workers should not have to consume."""
    environment = RunEnvironment(run_id=run_id or secrets.token_hex(4))  # never the run's own id
    await environment.create()
    try:
        yield environment
    finally:
        await environment.destroy()


def new_run_id() -> str:
    """Random, or PORTAL_TEST_RUN_ID's; each pytest-xdist worker of a run gets its own environment."""
    run_id = os.environ.get("PORTAL_TEST_RUN_ID") or secrets.token_hex(4)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{run_id}_{worker}" if worker and os.environ.get("PORTAL_TEST_RUN_ID") else run_id


async def rabbitmqctl(*args: str, timeout: float = 60.0) -> str:
    proc = await asyncio.create_subprocess_exec(
        RABBITMQCTL, "-q", *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        # A wedged broker leaves the CLI waiting for ever; say so instead of a test's set-up time-out.
        proc.kill()
        await proc.wait()
        raise RuntimeError(
            f"rabbitmqctl {' '.join(args)} did not answer in {timeout:.0f}s: is RabbitMQ running and well?"
            " (`rabbitmqctl status`; docs/testing.md)"
        ) from None
    if proc.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {err.decode().strip()}")
    return out.decode()
