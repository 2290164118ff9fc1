"""The events the claims service listens to, declared in one table.

- identity's organisations (`claims.organisation`): the council names the providers that may claim a
  service level, and only its own organisations can be named.
- actuals' clients and care package line items, kept as declared projections (`claims.client`,
  `claims.placement`): a provider claims only for a client placed with it (docs: the claims contract,
  "A client item's client must be a client of an authorised placement").

A service that starts after actuals has published its clients and CPLIs would never hear of them, so the
worker asks actuals for a backfill of both when either table is empty (`ask_for_missing_states`): the
same as `python -m claims backfill request --from actuals --aggregate client` (and `cpli`) by hand.
Asking twice is harmless: every consumer's revision guard ignores a state it already holds.
"""

from __future__ import annotations

import asyncio

from claims.store.placements import empty_projections
from shared.backfill import ask_for_empty_tables
from shared.bus import Subscription
from shared.events import ClientUpserted, CpliUpserted
from shared.projections import OrganisationProjection, Projection
from shared.service import Runtime

organisations = OrganisationProjection("claims")

CLIENT_COLUMNS = ("client_id", "authority_id", "reference", "name", "date_of_birth", "revision", "updated_at")
# What claims keeps of a CPLI: whose client it places, where, from when to when, and whether authorised
# (the cost, the pricing and the timetable are actuals' and payments' business, not a claim's).
PLACEMENT_COLUMNS = (
    "cpli_id",
    "authority_id",
    "organisation_id",
    "contract_id",
    "service_id",
    "client_id",
    "start_date",
    "end_date",
    "authorised",
    "revision",
    "updated_at",
)

clients = Projection.mirror(ClientUpserted, "claims", "client", key="client_id", columns=CLIENT_COLUMNS)
placements = Projection.mirror(CpliUpserted, "claims", "placement", key="cpli_id", columns=PLACEMENT_COLUMNS)

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
    *clients.subscriptions(),
    *placements.subscriptions(),
]

# Each projected table, and the producer and aggregate type that fill it.
BACKFILLED = {"client": (("actuals", "client"),), "placement": (("actuals", "cpli"),)}


async def ask_for_missing_states(runtime: Runtime, stop: asyncio.Event) -> None:
    """At the worker's start: ask actuals to re-publish what fills an empty projection."""
    await ask_for_empty_tables(
        runtime.pool, runtime.outbox, runtime.definition.name, SUBSCRIPTIONS, BACKFILLED, empty_projections
    )
