"""A provider's request to close an action is a request the council decides (shared.decisions): the
kind "action_closure". Closing the action approves it; a council reply instead rejects it (the action
stays open and the provider reads why). Its full state is `messaging.closure_request.upserted.v1`."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict

from shared.capabilities import Capability
from shared.decisions import Actions, DecisionRequest, Decisions, Kind
from shared.events.messaging import ClosureRequestUpserted

KEPT_OPEN = "The council replied and kept the action open."


class ClosureRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    action_id: uuid.UUID


def closure_request_event(request: DecisionRequest) -> ClosureRequestUpserted:
    return ClosureRequestUpserted(
        **request.event_fields(),
        action_id=request.details(ClosureRequest).action_id,
    )


CLOSURE = Kind(
    name="action_closure",
    what="closure request",
    payload=ClosureRequest,
    capability=Capability.actions,
    event=closure_request_event,
    actions=Actions.named("action_closure"),
    exclusive=True,  # subject "action:<id>": one pending closure request per action
    already_pending="the closure of this action has already been asked for",
)

REQUESTS = Decisions("messaging", [CLOSURE])


def closure_subject(action_id: uuid.UUID) -> str:
    return f"action:{action_id}"
