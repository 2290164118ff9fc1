"""identity's kinds of request (pure): what a contact change may ask, where a request lies for scoped
Admins, and how a request reads in the API and in its event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from identity.domain.contact_requests import (
    CONTACT_ACCESS,
    CONTACT_REMOVAL,
    NEW_CONTACT,
    Access,
    ContactChange,
    ContactChangeRequest,
    ContactRequest,
    check_change,
)
from identity.handlers.decisions import placement, status_filter
from shared.decisions import DecisionRequest, Status
from shared.errors import Forbidden, Invalid

ORGANISATION, CONTRACT, SERVICE, USER = (uuid.uuid4() for _ in range(4))
CARE = Access(role="care", can_edit=True, scope_type="organisation", scope_id=ORGANISATION)


def request(kind: str, payload: dict, **fields) -> DecisionRequest:
    now = datetime.now(UTC)
    return DecisionRequest.model_validate(
        {
            "request_id": uuid.uuid4(),
            "authority_id": uuid.uuid4(),
            "organisation_id": ORGANISATION,
            "kind": kind,
            "status": Status.pending,
            "requested_by": str(uuid.uuid4()),
            "payload": payload,
            "outcome": {},
            "revision": 1,
            "created_at": now,
            "updated_at": now,
            **fields,
        }
    )


def test_a_change_must_change_something_and_never_the_main_contact():
    check_change(CARE, None)
    check_change(CARE, CARE.model_copy(update={"can_edit": False}))
    with pytest.raises(Invalid) as same:
        check_change(CARE, CARE)
    assert same.value.code == "nothing-changed"
    main = CARE.model_copy(update={"role": "main"})
    with pytest.raises(Forbidden, match="ask the council to remove the Main contact"):
        check_change(main, None)
    with pytest.raises(Forbidden, match="ask the council to change the Main contact's role or scope"):
        check_change(main, CARE)


def test_a_request_lies_where_its_access_is():
    assert placement("organisation", ORGANISATION, None) == {"contract_id": None, "service_id": None}
    assert placement("contract", CONTRACT, None) == {"contract_id": CONTRACT, "service_id": None}
    assert placement("service", SERVICE, CONTRACT) == {"contract_id": CONTRACT, "service_id": SERVICE}


def test_the_councils_status_filter():
    assert status_filter(None) is None and status_filter("approved") is Status.approved
    with pytest.raises(Invalid, match="status"):
        status_filter("lost")


def test_a_contact_change_reads_as_a_removal_or_an_access_change():
    change = ContactChange(
        user_id=USER, forename="Bart", surname="Simpson", email="b@x.example", current=CARE
    )
    removal = request(CONTACT_REMOVAL.name, change.model_dump(mode="json"))
    view = ContactChangeRequest.of(removal)
    assert (view.change, view.user_id, view.asked, view.current) == ("removal", USER, None, CARE)
    event = CONTACT_REMOVAL.event(removal)
    assert (event.change, event.asked, event.current.role, event.status) == (
        "removal",
        None,
        "care",
        "pending",
    )

    wanted = Access(role="finance", can_edit=False, scope_type="contract", scope_id=CONTRACT)
    asked = request(CONTACT_ACCESS.name, change.model_copy(update={"asked": wanted}).model_dump(mode="json"))
    assert ContactChangeRequest.of(asked).change == "access"
    event = CONTACT_ACCESS.event(asked)
    assert event.asked is not None and (event.change, event.asked.scope_id) == ("access", CONTRACT)


def test_a_new_contact_request_reads_its_login_from_the_outcome():
    payload = {
        "forename": "Bart",
        "surname": "Simpson",
        "address": "1 High Street",
        "phone": "01632 960001",
        "email": "b@x.example",
        "role": "care",
        "can_edit": True,
        "scope_type": "organisation",
        "scope_id": str(ORGANISATION),
    }
    approved = request(
        NEW_CONTACT.name,
        payload,
        status=Status.approved,
        outcome={"user_id": str(USER)},
        decided_by="council",
        decided_at=datetime.now(UTC),
        revision=2,
    )
    assert ContactRequest.of(approved).user_id == USER
    event = NEW_CONTACT.event(approved)
    assert (event.user_id, event.status, event.revision, event.email) == (USER, "approved", 2, "b@x.example")
