"""What a service declares about itself, once, in its `main.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI

from shared.backfill import Republisher, backfill_subscription
from shared.bus import Subscription
from shared.migrations import OUTBOX_INBOX
from shared.settings import ServiceSettings

if TYPE_CHECKING:
    from shared.service.runtime import Runtime


@dataclass(frozen=True)
class ServiceDefinition:
    name: str  # also the schema name and the consumer name
    title: str
    settings_cls: type[ServiceSettings]
    # The service's own SQL migrations, package data: `importlib.resources.files("<service>") / "migrations"`.
    migrations: Traversable | None = None
    routers: Sequence[APIRouter] = ()
    subscriptions: Sequence[Subscription] = ()
    # Work queues of the service's extra process kinds, by queue name, with the routing keys they take
    # (e.g. reports.render): declared by `migrate` like the service's own queue.
    work_queues: Mapping[str, Sequence[str]] = field(default_factory=dict)
    platform_migrations: tuple[str, ...] = (OUTBOX_INBOX,)
    # The aggregate types the service re-publishes on request (shared.backfill): declaring them subscribes
    # the service to its `<name>.backfill.requested.v1` command and offers `republish` to an operator.
    republishers: Sequence[Republisher] = ()
    # Extra background tasks for the worker (e.g. reports' renderer), each run until stop is set.
    worker_tasks: Sequence[Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]] = ()
    # Extra process kinds: `python -m <service> <name>` runs it until SIGTERM (e.g. reports' render);
    # its probes and metrics are on the port of the setting `<name>_port`, which the service declares.
    commands: Mapping[str, Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]] = field(
        default_factory=dict
    )
    # One-shot commands: `python -m <service> <name> [words]` runs it once and exits (e.g. identity's
    # reseal). Each is given its words first, checks them (exiting with a message naming a bad one) and
    # returns what to run, before anything connects.
    one_shot_commands: Mapping[
        str, Callable[[Sequence[str]], Callable[[Runtime, asyncio.Event], Coroutine[Any, Any, None]]]
    ] = field(default_factory=dict)
    # Extra set-up of app.state at API start (e.g. identity's signing keys).
    on_api_start: Callable[[Runtime, FastAPI], Awaitable[None]] | None = None
    # And its tear-down (e.g. identity's hashing threads).
    on_api_stop: Callable[[Runtime, FastAPI], Awaitable[None]] | None = None

    # Everything its consumer takes: its subscriptions and, for a producer that re-publishes, its backfill
    # command (built here, so a republisher that does not match the command fails at declaration).
    consumes: Sequence[Subscription] = field(init=False)

    def __post_init__(self) -> None:
        backfill = [backfill_subscription(self.name, self.republishers)] if self.republishers else []
        object.__setattr__(self, "consumes", (*self.subscriptions, *backfill))
