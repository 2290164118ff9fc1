"""The events the payments service listens to, declared in one table (docs/payments.md "What payments
keeps of other services").

- identity's organisations, contracts and provider services (`payments.organisation`, `.contract`,
  `.provider_service`): who is paid, on which basis and frequency, with or without VAT.
- actuals' clients and CPLIs (`payments.client`, `.cpli`): what was commissioned, paid on planned.
- actuals' confirmed and unlocked weeks (`payments.confirmed_week`, `.confirmed_line`): paid on actuals.
- claims' decisions (`payments.accepted_item`): accepted one-off claim items.

A service that starts after identity and actuals have published would never hear of their states, so the
worker asks for a backfill of each empty reference table (`ask_for_missing_states`), the same as
`python -m payments backfill request --from actuals --aggregate cpli` by hand. Weeks and claim decisions
are events, not re-published states: payments' worker must be subscribed (its queue declared by
`migrate`) before a week is confirmed, which `make run` and every deployment do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg

from payments.store.projections import (
    apply_claim_decided,
    apply_week_confirmed,
    apply_week_unlocked,
    empty_projections,
)
from shared.backfill import ask_for_empty_tables
from shared.bus import Subscription
from shared.events import (
    ClaimDecided,
    ClientUpserted,
    ContractUpserted,
    CpliUpserted,
    Envelope,
    OrganisationUpserted,
    ProviderServiceUpserted,
    WeekConfirmed,
    WeekUnlocked,
)
from shared.events.envelope import EventPayload
from shared.projections import OrganisationProjection, Projection
from shared.service import Runtime

organisations = OrganisationProjection("payments")

CONTRACT_COLUMNS = (
    "contract_id",
    "authority_id",
    "organisation_id",
    "reference",
    "name",
    "payment_basis",
    "frequency",
    "pays_frustrated",
    "pays_extras",
    "vat_registered",
    "start_date",
    "end_date",
    "active",
    "revision",
    "updated_at",
)
SERVICE_COLUMNS = (
    "service_id",
    "authority_id",
    "organisation_id",
    "contract_id",
    "reference",
    "name",
    "active",
    "revision",
    "updated_at",
)
CLIENT_COLUMNS = ("client_id", "authority_id", "reference", "name", "date_of_birth", "revision", "updated_at")
# What payments keeps of a CPLI: whose, where, when, at what cost, authorised or not (the timetable and
# the planned units are actuals' business: a confirmed week carries what they cost).
CPLI_COLUMNS = (
    "cpli_id",
    "authority_id",
    "organisation_id",
    "contract_id",
    "service_id",
    "client_id",
    "client_reference",
    "service_level_id",
    "reference",
    "care_package_ref",
    "start_date",
    "end_date",
    "cost",
    "frequency",
    "authorised",
    "revision",
    "updated_at",
)

contracts = Projection.mirror(
    ContractUpserted, "payments", "contract", key="contract_id", columns=CONTRACT_COLUMNS
)
services = Projection.mirror(
    ProviderServiceUpserted, "payments", "provider_service", key="service_id", columns=SERVICE_COLUMNS
)
clients = Projection.mirror(ClientUpserted, "payments", "client", key="client_id", columns=CLIENT_COLUMNS)
cplis = Projection.mirror(CpliUpserted, "payments", "cpli", key="cpli_id", columns=CPLI_COLUMNS)


# The supplier's postal address for its purchase orders (migration 0005). The bus holds one subscription
# per event type, so the organisation event applies both projections, in the same transaction.
suppliers = Projection(
    event=OrganisationUpserted,
    schema="payments",
    table="supplier",
    key=("organisation_id",),
    columns={
        c: c
        for c in ("organisation_id", "authority_id", "name", "address", "postcode", "revision", "updated_at")
    },
)
_organisation = organisations.subscription()


async def organisation_upserted(
    conn: asyncpg.Connection, envelope: Envelope, event: OrganisationUpserted
) -> None:
    await _organisation.handler(conn, envelope, event)
    await suppliers.apply(conn, envelope, event)


async def organisations_upserted(
    conn: asyncpg.Connection, events: Sequence[tuple[Envelope, EventPayload]]
) -> None:
    if _organisation.handle_many is not None:
        await _organisation.handle_many(conn, events)
    else:
        for envelope, event in events:
            await _organisation.handler(conn, envelope, event)
    await suppliers.apply_many(conn, events)


async def week_confirmed(conn: asyncpg.Connection, envelope: Envelope, event: WeekConfirmed) -> None:
    await apply_week_confirmed(conn, event=event)


async def week_unlocked(conn: asyncpg.Connection, envelope: Envelope, event: WeekUnlocked) -> None:
    await apply_week_unlocked(conn, event=event)


async def claim_decided(conn: asyncpg.Connection, envelope: Envelope, event: ClaimDecided) -> None:
    await apply_claim_decided(conn, event=event)


SUBSCRIPTIONS: list[Subscription] = [
    Subscription(OrganisationUpserted, organisation_upserted, organisations_upserted),
    *contracts.subscriptions(),
    *services.subscriptions(),
    *clients.subscriptions(),
    *cplis.subscriptions(),
    Subscription(WeekConfirmed, week_confirmed),
    Subscription(WeekUnlocked, week_unlocked),
    Subscription(ClaimDecided, claim_decided),
]

# Each projected table, and the producer and aggregate type that fill it.
BACKFILLED = {
    "contract": (("identity", "contract"),),
    "provider_service": (("identity", "provider_service"),),
    "client": (("actuals", "client"),),
    "cpli": (("actuals", "cpli"),),
}


async def ask_for_missing_states(runtime: Runtime, stop: asyncio.Event) -> None:
    """At the worker's start: ask identity and actuals to re-publish what fills an empty projection."""
    await ask_for_empty_tables(
        runtime.pool, runtime.outbox, runtime.definition.name, SUBSCRIPTIONS, BACKFILLED, empty_projections
    )
