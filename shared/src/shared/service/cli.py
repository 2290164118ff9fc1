"""`python -m <service> api | worker | migrate | <operation> | <extra process kind>`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from shared import db
from shared.logging import configure_logging, get_logger
from shared.loop import run_event_loop, settle_garbage_collector
from shared.service.api import create_api
from shared.service.definition import ServiceDefinition
from shared.service.migrate import run_migrations
from shared.service.worker import run_command, run_once, run_worker
from shared.settings import ServiceSettings, load_settings
from shared.telemetry import configure_telemetry

log = get_logger(__name__)
ADMIN_DSN = "PORTAL_ADMIN_DSN"


async def bootstrap_database(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    """`python -m <service> bootstrap`: the service's role (the user and password of its DATABASE_URL) and
    its schema, made with the administrator's DSN in PORTAL_ADMIN_DSN; idempotent, so a deployment's
    migrations Job runs it before `migrate` on every roll (deploy/k8s, docs/operations.md)."""
    admin_dsn = os.environ.get(ADMIN_DSN)
    if not admin_dsn:
        sys.stderr.write(f"{definition.name}: bootstrap needs {ADMIN_DSN}, the administrator's DSN\n")
        raise SystemExit(2)
    await db.bootstrap(admin_dsn, [db.ServiceDatabase.from_dsn(schema=definition.name, dsn=settings.dsn)])
    log.info("database_bootstrapped", service=definition.name)


def cli(definition: ServiceDefinition, argv: Sequence[str] | None = None) -> None:
    """`python -m <service> api | worker | migrate | dead-letters ... | outbox ...`."""
    from shared.operations import OPERATIONS, operation_command  # it depends on shared.service's Runtime

    parser = argparse.ArgumentParser(prog=definition.name, description=definition.title)
    parser.add_argument(
        "command",
        choices=[
            "api",
            "worker",
            "migrate",
            "bootstrap",
            *OPERATIONS,
            *definition.commands,
            *definition.one_shot_commands,
        ],
    )
    parser.add_argument("words", nargs=argparse.REMAINDER, help="the operation's own arguments")
    args = parser.parse_args(argv)
    if args.command in OPERATIONS:
        operation = operation_command(definition, [args.command, *args.words])
    elif args.command in definition.one_shot_commands:
        operation = definition.one_shot_commands[args.command](args.words)
    settings = load_settings(definition.settings_cls)
    configure_logging(service=definition.name, level=settings.log_level, json=settings.log_json)
    configure_telemetry(service=definition.name, otlp_endpoint=settings.otlp_endpoint)
    if args.command == "api":
        import uvicorn

        app = create_api(definition, settings)
        settle_garbage_collector()
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            proxy_headers=False,
        )
    elif args.command == "worker":
        run_event_loop(run_worker(definition, settings))
    elif args.command == "migrate":
        applied = run_event_loop(run_migrations(definition, settings))
        log.info("migrations_done", applied=len(applied))
    elif args.command == "bootstrap":
        run_event_loop(bootstrap_database(definition, settings))
    elif args.command in OPERATIONS or args.command in definition.one_shot_commands:
        run_event_loop(run_once(definition, settings, operation))
    else:
        run_event_loop(run_command(definition, settings, args.command))
    sys.exit(0)
