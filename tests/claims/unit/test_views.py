"""The claim's full state from its rows: the API's Claim, and the two events with what payments pays
(the included items of an accepted claim, with their financial year), built once for both sides."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from claims.handlers.views import claim_state, decided_event, submitted_event
from claims.store.records import ClaimRow, ItemRow
from shared.events import BY_ROUTING_KEY

NOW = datetime(2027, 3, 31, 15, 0, tzinfo=UTC)


def claim(**changes) -> ClaimRow:
    row = {
        "claim_id": uuid.uuid4(),
        "authority_id": uuid.uuid4(),
        "organisation_id": uuid.uuid4(),
        "claim_date": date(2027, 3, 31),
        "notes": "March",
        "status": "unsubmitted",
        "total": Decimal("61.92"),
        "accepted_total": None,
        "reason": None,
        "version": 4,
        "request_id": None,
        "created_at": NOW,
        "created_by": "user-1",
        "submitted_at": None,
        "submitted_by": None,
        "decided_at": None,
        "decided_by": None,
    }
    return ClaimRow(**{**row, **changes})


def item(kind: str, position: int, amount: str, **changes) -> ItemRow:
    row = {
        "item_id": uuid.uuid4(),
        "claim_id": uuid.uuid4(),
        "kind": kind,
        "position": position,
        "description": f"{kind} {position}",
        "level_id": uuid.uuid4(),
        "level_reference": f"L-{kind}",
        "level_name": "Mileage",
        "cost_code": "CC-1" if kind == "client" else None,
        "client_id": uuid.uuid4() if kind == "client" else None,
        "client_reference": "A201000005" if kind == "client" else None,
        "client_name": "Child One" if kind == "client" else None,
        "quantity": Decimal("150.00"),
        "unit_cost": Decimal("0.3870"),
        "unit": "Mile",
        "amount": Decimal(amount),
        "attachment_id": None,
        "attachment_filename": None,
        "attachment_content_type": None,
        "attachment_size": None,
        "included": None,
        "la_notes": None,
    }
    return ItemRow(**{**row, **changes})


def test_the_claim_splits_its_items_by_kind_in_the_order_added():
    attachment = uuid.uuid4()
    rows = [
        item("provider", 2, "1.00"),
        item(
            "client",
            1,
            "58.05",
            attachment_id=attachment,
            attachment_filename="a.pdf",
            attachment_content_type="application/pdf",
            attachment_size=62,
        ),
        item("provider", 1, "2.87"),
    ]
    state = claim_state(claim(), rows).model_dump(mode="json")
    assert [i["description"] for i in state["client_items"]] == ["client 1"]
    assert [i["description"] for i in state["provider_items"]] == ["provider 1", "provider 2"]
    assert state["client_items"][0]["attachment"] == {
        "attachment_id": str(attachment),
        "filename": "a.pdf",
        "content_type": "application/pdf",
        "size": 62,
    }
    assert state["provider_items"][0]["attachment"] is None
    assert (state["total"], state["version"], state["client_items"][0]["unit_cost"]) == ("61.92", 4, "0.3870")


def test_the_submitted_event_is_the_claim_with_who_submitted_it():
    row = claim(status="pending", submitted_at=NOW, submitted_by="user-1", version=5)
    event = submitted_event(row, [item("client", 1, "58.05")])
    assert BY_ROUTING_KEY["claims.claim.submitted.v1"] is type(event)
    body = event.model_dump(mode="json")
    assert (body["revision"], body["submitted_by"], body["organisation_id"]) == (
        5,
        "user-1",
        str(row.organisation_id),
    )
    with pytest.raises(ValueError, match="not been submitted"):
        submitted_event(claim(), [])


def test_an_accepted_claim_pays_its_included_items_in_the_claims_financial_year():
    decided = claim(
        status="accepted",
        submitted_at=NOW,
        submitted_by="user-1",
        decided_at=NOW,
        decided_by="council-1",
        accepted_total=Decimal("58.05"),
    )
    paid = item("client", 1, "58.05", included=True, la_notes="OK")
    left_out = item("provider", 1, "3.87", included=False, la_notes="Not a training day")
    event = decided_event(decided, [paid, left_out]).model_dump(mode="json")
    assert (event["decision"], event["accepted_total"], event["decided_by"]) == (
        "accepted",
        "58.05",
        "council-1",
    )
    assert event["accepted_items"] == [
        {
            "item_id": str(paid.item_id),
            "amount": "58.05",
            "client_id": str(paid.client_id),
            "client_reference": "A201000005",
            "service_level_id": str(paid.level_id),
            "service_level_reference": "L-client",
            "cost_code": "CC-1",
            "financial_year": "2026/2027",  # 31 March 2027
        }
    ]
    assert event["provider_items"][0]["la_notes"] == "Not a training day"
    assert event["provider_items"][0]["included"] is False


def test_a_rejected_claim_pays_nothing():
    rejected = claim(
        status="rejected",
        reason="Not approved for mileage",
        submitted_at=NOW,
        submitted_by="user-1",
        decided_at=NOW,
        decided_by="council-1",
    )
    event = decided_event(rejected, [item("client", 1, "58.05", included=False)]).model_dump(mode="json")
    assert (event["decision"], event["accepted_items"], event["accepted_total"]) == ("rejected", [], "0.00")
    assert event["reason"] == "Not approved for mileage"


def test_an_undecided_claim_has_no_decided_event():
    with pytest.raises(ValueError, match="not decided"):
        decided_event(claim(status="pending", submitted_at=NOW, submitted_by="u"), [])
    with pytest.raises(ValueError, match="decision has not been recorded"):
        decided_event(claim(status="accepted", submitted_at=NOW, submitted_by="u"), [])
