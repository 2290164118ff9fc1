"""The rows the messaging store returns (shared.records)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from shared.records import Record


class TeamRow(Record):
    team_id: uuid.UUID
    authority_id: uuid.UUID
    name: str
    active: bool
    mailbox: str | None = None  # where the team's notifications go


class TypeRow(Record):
    type_id: uuid.UUID
    authority_id: uuid.UUID
    name: str
    default_team_id: uuid.UUID
    default_team_name: str
    response_days: int | None
    active: bool
    purpose: str | None


class ActionRow(Record):
    action_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    service_id: uuid.UUID | None
    type_id: uuid.UUID
    type_name: str
    related_kind: str
    related_id: uuid.UUID | None
    related_label: str
    team_id: uuid.UUID
    team_name: str
    assigned_to: str
    title: str
    status: str
    closed_reason: str | None
    closed_at: datetime | None
    closure_request_id: uuid.UUID | None
    due_date: date | None
    last_post_at: datetime
    origin: str
    revision: int
    created_at: datetime
    updated_at: datetime


class PostRow(Record):
    post_id: uuid.UUID
    action_id: uuid.UUID
    kind: str
    author_side: str
    author: str
    author_label: str
    text: str
    assigned_after: str
    team_after: uuid.UUID
    created_at: datetime


class Related(Record):
    """What an action is about, as checked against the projections."""

    related_id: uuid.UUID
    label: str
    contract_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
