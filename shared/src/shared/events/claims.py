"""Events published by the claims service (one-off claims, DOMAIN.md "One-off claims"): a claim when
the provider submits it and when the council decides it, each with the claim's full state, so that
payments pays the accepted items on the "One-Off Claims - <year>" purchase order without calling back.

`ClaimState` is the claim as the claims API answers it (the contract's `Claim`); the events carry the
same fields, with the claim's `version` as `revision` (an event's `version` is its schema's).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventPayload

ClaimStatus = Literal["unsubmitted", "pending", "accepted", "rejected"]
ItemKind = Literal["client", "provider"]


class ClaimAttachment(BaseModel):
    """The one file attached to an item (a receipt, a mileage log); downloaded through the claim."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    attachment_id: uuid.UUID = Field(description="The attachment's id")
    filename: str = Field(description="The name it was uploaded with", examples=["mileage-march.pdf"])
    content_type: Literal["application/pdf", "image/jpeg", "image/png", "image/heic"] = Field(
        description="The type found from the file's content (never the name)"
    )
    size: int = Field(gt=0, description="Size in bytes")


class ClaimItem(BaseModel):
    """One line of a claim: for a client placed with the provider (client item) or for the provider
    itself (provider item)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    item_id: uuid.UUID = Field(description="The item's id")
    kind: ItemKind = Field(description="client: for a child/client in placement; provider: the carer's own")
    description: str = Field(description="What is claimed", examples=["School run, March"])
    service_level_id: uuid.UUID = Field(description="The claimable service level")
    service_level_name: str = Field(
        description="Its name", examples=["In-House Fostering Placement - Mileage"]
    )
    client_id: uuid.UUID | None = Field(None, description="The client (client items only)")
    client_reference: str | None = Field(None, description="The client's reference (client items only)")
    client_name: str | None = Field(None, description="The client's name (client items only)")
    quantity: Decimal = Field(description="Units claimed, 2 places", examples=["150.00"])
    unit_cost: Decimal = Field(description="Cost of one unit in pounds, 4 places", examples=["0.3870"])
    unit: str = Field(description="The level's unit", examples=["Mile"])
    amount: Decimal = Field(
        description="quantity x unit cost, rounded half-up to the penny", examples=["58.05"]
    )
    attachment: ClaimAttachment | None = Field(None, description="The item's file, if any (one at most)")
    included: bool | None = Field(
        None, description="The council's decision on the item; null until the claim is decided"
    )
    la_notes: str | None = Field(None, description="The council's notes on the item")


class ClaimFields(BaseModel):
    """A claim and all its items, as it stands (without its version: see ClaimState and the events)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    claim_id: uuid.UUID = Field(description="The claim's id")
    claim_date: date = Field(description="Date of claim")
    notes: str = Field(description="The provider's notes on the claim", examples=["Mileage for March"])
    status: ClaimStatus = Field(description="unsubmitted (a draft) -> pending -> accepted | rejected")
    total: Decimal = Field(description="Sum of the items' amounts", examples=["58.05"])
    accepted_total: Decimal | None = Field(
        None, description="Sum of the included items' amounts; null until decided", examples=["58.05"]
    )
    reason: str | None = Field(None, description="The council's reason (always given on a rejection)")
    submitted_at: datetime | None = Field(None, description="When it was submitted, UTC")
    decided_at: datetime | None = Field(None, description="When the council decided it, UTC")
    client_items: list[ClaimItem] = Field(description="The client items, in the order added")
    provider_items: list[ClaimItem] = Field(description="The provider items, in the order added")


class ClaimState(ClaimFields):
    """The claim as the API answers it: send `version` back with every change."""

    version: int = Field(ge=1, description="Increases with every change of the claim or its items")


class ClaimSubmitted(ClaimFields, EventPayload):
    """A provider submitted a one-off claim for the council to decide; the claim's full state."""

    producer = "claims"
    aggregate = "claim"
    event = "submitted"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority that decides")
    organisation_id: uuid.UUID = Field(description="The provider organisation claiming")
    submitted_at: datetime = Field(description="When it was submitted, UTC")
    submitted_by: str = Field(description="Subject of the user who submitted it")
    revision: int = Field(ge=1, description="The claim's version; consumers keep the highest")


class AcceptedItem(BaseModel):
    """An included item of an accepted claim: what payments pays."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    item_id: uuid.UUID = Field(description="The item's id")
    amount: Decimal = Field(description="What is paid for it, to the penny", examples=["58.05"])
    client_id: uuid.UUID | None = Field(None, description="The client (client items only)")
    client_reference: str | None = Field(None, description="The client's reference (client items only)")
    service_level_id: uuid.UUID = Field(description="The claimable service level")
    service_level_reference: str = Field(description="The council's reference for the level")
    cost_code: str | None = Field(None, description="The level's cost code where the council gave one")
    financial_year: str = Field(
        description="April to March year of the claim date, for the purchase order", examples=["2026/2027"]
    )


class ClaimDecided(ClaimFields, EventPayload):
    """The council accepted or rejected a one-off claim; the claim's full state with each item's
    included flag and LA notes, and the accepted items payments pays. Published once per decision."""

    producer = "claims"
    aggregate = "claim"
    event = "decided"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority that decided")
    organisation_id: uuid.UUID = Field(description="The provider organisation that claimed")
    submitted_at: datetime = Field(description="When it was submitted, UTC")
    submitted_by: str = Field(description="Subject of the user who submitted it")
    revision: int = Field(ge=1, description="The claim's version; consumers keep the highest")
    decision: Literal["accepted", "rejected"] = Field(description="The council's decision")
    decided_at: datetime = Field(description="When the council decided it, UTC")
    decided_by: str = Field(description="Subject of the council user or system that decided")
    accepted_items: list[AcceptedItem] = Field(
        description="The included items of an accepted claim (empty when rejected)"
    )
    accepted_total: Decimal = Field(
        description="Sum of the accepted items' amounts (0.00 when rejected)", examples=["58.05"]
    )


class ClaimRequestUpserted(EventPayload):
    """The request-and-decide record of a submitted claim (shared.decisions) was made or decided;
    small full state. The claim itself travels as `claims.claim.submitted` / `claims.claim.decided`."""

    producer = "claims"
    aggregate = "claim_request"
    event = "upserted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    claim_id: uuid.UUID = Field(description="The claim asked to be paid")
    authority_id: uuid.UUID = Field(description="The authority that decides")
    organisation_id: uuid.UUID = Field(description="The provider organisation that asked")
    requested_by: str = Field(description="Subject of the user who submitted the claim")
    status: Literal["pending", "approved", "rejected", "withdrawn"] = Field(
        description="Where the request is (approved: the claim was accepted)"
    )
    reason: str | None = Field(None, description="Why the council rejected it")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")
