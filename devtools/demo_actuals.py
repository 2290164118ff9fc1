"""The demo care packages of `make run` (docs/demo.md): clients, service levels and CPLIs of three
councils, upserted through actuals' council handlers as the council's systems would send them.

The data (Telford & Wrekin's home care, Worcestershire's nursing home, Durham's foster carer) is
devtools/demo_care_packages.py.

Ordering. `make run` seeds before any worker runs (devtools/prepare.py, then honcho starts the workers),
so identity's contract and service events are still in identity's outbox when this runs, and actuals'
projections of them are empty: a CPLI names its service, so it would be refused. Rather than wait for a
relay and a consumer that do not exist yet, the seeder applies identity's current contract and service
states to actuals' projections itself, with the projections' own `apply_many` and from the queries
identity answers a backfill with (`identity.republishing`). That is what actuals' consumer does with the
same events when they arrive, and the revision guard makes the later delivery change nothing, so the
order of seeding and delivery does not matter and a re-run is harmless.

Idempotent: a second run sends the same items, which the upserts count as unchanged (nothing written,
nothing published). Only the mid-week rate moves with the current week.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from typing import Any

import asyncpg

from actuals.consumers import contracts, services
from actuals.handlers import reference, reference_cplis
from devtools.demo_care_packages import demo_councils
from identity.republishing import CONTRACTS, PROVIDER_SERVICES
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.events import make_envelope
from shared.logging import get_logger
from shared.projections import Projection
from shared.settings import ServiceSettings
from shared.uow import Actor, Caller, Work

log = get_logger("seed")


def council_system(authority: uuid.UUID) -> Caller:
    """The council's own system, as it calls the council API (Edit, the whole authority)."""
    principal = Principal(
        subject="demo-seed",
        kind=PrincipalKind.council_client,
        authority_id=authority,
        organisation_id=None,
        role=Role.council,
        can_edit=True,
        scope_type=ScopeType.authority,
        scope_id=None,
    )
    return Caller(principal=principal, actor=Actor.system("demo-seed", correlation_id="demo-seed"))


# --- identity's directory into actuals' projections ------------------------------------------------------


async def project_directory(identity: asyncpg.Connection, actuals: asyncpg.Connection) -> int:
    """Apply identity's current contracts and services to actuals' projections (see the module's note on
    ordering); answer how many states were applied."""
    return await apply_current_states(
        identity, actuals, ((contracts, CONTRACTS), (services, PROVIDER_SERVICES))
    )


DEADLOCK_ATTEMPTS = 5


async def apply_current_states(
    source: asyncpg.Connection, target: asyncpg.Connection, projections: Sequence[tuple[Projection, str]]
) -> int:
    """Each projection filled with the producer's current states, read by its republisher's query (what a
    backfill would publish), through the projection's own revision-guarded apply, in the key's order."""
    applied = 0
    for projection, query in projections:
        (key,) = projection.key
        batch = []
        for row in sorted(await source.fetch(query), key=lambda found: str(found[key])):
            event = projection.event.model_validate(dict(row))
            batch.append(
                (make_envelope(event, aggregate_id=row[key], authority_id=row["authority_id"]), event)
            )
        await apply_retrying(target, projection.apply_many, batch)
        applied += len(batch)
    return applied


async def apply_retrying(
    target: asyncpg.Connection,
    apply_many: Callable[[asyncpg.Connection, Sequence[Any]], Awaitable[None]],
    batch: Sequence[Any],
) -> None:
    """`apply_many(target, batch)` in one transaction, again when PostgreSQL breaks a deadlock by aborting
    it: a consumer of the same events (a worker already running, as in the tests' shared environment) may
    be applying some of the same rows in another order. The revision guard makes applying again safe."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            async with target.transaction():
                await apply_many(target, batch)
            return
        except asyncpg.DeadlockDetectedError:
            if attempt == DEADLOCK_ATTEMPTS:
                raise
            await asyncio.sleep(0.05 * attempt)


# --- seeding -------------------------------------------------------------------------------------------


async def seed_actuals(
    settings: Mapping[str, ServiceSettings],
    *,
    authorities: Mapping[str, uuid.UUID],
    today: date | None = None,
) -> None:
    """Project identity's directory into actuals, then upsert each council's care packages
    (`authorities`: the demo authorities' ids by slug, as devtools.seed made them)."""
    today = today or date.today()
    identity = await db.connect(settings["identity"].dsn)
    pool = await db.create_pool(settings["actuals"].dsn)
    try:
        async with pool.acquire() as conn:
            applied = await project_directory(identity, conn)
        work = Work(pool, Outbox("actuals"))
        for demo in demo_councils(today):
            authority = authorities[demo.slug]
            caller = council_system(authority)
            async with pool.acquire() as conn:
                by_reference = {
                    r["reference"]: r["service_id"]
                    for r in await conn.fetch(
                        "SELECT reference, service_id FROM actuals.provider_service WHERE authority_id = $1",
                        authority,
                    )
                }
            missing = sorted({c["service"] for c in demo.cplis} - set(by_reference))
            if missing:
                raise RuntimeError(
                    f"{demo.slug}: no service {', '.join(missing)} in identity's directory"
                    " (devtools/demo_councils.py)"
                )
            cplis = [
                {k: v for k, v in c.items() if k != "service"}
                | {"service_id": str(by_reference[c["service"]])}
                for c in demo.cplis
            ]
            results = {
                "clients": await reference.upsert_clients(caller, work, items=demo.clients),
                "service_levels": await reference.upsert_service_levels(
                    caller, work, items=demo.service_levels
                ),
                "cplis": await reference_cplis.upsert_cplis(caller, work, items=cplis),
            }
            log.info(
                "demo_actuals_seeded",
                authority=demo.slug,
                **{
                    k: f"{r.created} created, {r.updated} updated, {r.unchanged} unchanged"
                    for k, r in results.items()
                },
            )
        log.info("demo_directory_projected", states=applied)
    finally:
        await identity.close()
        await pool.close()
