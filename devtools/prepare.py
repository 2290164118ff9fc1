"""Create the database, each service's role and schema, migrate every service, seed the demo data.

Idempotent: a second `make run` finds everything in place and changes nothing but what is missing.
"""

from __future__ import annotations

import asyncio
import importlib
import os

from devtools import seed
from devtools.envfile import load_dev_env
from devtools.services import SERVICES
from shared import db
from shared.logging import configure_logging, get_logger
from shared.service import ServiceDefinition, run_migrations
from shared.settings import load_settings

log = get_logger("prepare")


def definitions() -> list[ServiceDefinition]:
    return [importlib.import_module(f"{name}.main").DEFINITION for name in SERVICES]


async def prepare() -> None:
    admin_dsn = os.environ["PORTAL_ADMIN_DSN"]
    defs = definitions()
    settings = {d.name: load_settings(d.settings_cls) for d in defs}
    await db.bootstrap(
        admin_dsn, [db.ServiceDatabase.from_dsn(schema=d.name, dsn=settings[d.name].dsn) for d in defs]
    )
    for d in defs:
        applied = await run_migrations(d, settings[d.name])
        log.info("service_migrated", service=d.name, applied=len(applied))
    await seed.seed_demo(settings)


def main() -> None:
    load_dev_env()
    configure_logging(service="prepare", level="INFO")
    asyncio.run(prepare())


if __name__ == "__main__":
    main()
