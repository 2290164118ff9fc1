"""A submitted claim is a request the council decides (shared.decisions): the kind "claim".

Its request event is the small `claims.claim_request.upserted.v1`, published by the kit with each of the
request's moments. The claim's own events are published by the claims handlers, each once: the claim's
full state on submit (`claims.claim.submitted.v1`) and on the decision (`claims.claim.decided.v1`,
written in the same unit of work as the request's approval or rejection, which the kit lets happen
only once). Kind.event cannot be the decided event itself: the kit builds it from the request alone,
and a rejection carries no claim in it.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from shared.capabilities import Capability
from shared.decisions import Actions, DecisionRequest, Decisions, Kind
from shared.events.claims import ClaimRequestUpserted


class ClaimRequest(BaseModel):
    """What the request records of the claim when it was submitted."""

    model_config = ConfigDict(frozen=True)

    claim_id: uuid.UUID
    claim_date: date
    total: Decimal


def claim_request_event(request: DecisionRequest) -> ClaimRequestUpserted:
    return ClaimRequestUpserted(
        **request.event_fields(),
        claim_id=request.details(ClaimRequest).claim_id,
    )


CLAIM = Kind(
    name="claim",
    what="claim",
    payload=ClaimRequest,
    capability=Capability.one_off_claims,
    event=claim_request_event,
    actions=Actions.named("claim"),
    exclusive=True,  # subject "claim:<id>": a claim is submitted once
    already_pending="this claim is already waiting for the council",
)

REQUESTS = Decisions("claims", [CLAIM])


def claim_subject(claim_id: uuid.UUID) -> str:
    return f"claim:{claim_id}"
