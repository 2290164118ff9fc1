"""Request and decide, its rules on their own (no I/O): who may ask, see, decide and withdraw; only a
pending request is decided; a rejection says why."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.capabilities import Capability
from shared.decisions import Actions, DecisionRequest, Status, rules
from shared.decisions.store import RequestTable
from shared.errors import Conflict, Forbidden, Invalid

AUTHORITY, ORGANISATION = uuid.uuid4(), uuid.uuid4()


def who(role: Role, *, edit: bool = True, kind: PrincipalKind = PrincipalKind.user, subject: str = "u-1"):
    council = role is Role.council
    return Principal(
        subject=subject,
        kind=kind,
        authority_id=AUTHORITY,
        organisation_id=None if council else ORGANISATION,
        role=role,
        can_edit=edit,
        scope_type=ScopeType.authority if council else ScopeType.organisation,
        scope_id=None,
    )


def request(status: Status = Status.pending, requested_by: str = "u-1") -> DecisionRequest:
    now = datetime.now(UTC)
    return DecisionRequest(
        request_id=uuid.uuid4(),
        authority_id=AUTHORITY,
        organisation_id=ORGANISATION,
        kind="test_change",
        subject="thing",
        status=status,
        requested_by=requested_by,
        payload={"colour": "purple"},
        outcome={},
        revision=1,
        created_at=now,
        updated_at=now,
    )


def test_a_provider_person_with_edit_and_the_capability_may_ask():
    rules.require_asker(who(Role.admin), Capability.contacts, "contact request")
    rules.require_asker(who(Role.full), Capability.organisation_details, "change request")


@pytest.mark.parametrize(
    ("principal", "refusal"),
    [
        (who(Role.finance), "does not give access to contacts"),
        (who(Role.admin, edit=False), "read-only"),
        (who(Role.admin, kind=PrincipalKind.api_key), "contact requests are made by people, not API keys"),
        (who(Role.council), "the council decides contact requests"),
    ],
    ids=["role without the capability", "read-only", "api key", "council"],
)
def test_who_may_not_ask(principal, refusal):
    with pytest.raises(Forbidden, match=refusal):
        rules.require_asker(principal, Capability.contacts, "contact request")


def test_who_may_see():
    rules.require_viewer(who(Role.council, edit=False), [Capability.contacts])
    rules.require_viewer(who(Role.admin, edit=False), [Capability.contacts, Capability.organisation_details])
    with pytest.raises(Forbidden, match="does not give access to organisation details"):
        rules.require_viewer(who(Role.care), [Capability.organisation_details])


def test_only_council_editors_decide():
    rules.require_decider(who(Role.council))
    with pytest.raises(Forbidden, match="only the council"):
        rules.require_decider(who(Role.full))
    with pytest.raises(Forbidden, match="read-only"):
        rules.require_decider(who(Role.council, edit=False))
    with pytest.raises(Forbidden, match="council API"):
        rules.require_council(who(Role.main))


@pytest.mark.parametrize("status", [Status.approved, Status.rejected, Status.withdrawn])
def test_only_a_pending_request_can_be_decided(status):
    rules.require_pending(request())
    with pytest.raises(Conflict, match=f"already been {status.value}") as refused:
        rules.require_pending(request(status))
    assert refused.value.code == "already-decided"


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_a_rejection_needs_a_reason(reason):
    with pytest.raises(Invalid) as refused:
        rules.rejection_reason(reason)
    assert refused.value.errors() == [
        {"source": "body", "field": "reason", "message": "give the reason for rejecting the request"}
    ]


def test_a_reason_is_trimmed_and_not_too_long():
    assert rules.rejection_reason("  Not known to us \n") == "Not known to us"
    assert rules.rejection_reason("x" * 1000) == "x" * 1000
    with pytest.raises(Invalid, match="1000 characters or fewer"):
        rules.rejection_reason("x" * 1001)


def test_only_the_person_who_asked_withdraws():
    rules.require_withdrawer(who(Role.admin, subject="u-1"), request(requested_by="u-1"))
    with pytest.raises(Forbidden, match="only the person who asked"):
        rules.require_withdrawer(who(Role.admin, subject="u-2"), request(requested_by="u-1"))
    with pytest.raises(Forbidden):
        rules.require_withdrawer(who(Role.council, subject="u-1"), request(requested_by="u-1"))


class Colour(BaseModel):
    colour: str


def test_the_payload_reads_as_the_kinds_model_and_actions_are_named_by_prefix():
    assert request().details(Colour) == Colour(colour="purple")
    assert Actions.named("claim") == Actions(
        "claim_submitted", "claim_approved", "claim_rejected", "claim_withdrawn"
    )


def test_the_table_is_named_safely_in_the_services_schema():
    assert RequestTable("claims").table == '"claims".decision_request'
    with pytest.raises(ValueError, match="not a safe SQL identifier"):
        RequestTable('claims"; DROP TABLE x; --')
