"""A provider's dispute of a scheduled payment is a request the council decides (shared.decisions): the
kind "payment_dispute", and the pure rules of what a dispute may name.

A payment can be disputed more than once (different lines each time), so the kind is not exclusive;
a line is disputed once while its dispute stands (`lines_to_dispute`). The request's event is the small
`payments.dispute_request.upserted.v1`, published by the kit with each of the request's moments; the
payment's full state travels as `payments.scheduled_payment.disputed.v1`, published by the handler.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from shared.capabilities import Capability
from shared.decisions import Actions, DecisionRequest, Decisions, Kind
from shared.errors import Conflict, Invalid
from shared.events import PaymentLineState
from shared.events.payments import DisputeRequestUpserted

REASON_MAX = 1000


class DisputeRequest(BaseModel):
    """What the request records of the dispute when it was made."""

    model_config = ConfigDict(frozen=True)

    payment_id: uuid.UUID
    line_ids: list[uuid.UUID]
    whole_payment: bool
    total: Decimal  # the disputed lines' total
    provider_reason: str | None = None  # the provider's reason (absent from disputes made before 2026-12-01)


def dispute_request_event(request: DecisionRequest) -> DisputeRequestUpserted:
    details = request.details(DisputeRequest)
    return DisputeRequestUpserted(
        **request.event_fields(),
        payment_id=details.payment_id,
        line_ids=details.line_ids,
    )


DISPUTE = Kind(
    name="payment_dispute",
    what="dispute",
    payload=DisputeRequest,
    capability=Capability.scheduled_payments,
    event=dispute_request_event,
    actions=Actions.named("payment_dispute"),
    exclusive=False,  # one payment, several disputes of different lines
)

REQUESTS = Decisions("payments", [DISPUTE])


def dispute_reason(reason: str | None) -> str:
    """A dispute says why (the council's payments team reads it): not blank, at most REASON_MAX."""
    text = (reason or "").strip()
    if not text:
        raise Invalid.field("reason", "give the reason for disputing the payment", code="reason-required")
    if len(text) > REASON_MAX:
        raise Invalid.field("reason", f"must be {REASON_MAX:,} characters or fewer (it has {len(text):,})")
    return text


def lines_to_dispute(lines: Sequence[PaymentLineState], named: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The lines a dispute is about: those named, or (none named) every payable line of the payment.
    Each named line must be a line of this payment, named once, and payable (a disputed line is
    disputed once while its dispute stands; a held line belongs to a finalised run)."""
    by_id = {line.line_id: line for line in lines}
    if not named:
        payable = [line.line_id for line in lines if line.status == "payable"]
        if not payable:
            raise Conflict("every line of this payment is already disputed", code="nothing-to-dispute")
        return payable
    if len(set(named)) != len(named):
        raise Invalid.field("line_ids", "name each line once", code="duplicate-line")
    for line_id in named:
        line = by_id.get(line_id)
        if line is None:
            raise Invalid.field("line_ids", f"{line_id} is not a line of this payment", code="unknown-line")
        if line.status != "payable":
            raise Conflict(
                f"the line {line_id} is already {line.status}: a line is disputed once",
                code="line-already-disputed",
            )
    return list(named)
