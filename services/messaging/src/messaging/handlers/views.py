"""How an action reads: its list row with the status light, its thread, its full-state event."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from messaging.domain import rules
from messaging.store.records import ActionRow, PostRow
from shared.attachments import Attachment
from shared.events.messaging import ActionUpserted, Change, LastPost

Light = Literal["green", "amber", "red"]


class ActionSummary(BaseModel):
    """A row of the Actions and Change Requests list."""

    action_id: uuid.UUID
    organisation_id: uuid.UUID | None
    title: str
    status: Literal["open", "closure_requested", "closed"]
    light: Light = Field(description="green: none pending (closed); amber: open; red: open past its due date")
    overdue: bool
    last_post_at: datetime
    related_kind: Literal["provider", "service", "client", "person"]
    related_id: uuid.UUID | None
    related_label: str = Field(description="The list's Re:", examples=["Sausage Sandwich"])
    due_date: date | None = Field(description="null: no due date (the seed's --)")
    type_id: uuid.UUID
    type_name: str
    team_id: uuid.UUID
    team_name: str
    assigned_to: Literal["provider", "council"] = Field(
        description="Whose turn it is: the provider, or the council team (team_name)"
    )
    origin: Literal["provider", "council", "event"]
    revision: int


class PostOut(BaseModel):
    post_id: uuid.UUID
    kind: Literal["opened", "comment", "reply", "closure_request", "closed", "reassigned"]
    author_side: Literal["provider", "council", "system"]
    author_label: str = Field(
        description="The organisation or team that wrote it", examples=["Sausage Sandwich"]
    )
    text: str
    assigned_after: Literal["provider", "council"]
    created_at: datetime


class AttachmentOut(BaseModel):
    attachment_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    created_at: datetime


class Thread(ActionSummary):
    """An action with its posts, oldest first, and its files."""

    closed_reason: str | None
    closed_at: datetime | None
    read_only: bool = Field(description="Closed: nothing more can be added")
    posts: list[PostOut]
    attachments: list[AttachmentOut]


class Summary(BaseModel):
    """The home card: the open actions and their light."""

    open: int = Field(description="Open actions (closure requested included)")
    overdue: int = Field(description="Of them, past their due date")
    light: Light


def summary(row: ActionRow, today: date) -> ActionSummary:
    return ActionSummary(
        **row.model_dump(),
        light=rules.light(row.status, row.due_date, today).value,
        overdue=rules.overdue(row.status, row.due_date, today),
    )


def thread(row: ActionRow, posts: list[PostRow], files: list[Attachment], today: date) -> Thread:
    return Thread(
        **summary(row, today).model_dump(),
        closed_reason=row.closed_reason,
        closed_at=row.closed_at,
        read_only=row.status == "closed",
        posts=[PostOut.model_validate(p.model_dump()) for p in posts],
        attachments=[
            AttachmentOut(
                attachment_id=f.attachment_id,
                filename=f.filename,
                content_type=f.content_type,
                size=f.size_bytes,
                created_at=f.created_at,
            )
            for f in files
        ],
    )


def upserted(row: ActionRow, post: PostRow, change: Change) -> ActionUpserted:
    """The action's full state after `change`, with the post that made it."""
    last = LastPost.model_validate(post.model_dump())
    return ActionUpserted.model_validate({**row.model_dump(), "change": change, "last_post": last})
