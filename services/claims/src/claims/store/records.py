"""The rows the claims store answers: a claim, and an item with what the page shows beside it (its
level's name and reference, its client's reference and name, its attachment's details)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from shared.records import Record


class ClaimRow(Record):
    claim_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    claim_date: date
    notes: str
    status: str
    total: Decimal
    accepted_total: Decimal | None
    reason: str | None
    version: int
    request_id: uuid.UUID | None
    created_at: datetime
    created_by: str
    submitted_at: datetime | None
    submitted_by: str | None
    decided_at: datetime | None
    decided_by: str | None


class ItemRow(Record):
    item_id: uuid.UUID
    claim_id: uuid.UUID
    kind: str
    position: int
    description: str
    level_id: uuid.UUID
    level_reference: str
    level_name: str
    cost_code: str | None
    client_id: uuid.UUID | None
    client_reference: str | None
    client_name: str | None
    quantity: Decimal
    unit_cost: Decimal
    unit: str
    amount: Decimal
    attachment_id: uuid.UUID | None
    attachment_filename: str | None
    attachment_content_type: str | None
    attachment_size: int | None
    included: bool | None
    la_notes: str | None
