"""The council's decision on a claim, as a rule without I/O (the claims contract, "POST .../decision"):
items not listed are included when the claim is accepted; a rejection includes none; an acceptance
includes at least one; each item listed once, and only the claim's own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from shared.errors import FieldError, Invalid

NOTES_MAX = 1000


@dataclass(frozen=True)
class ItemDecision:
    item_id: uuid.UUID
    included: bool
    la_notes: str | None


def item_decisions(
    decision: str, claim_items: Sequence[uuid.UUID], listed: Sequence[ItemDecision]
) -> list[ItemDecision]:
    """Every item of the claim with its included flag and notes; Invalid naming `items.<n>.<field>`."""
    errors: list[FieldError] = []
    given: dict[uuid.UUID, ItemDecision] = {}
    for n, item in enumerate(listed):
        if item.item_id not in claim_items:
            errors.append(FieldError(f"items.{n}.item_id", "is not an item of this claim"))
        elif item.item_id in given:
            errors.append(FieldError(f"items.{n}.item_id", "is listed twice"))
        else:
            given[item.item_id] = item
    if errors:
        raise Invalid(f"{errors[0].field}: {errors[0].message}", code="invalid-items", fields=errors)
    accepted = decision == "accepted"
    decided = []
    for item_id in claim_items:
        chosen = given.get(item_id)
        notes = _notes(chosen.la_notes) if chosen is not None else None
        included = accepted and (chosen.included if chosen is not None else True)
        decided.append(ItemDecision(item_id, included, notes))
    if accepted and not any(d.included for d in decided):
        raise Invalid.field(
            "items",
            "an accepted claim includes at least one item: reject it instead",
            code="nothing-included",
        )
    return decided


def _notes(text: str | None) -> str | None:
    stripped = (text or "").strip()
    return stripped or None
