"""The events the messaging service listens to, declared in one table (docs/messaging.md), and the
worker's own tasks (`ask_for_missing_states`, `watch_overdue`).

- identity's organisations, provider services; actuals' clients and CPLIs, kept as declared projections
  (`messaging.organisation`, `.provider_service`, `.client`, `.placement`): what an action may be
  "related to" is checked against them, and named from them; identity's authorities
  (`messaging.authority`, the slug only): the notifications' links.
- payments' disputes and identity's requests, which open and close actions (`messaging.handlers.events`,
  `messaging.handlers.identity_requests`).

A service that starts after identity and actuals have published would never hear of their states, so
the worker asks for a backfill of each empty projection (`ask_for_missing_states`), as claims does.
"""

from __future__ import annotations

import asyncio
import contextlib

from messaging.domain.clock import Clock
from messaging.handlers import events, identity_requests
from messaging.handlers.overdue import publish_overdue
from messaging.notifications import users
from messaging.store.related import empty_projections
from shared.backfill import ask_for_empty_tables
from shared.bus import Subscription
from shared.events import (
    AuthorityUpserted,
    ClientUpserted,
    ContactChangeRequestUpserted,
    ContactRequestUpserted,
    CpliUpserted,
    DisputeRequestUpserted,
    OrganisationChangeRequestUpserted,
    PasswordResetRequested,
    ProviderServiceUpserted,
    ScheduledPaymentDisputed,
    TemporaryPasswordIssued,
)
from shared.logging import get_logger
from shared.projections import OrganisationProjection, Projection
from shared.service import Runtime

log = get_logger(__name__)

organisations = OrganisationProjection("messaging")

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
CLIENT_COLUMNS = ("client_id", "authority_id", "reference", "name", "revision", "updated_at")
# What messaging keeps of a CPLI: which client it places with which provider, where, and when.
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

services = Projection.mirror(
    ProviderServiceUpserted, "messaging", "provider_service", key="service_id", columns=SERVICE_COLUMNS
)
clients = Projection.mirror(ClientUpserted, "messaging", "client", key="client_id", columns=CLIENT_COLUMNS)
# An authority's slug: the notifications link to its pages (`/<slug>/actions/<id>`).
authorities = Projection.mirror(
    AuthorityUpserted,
    "messaging",
    "authority",
    key="authority_id",
    columns=("authority_id", "slug", "revision", "updated_at"),
)
placements = Projection.mirror(
    CpliUpserted, "messaging", "placement", key="cpli_id", columns=PLACEMENT_COLUMNS
)

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
    *services.subscriptions(),
    *clients.subscriptions(),
    *placements.subscriptions(),
    *authorities.subscriptions(),
    Subscription(ScheduledPaymentDisputed, events.payment_disputed),
    Subscription(DisputeRequestUpserted, events.dispute_decided),
    Subscription(ContactRequestUpserted, identity_requests.contact_requested),
    Subscription(ContactChangeRequestUpserted, identity_requests.contact_change_requested),
    Subscription(OrganisationChangeRequestUpserted, identity_requests.organisation_change_requested),
    Subscription(PasswordResetRequested, identity_requests.password_reset_requested),
    Subscription(TemporaryPasswordIssued, identity_requests.password_reset),
    users.subscription(),  # portal users, whom notifications are addressed to
]

# Each projected table, and the producer and aggregate type that fill it.
BACKFILLED = {
    "provider_service": (("identity", "provider_service"),),
    "client": (("actuals", "client"),),
    "placement": (("actuals", "cpli"),),
    "authority": (("identity", "authority"),),
}


async def ask_for_missing_states(runtime: Runtime, stop: asyncio.Event) -> None:
    """At the worker's start: ask identity and actuals to re-publish what fills an empty projection."""
    await ask_for_empty_tables(
        runtime.pool, runtime.outbox, runtime.definition.name, SUBSCRIPTIONS, BACKFILLED, empty_projections
    )


async def watch_overdue(runtime: Runtime, stop: asyncio.Event) -> None:
    """Until the worker stops: every `overdue_sweep_seconds`, publish the actions newly overdue."""
    work = runtime.work
    every = float(getattr(runtime.settings, "overdue_sweep_seconds", 300.0))
    clock = Clock()
    while not stop.is_set():
        try:
            await publish_overdue(work, clock)
        except Exception:  # a failed sweep (the database away) is tried again at the next
            log.exception("overdue_sweep_failed")
        with contextlib.suppress(TimeoutError):  # the interval passed: sweep again
            await asyncio.wait_for(stop.wait(), timeout=every)
