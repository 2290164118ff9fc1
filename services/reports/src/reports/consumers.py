"""The events the reports service listens to, declared in one table: its read model (migration 0003),
from which every report is queried (reports.store.sources); a report never calls another service.

- identity's authorities (name and colours on each council's reports), organisations, contracts and
  provider services; actuals' clients, service levels and CPLIs: full states, kept by the kit's
  projections (revision-guarded upserts).
- actuals' confirmed and unlocked weeks (Commissioned Vs Actuals).
- payments' scheduled payments (`upserted`, and `confirmed`/`disputed`, which carry the same state),
  finalised runs and issued remittances (the pending, remittance, annual statement and purchase order
  reports); its invoices and credit notes, and claims' accepted claims (migration 0006).

A service that starts after the others have published would never hear of their states, so the worker
asks for a backfill of each empty table (`ask_for_missing_states`), as
`python -m reports backfill request --from payments --aggregate scheduled_payment` does by hand. Payments
re-publishes its invoices and credit notes, claims its accepted claims, as the events they published.
Weeks, runs and remittances are events, not re-published states (docs/reports-read-model.md says why):
reports' worker must be subscribed (its queue declared by `migrate`) before they happen, as `make run`
and every deployment do. Authorities are
backfilled like the other states: a reports service started after a council was created prints its name
and colours once identity has answered (before that, the default branding).
"""

from __future__ import annotations

import asyncio

import asyncpg

from reports.store import projections
from shared.backfill import ask_for_empty_tables
from shared.bus import Subscription
from shared.events import (
    AuthorityUpserted,
    ClaimDecided,
    ClientUpserted,
    ContractUpserted,
    CpliUpserted,
    CreditNoteIssued,
    Envelope,
    EventPayload,
    InvoiceSubmitted,
    PaymentRunFinalised,
    ProviderServiceUpserted,
    RemittanceIssued,
    ScheduledPaymentConfirmed,
    ScheduledPaymentDisputed,
    ScheduledPaymentUpserted,
    ServiceLevelUpserted,
    WeekConfirmed,
    WeekUnlocked,
)
from shared.projections import OrganisationProjection, Projection
from shared.service import Runtime

organisations = OrganisationProjection("reports")


def _projection(event: type[EventPayload], table: str, key: str, *columns: str) -> Projection:
    return Projection.mirror(event, "reports", table, key=key, columns=columns)


authorities = _projection(
    AuthorityUpserted,
    "authority",
    "authority_id",
    *("slug", "name", "primary_colour", "secondary_colour", "revision", "updated_at"),
)
contracts = _projection(
    ContractUpserted,
    "contract",
    "contract_id",
    *("authority_id", "organisation_id", "reference", "name", "payment_basis", "frequency"),
    *("vat_registered", "start_date", "end_date", "active", "revision", "updated_at"),
)
services = _projection(
    ProviderServiceUpserted,
    "provider_service",
    "service_id",
    *("authority_id", "organisation_id", "contract_id", "reference", "name", "active", "revision"),
    "updated_at",
)
clients = _projection(
    ClientUpserted,
    "client",
    "client_id",
    *("authority_id", "reference", "name", "date_of_birth", "revision", "updated_at"),
)
service_levels = _projection(
    ServiceLevelUpserted,
    "service_level",
    "service_level_id",
    *("authority_id", "reference", "name", "unit", "revision", "updated_at"),
)
cplis = _projection(
    CpliUpserted,
    "cpli",
    "cpli_id",
    *("authority_id", "organisation_id", "contract_id", "service_id", "client_id", "service_level_id"),
    *("reference", "start_date", "end_date", "cost", "frequency", "units_per_week", "authorised"),
    *("revision", "updated_at"),
)


# payments' invoices and credit notes (a document is kept once: when it was issued is its revision) and
# claims' accepted claims: headers by the kit's guarded upsert, lines replaced with a newer state
# (reports.store.projections).
INVOICE_COLUMNS = (
    *("invoice_id", "authority_id", "organisation_id", "kind", "number", "supplier_reference"),
    *("contract_id", "contract_reference", "provider_reference", "issue_date", "excl_vat", "vat", "total"),
)
invoices = Projection(
    event=InvoiceSubmitted,
    schema="reports",
    table="invoice",
    key=("invoice_id",),
    columns={**{c: c for c in INVOICE_COLUMNS}, "issued_at": "submitted_at"},
    revision="issued_at",
)
credit_notes = Projection(
    event=CreditNoteIssued,
    schema="reports",
    table="invoice",
    key=("invoice_id",),
    columns={
        **{c: c for c in INVOICE_COLUMNS},
        **{c: c for c in ("credits_invoice_id", "credits_payment_id", "reason", "issued_at")},
    },
    revision="issued_at",
)
accepted_claims = _projection(
    ClaimDecided,
    "accepted_claim",
    "claim_id",
    *("authority_id", "organisation_id", "claim_date", "accepted_total", "decided_at", "revision"),
)


async def invoice_issued(
    conn: asyncpg.Connection, envelope: Envelope, event: InvoiceSubmitted | CreditNoteIssued
) -> None:
    header = invoices if isinstance(event, InvoiceSubmitted) else credit_notes
    await projections.apply_invoice(conn, header=header, event=event)


async def claim_decided(conn: asyncpg.Connection, envelope: Envelope, event: ClaimDecided) -> None:
    await projections.apply_accepted_claim(conn, header=accepted_claims, event=event)


async def week_confirmed(conn: asyncpg.Connection, envelope: Envelope, event: WeekConfirmed) -> None:
    await projections.apply_week_confirmed(conn, event=event)


async def week_unlocked(conn: asyncpg.Connection, envelope: Envelope, event: WeekUnlocked) -> None:
    await projections.apply_week_unlocked(conn, event=event)


async def payment_changed(
    conn: asyncpg.Connection,
    envelope: Envelope,
    event: ScheduledPaymentUpserted | ScheduledPaymentConfirmed | ScheduledPaymentDisputed,
) -> None:
    await projections.apply_payment(conn, authority_id=event.authority_id, state=event)


async def run_finalised(conn: asyncpg.Connection, envelope: Envelope, event: PaymentRunFinalised) -> None:
    await projections.apply_run_finalised(conn, event=event)


async def remittance_issued(conn: asyncpg.Connection, envelope: Envelope, event: RemittanceIssued) -> None:
    await projections.apply_remittance(conn, event=event)


SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
    *authorities.subscriptions(),
    *contracts.subscriptions(),
    *services.subscriptions(),
    *clients.subscriptions(),
    *service_levels.subscriptions(),
    *cplis.subscriptions(),
    Subscription(WeekConfirmed, week_confirmed),
    Subscription(WeekUnlocked, week_unlocked),
    Subscription(ScheduledPaymentUpserted, payment_changed),
    Subscription(ScheduledPaymentConfirmed, payment_changed),
    Subscription(ScheduledPaymentDisputed, payment_changed),
    Subscription(PaymentRunFinalised, run_finalised),
    Subscription(RemittanceIssued, remittance_issued),
    Subscription(InvoiceSubmitted, invoice_issued),
    Subscription(CreditNoteIssued, invoice_issued),
    Subscription(ClaimDecided, claim_decided),
]

# Each table a backfill fills, and what fills it: the producer that re-publishes it and the aggregate
# type to ask for (invoices and credit notes share one table: an empty one asks for both).
BACKFILLED: dict[str, tuple[tuple[str, str], ...]] = {
    "authority": (("identity", "authority"),),
    "organisation": (("identity", "organisation"),),
    "contract": (("identity", "contract"),),
    "provider_service": (("identity", "provider_service"),),
    "client": (("actuals", "client"),),
    "service_level": (("actuals", "service_level"),),
    "cpli": (("actuals", "cpli"),),
    "scheduled_payment": (("payments", "scheduled_payment"),),
    "invoice": (("payments", "invoice"), ("payments", "credit_note")),
    "accepted_claim": (("claims", "claim"),),
}


async def ask_for_missing_states(runtime: Runtime, stop: asyncio.Event) -> None:
    """At the worker's start: ask identity, actuals, payments and claims to re-publish what fills an
    empty table."""
    await ask_for_empty_tables(
        runtime.pool,
        runtime.outbox,
        runtime.definition.name,
        SUBSCRIPTIONS,
        BACKFILLED,
        projections.empty_tables,
    )
