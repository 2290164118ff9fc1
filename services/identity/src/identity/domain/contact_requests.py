"""What a provider asks the council about its contacts (seed 003, "View and Request Changes to
Contacts"), as kinds of request and decide (shared.decisions): a new contact; a contact's removal (a
leaver); a change of a contact's role or scope. Pure declarations and rules: no I/O.

Main is set by the council only (DOMAIN.md "People and access"): a provider never asks for it, and
never for a change to, or the removal of, the Main contact; the council does that itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from identity.domain.access import COUNCIL_ONLY_ROLES
from shared.capabilities import Capability
from shared.decisions import Actions, DecisionRequest, Kind
from shared.errors import Forbidden, Invalid
from shared.events import AccessState, ContactChangeRequestUpserted, ContactRequestUpserted
from shared.records import Record


class Access(BaseModel):
    """A role in one organisation, Edit or Read-only, and what it covers."""

    role: str
    can_edit: bool
    scope_type: str
    scope_id: uuid.UUID


class NewContact(Access):
    """The person asked for (the seeds' New Contact form) and the access asked for them."""

    forename: str
    surname: str
    address: str
    phone: str
    email: str


class ContactChange(BaseModel):
    """The contact as they were when asked (so that the council reads whom it is about), and the
    access asked for them: None to remove them from the organisation."""

    user_id: uuid.UUID
    forename: str
    surname: str
    email: str
    current: Access
    asked: Access | None = None


def new_contact_event(request: DecisionRequest) -> ContactRequestUpserted:
    return ContactRequestUpserted(
        **_common(request),
        **request.payload,
        user_id=request.outcome.get("user_id"),
    )


def contact_change_event(request: DecisionRequest) -> ContactChangeRequestUpserted:
    change = request.details(ContactChange)
    return ContactChangeRequestUpserted(
        **_common(request),
        change="removal" if change.asked is None else "access",
        user_id=change.user_id,
        forename=change.forename,
        surname=change.surname,
        email=change.email,
        current=AccessState.model_validate(change.current.model_dump()),
        asked=AccessState.model_validate(change.asked.model_dump()) if change.asked else None,
    )


def _common(request: DecisionRequest) -> dict[str, object]:
    return {
        "request_id": request.request_id,
        "authority_id": request.authority_id,
        "organisation_id": request.organisation_id,
        "requested_by": request.requested_by,
        "status": request.status.value,
        "reason": request.reason,
        "revision": request.revision,
        "updated_at": request.updated_at,
    }


NEW_CONTACT = Kind(
    name="new_contact",
    what="contact request",
    payload=NewContact,
    capability=Capability.contacts,
    event=new_contact_event,
    # The names the audit log has always used for these (docs/identity-api.md).
    actions=Actions(
        "contact_requested",
        "contact_request_approved",
        "contact_request_rejected",
        "contact_request_withdrawn",
    ),
    already_pending="a request for this e-mail is already waiting for the council",
)
_ALREADY_CHANGING = "a change to this contact is already waiting for the council"
CONTACT_REMOVAL = Kind(
    name="contact_removal",
    what="contact change request",
    payload=ContactChange,
    capability=Capability.contacts,
    event=contact_change_event,
    actions=Actions.named("contact_removal"),
    already_pending=_ALREADY_CHANGING,
)
CONTACT_ACCESS = Kind(
    name="contact_access",
    what="contact change request",
    payload=ContactChange,
    capability=Capability.contacts,
    event=contact_change_event,
    actions=Actions.named("contact_access_change"),
    already_pending=_ALREADY_CHANGING,
)
CONTACT_CHANGES = (CONTACT_REMOVAL, CONTACT_ACCESS)


def new_contact_subject(email: str) -> str:
    return f"new-contact:{email}"


def contact_subject(user_id: uuid.UUID) -> str:
    """A removal and a change of the same contact share it: one waits at a time."""
    return f"contact:{user_id}"


def check_change(current: Access, asked: Access | None) -> None:
    """The Main contact is the council's to change or remove; a change must change something."""
    if current.role in COUNCIL_ONLY_ROLES:
        what = "remove the Main contact" if asked is None else "change the Main contact's role or scope"
        raise Forbidden(f"the council sets the Main contact: ask the council to {what}")
    if asked is not None and asked == current:
        raise Invalid(
            "This is already the contact's role and scope.", title="Nothing to change", code="nothing-changed"
        )


class ContactRequest(Record):
    """A new contact asked for, as the provider and the council read it."""

    request_id: uuid.UUID
    organisation_id: uuid.UUID
    requested_by: uuid.UUID
    forename: str
    surname: str
    address: str
    phone: str
    email: str
    role: str
    can_edit: bool
    scope_type: str
    scope_id: uuid.UUID
    status: str
    reason: str | None
    decided_at: datetime | None
    user_id: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, request: DecisionRequest) -> ContactRequest:
        return cls.model_validate(
            {**request.model_dump(), **request.payload, "user_id": request.outcome.get("user_id")}
        )


class ContactChangeRequest(Record):
    """A contact's removal or a change of their access, as the provider and the council read it."""

    request_id: uuid.UUID
    organisation_id: uuid.UUID
    requested_by: uuid.UUID
    change: Literal["removal", "access"]
    user_id: uuid.UUID
    forename: str
    surname: str
    email: str
    current: Access
    asked: Access | None
    status: str
    reason: str | None
    decided_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, request: DecisionRequest) -> ContactChangeRequest:
        change = request.details(ContactChange)
        return cls.model_validate(
            {
                **request.model_dump(),
                **change.model_dump(),
                "change": "removal" if change.asked is None else "access",
            }
        )
