"""Service defaults: what every service switches on with one call.

A service declares a `ServiceDefinition` (its name, settings class, routers, subscriptions) and gets:
- `create_api(...)`: the FastAPI app with pool, broker, token verification, probes and metrics
  (`shared.service.api`), its routes reaching the process's `Runtime` and `Work` through `RuntimeDep`
  and `WorkDep` (`shared.service.runtime`);
- `run_worker(...)`: its outbox relay and its consumers, until SIGTERM/SIGINT (`shared.service.worker`);
- `run_migrations(...)`: its schema, exchange, queues and bindings (`shared.service.migrate`);
- `cli(...)`: `python -m <service> api|worker|migrate` (`shared.service.cli`).
"""

from shared.service.api import create_api, token_verifier
from shared.service.cli import cli
from shared.service.definition import ServiceDefinition
from shared.service.migrate import declare_topology, run_migrations, service_migrations
from shared.service.runtime import (
    Runtime,
    RuntimeDep,
    WorkDep,
    close_runtime,
    get_runtime,
    get_work,
    open_runtime,
)
from shared.service.worker import event_consumer, outbox_relay, run_command, run_once, run_worker

__all__ = [
    "Runtime",
    "RuntimeDep",
    "ServiceDefinition",
    "WorkDep",
    "cli",
    "close_runtime",
    "create_api",
    "declare_topology",
    "event_consumer",
    "get_runtime",
    "get_work",
    "open_runtime",
    "outbox_relay",
    "run_command",
    "run_migrations",
    "run_once",
    "run_worker",
    "service_migrations",
    "token_verifier",
]
