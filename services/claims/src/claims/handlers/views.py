"""The claim's full state from its store rows: the API's `Claim` and the two claim events, built in one
place so that the provider page, the council and payments read the same claim.

The council side uses `decided_event` after it has recorded the decision on the rows (status, reason,
decided_at/by, each item's included and LA notes)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from claims.domain.years import financial_year
from claims.store.records import ClaimRow, ItemRow
from shared.events.claims import (
    AcceptedItem,
    ClaimAttachment,
    ClaimDecided,
    ClaimItem,
    ClaimState,
    ClaimSubmitted,
)
from shared.money import total


def item_state(item: ItemRow) -> ClaimItem:
    attachment = None
    if item.attachment_id is not None:
        attachment = ClaimAttachment(
            attachment_id=item.attachment_id,
            filename=item.attachment_filename or "",
            content_type=item.attachment_content_type,  # checked from the content on upload
            size=item.attachment_size or 0,
        )
    return ClaimItem(
        item_id=item.item_id,
        kind=item.kind,  # the table's CHECK allows only the two kinds
        description=item.description,
        service_level_id=item.level_id,
        service_level_name=item.level_name,
        client_id=item.client_id,
        client_reference=item.client_reference,
        client_name=item.client_name,
        quantity=item.quantity,
        unit_cost=item.unit_cost,
        unit=item.unit,
        amount=item.amount,
        attachment=attachment,
        included=item.included,
        la_notes=item.la_notes,
    )


def _fields(claim: ClaimRow, items: Sequence[ItemRow]) -> dict[str, Any]:
    ordered = sorted(items, key=lambda i: (i.position, i.item_id))
    return {
        "claim_id": claim.claim_id,
        "claim_date": claim.claim_date,
        "notes": claim.notes,
        "status": claim.status,
        "total": claim.total,
        "accepted_total": claim.accepted_total,
        "reason": claim.reason,
        "submitted_at": claim.submitted_at,
        "decided_at": claim.decided_at,
        "client_items": [item_state(i) for i in ordered if i.kind == "client"],
        "provider_items": [item_state(i) for i in ordered if i.kind == "provider"],
    }


def claim_state(claim: ClaimRow, items: Sequence[ItemRow]) -> ClaimState:
    """The contract's `Claim`: what every claims route answers."""
    return ClaimState(**_fields(claim, items), version=claim.version)


def submitted_event(claim: ClaimRow, items: Sequence[ItemRow]) -> ClaimSubmitted:
    """`claims.claim.submitted.v1` of a claim just submitted (its rows as updated by the submit)."""
    if claim.submitted_at is None or claim.submitted_by is None:
        raise ValueError("the claim has not been submitted")
    return ClaimSubmitted(
        **_fields(claim, items),
        authority_id=claim.authority_id,
        organisation_id=claim.organisation_id,
        submitted_by=claim.submitted_by,
        revision=claim.version,
    )


def accepted_items(claim: ClaimRow, items: Sequence[ItemRow]) -> list[AcceptedItem]:
    """What payments pays: the included items of an accepted claim (none of a rejected one)."""
    if claim.status != "accepted":
        return []
    year = financial_year(claim.claim_date)
    return [
        AcceptedItem(
            item_id=i.item_id,
            amount=i.amount,
            client_id=i.client_id,
            client_reference=i.client_reference,
            service_level_id=i.level_id,
            service_level_reference=i.level_reference,
            cost_code=i.cost_code,
            financial_year=year,
        )
        for i in sorted(items, key=lambda i: (i.kind, i.position))
        if i.included
    ]


def decided_event(claim: ClaimRow, items: Sequence[ItemRow]) -> ClaimDecided:
    """`claims.claim.decided.v1` of a claim just decided (its rows as updated by the decision)."""
    if claim.status not in ("accepted", "rejected"):
        raise ValueError(f"the claim is {claim.status}, not decided")
    if claim.submitted_at is None or claim.submitted_by is None:
        raise ValueError("a decided claim was submitted first")
    if claim.decided_at is None or claim.decided_by is None:
        raise ValueError("the decision has not been recorded on the claim")
    accepted = accepted_items(claim, items)
    accepted_total: Decimal = total(a.amount for a in accepted)
    # Rejected: 0.00, not null (payments adds it to nothing); the claim's own row says the same.
    fields = {**_fields(claim, items), "accepted_total": accepted_total}
    return ClaimDecided(
        **fields,
        authority_id=claim.authority_id,
        organisation_id=claim.organisation_id,
        submitted_by=claim.submitted_by,
        decision=claim.status,
        decided_by=claim.decided_by,
        accepted_items=accepted,
        revision=claim.version,
    )
