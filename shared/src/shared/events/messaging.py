"""Events published by the messaging service (actions and change requests, DOMAIN.md "Actions and
change requests"; docs/messaging.md).

`messaging.action.upserted` carries an action's full state after every change, with `change` saying
what just happened and `last_post` who wrote last: what a notifier needs to tell the people concerned
(a new action for a team, a reply for the provider) without calling back. The posts' text is not in
it: a thread is read through the API, within the reader's tenancy.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventPayload

ActionStatus = Literal["open", "closure_requested", "closed"]
Side = Literal["provider", "council"]
RelatedKind = Literal["provider", "service", "client", "person"]
PostKind = Literal["opened", "comment", "reply", "closure_request", "closed", "reassigned"]
Change = Literal["opened", "commented", "replied", "reassigned", "closure_requested", "closed", "overdue"]


class LastPost(BaseModel):
    """The latest post of the thread, without its text."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    post_id: uuid.UUID = Field(description="The post's id")
    kind: PostKind = Field(description="What the post was")
    author_side: Literal["provider", "council", "system"] = Field(description="Who wrote it")
    author: str = Field(description="Subject of the user, key or system that wrote it")
    created_at: datetime = Field(description="When, UTC")


class ActionUpserted(EventPayload):
    """An action was opened or changed (a post, a reassignment, a closure request, its closure); its
    full state. Consumers keep the highest `revision`."""

    producer = "messaging"
    aggregate = "action"
    event = "upserted"
    version = 1

    action_id: uuid.UUID = Field(description="The action's id")
    authority_id: uuid.UUID = Field(description="The authority")
    organisation_id: uuid.UUID | None = Field(
        None, description="The provider organisation; null only for a council task about a person"
    )
    type_id: uuid.UUID = Field(description="The action type")
    type_name: str = Field(description="Its name", examples=["Foster Carer Query"])
    related_kind: RelatedKind = Field(description="What the action is about")
    related_id: uuid.UUID | None = Field(None, description="The organisation, service or client")
    related_label: str = Field(description="How it is named in the list's Re:", examples=["Sausage Sandwich"])
    team_id: uuid.UUID = Field(description="The council team the action is with")
    team_name: str = Field(description="Its name", examples=["Childrens Services Finance"])
    assigned_to: Side = Field(description="Whose turn it is: the provider or the council team")
    title: str = Field(description="The title", examples=["Dawn Stockton Query about my next payment"])
    status: ActionStatus = Field(description="open -> closure_requested -> closed")
    closed_reason: str | None = Field(None, description="The council's reason, once closed")
    due_date: date | None = Field(None, description="When a response is due (from the type); null: none")
    origin: Literal["provider", "council", "event"] = Field(description="Who opened it")
    change: Change = Field(
        description="What this state's change was; overdue: the action is still open the day after its due"
        " date (published once per action, by messaging's worker)"
    )
    last_post: LastPost = Field(description="The latest post")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class ClosureRequestUpserted(EventPayload):
    """The request-and-decide record of a provider's request to close an action (shared.decisions) was
    made or decided (approved: the council closed the action; rejected: it answered and kept it open)."""

    producer = "messaging"
    aggregate = "closure_request"
    event = "upserted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    action_id: uuid.UUID = Field(description="The action to close")
    authority_id: uuid.UUID = Field(description="The authority that decides")
    organisation_id: uuid.UUID = Field(description="The provider organisation that asked")
    requested_by: str = Field(description="Subject of the user who asked")
    status: Literal["pending", "approved", "rejected", "withdrawn"] = Field(description="Where it is")
    reason: str | None = Field(None, description="Why the council kept the action open")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")
