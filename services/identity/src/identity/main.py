"""Composition root of the identity service: `python -m identity api|worker|migrate|reseal`."""

from __future__ import annotations

import asyncio
import contextlib
from importlib.resources import files

from fastapi import FastAPI

from identity import keys
from identity.api import ROUTERS
from identity.config import Settings
from identity.consumers import SUBSCRIPTIONS
from identity.context import build_context
from identity.republishing import REPUBLISHERS
from identity.resealing import reseal_command
from identity.store import limits, sessions
from shared.auth import jwks_document
from shared.logging import get_logger
from shared.migrations import DECISION_REQUESTS, OUTBOX_INBOX
from shared.service import Runtime, ServiceDefinition, cli

log = get_logger(__name__)
SWEEP_SECONDS = 3600.0


async def on_api_start(runtime: Runtime, app: FastAPI) -> None:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    signing = keys.signing_keys(settings)
    app.state.signing_key = signing[0]
    app.state.jwks = jwks_document(signing)
    app.state.identity = build_context(work=runtime.work, settings=settings, signer=signing[0])


async def on_api_stop(runtime: Runtime, app: FastAPI) -> None:
    app.state.identity.hasher.close()


async def sweep_expired(runtime: Runtime, stop: asyncio.Event) -> None:
    """Forget expired journeys, long-ended sessions and old rate-limit windows, hourly."""
    while not stop.is_set():
        try:
            async with runtime.pool.acquire() as conn:
                await sessions.sweep(conn=conn)
                await limits.sweep(conn=conn)
        except Exception as exc:  # the next round tries again
            log.warning("identity_sweep_failed", error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=SWEEP_SECONDS)


DEFINITION = ServiceDefinition(
    name="identity",
    title="Provider Portal — Identity",
    settings_cls=Settings,
    migrations=files("identity") / "migrations",
    platform_migrations=(OUTBOX_INBOX, DECISION_REQUESTS),
    routers=[*ROUTERS, keys.router],
    subscriptions=SUBSCRIPTIONS,
    republishers=REPUBLISHERS,  # other services' backfill requests, and `python -m identity republish`
    on_api_start=on_api_start,
    on_api_stop=on_api_stop,
    worker_tasks=[sweep_expired],
    one_shot_commands={"reseal": reseal_command},  # after a security-code key rotation
)


def main() -> None:
    cli(DEFINITION)
