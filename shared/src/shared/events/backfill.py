"""Backfill commands: a consuming service asks a producer to re-publish the current full state of every
aggregate of a type (shared.backfill). One command per producer, addressed by its routing key
`<producer>.backfill.requested.v1`; the aggregate types the producer offers are the values of its
`aggregate_type` field, so the contract documents them and a request for anything else is refused."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.envelope import EventPayload


class BackfillRequested(EventPayload):
    """What every producer's backfill command carries; a producer's own subclass names it and narrows
    `aggregate_type` to the types it re-publishes."""

    aggregate = "backfill"
    event = "requested"
    version = 1
    command: ClassVar[bool] = True

    aggregate_type: str = Field(description="The aggregate type whose current states are wanted")
    requested_by: str = Field(description="The service that asked (the one that lacks the states)")
    requested_at: datetime = Field(description="When it was asked, UTC")


class IdentityBackfillRequested(BackfillRequested):
    """Ask identity to re-publish the current full state of every authority, organisation, user, contract
    or provider service, as their ordinary `upserted` events with their current revisions, so that a
    consumer that started late fills its projection (reports asks for the authorities, whose names and
    colours its reports print). Every consumer of the type receives them; their revision guards make
    that harmless."""

    producer = "identity"

    aggregate_type: Literal["authority", "organisation", "user", "contract", "provider_service"] = Field(
        description="The aggregate type whose current states are wanted", examples=["organisation"]
    )


class ActualsBackfillRequested(BackfillRequested):
    """Ask actuals to re-publish the current full state of every client, service level or care package
    line item, as their ordinary `upserted` events with their current revisions (payments and reports
    fill their projections of the council's care packages this way)."""

    producer = "actuals"

    aggregate_type: Literal["client", "service_level", "cpli"] = Field(
        description="The aggregate type whose current states are wanted", examples=["cpli"]
    )


class PaymentsBackfillRequested(BackfillRequested):
    """Ask payments to re-publish the current full state of every scheduled payment, as its ordinary
    `payments.scheduled_payment.upserted.v1` event with its current revision, or every submitted invoice
    or issued credit note, as the `payments.invoice.submitted.v1` or `payments.credit_note.issued.v1` it
    published (reports fills its read model of payments and its invoices this way when it starts empty)."""

    producer = "payments"

    aggregate_type: Literal["scheduled_payment", "invoice", "credit_note"] = Field(
        description="The aggregate type whose current states are wanted", examples=["scheduled_payment"]
    )


class ClaimsBackfillRequested(BackfillRequested):
    """Ask claims to re-publish every accepted one-off claim, as the `claims.claim.decided.v1` its
    decision published (reports fills its accepted claims this way when it starts empty; payments keeps a
    decision's items once, so it pays nothing twice)."""

    producer = "claims"

    aggregate_type: Literal["claim"] = Field(
        description="The aggregate type whose current states are wanted", examples=["claim"]
    )
