"""identity's events about requests a provider makes and the council decides (new contacts, changes of
contacts, changes of organisation details): each carries the request's full state."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.envelope import EventPayload
from shared.events.identity import AccessState


class OrganisationChangeRequestUpserted(EventPayload):
    """A provider asked to change its organisation details, or the council approved or rejected it; full
    state. On approval the organisation's new state follows as `identity.organisation.upserted`."""

    producer = "identity"
    aggregate = "organisation_change_request"
    event = "upserted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    authority_id: uuid.UUID = Field(description="The authority that decides")
    organisation_id: uuid.UUID = Field(description="The organisation to change")
    requested_by: uuid.UUID = Field(description="The user who asked")
    name: str = Field(description="Trading name asked for", examples=["Purple Care Ltd"])
    address: str = Field(description="Postal address asked for, lines separated by newlines")
    postcode: str = Field(description="Postcode asked for", examples=["TF3 4JA"])
    phone: str = Field(description="Telephone asked for", examples=["01952 380000"])
    email: str = Field(description="Contact e-mail asked for, lower-cased")
    changed: list[Literal["name", "address", "postcode", "phone", "email"]] = Field(
        description="The details that differ from the organisation's when asked: only these are applied"
    )
    status: Literal["pending", "approved", "rejected"] = Field(description="Where the request is")
    reason: str | None = Field(None, description="Why the council rejected it")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class ContactRequestUpserted(EventPayload):
    """A provider asked for a new contact, or the council approved or rejected it; full state."""

    producer = "identity"
    aggregate = "contact_request"
    event = "upserted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    authority_id: uuid.UUID = Field(description="The authority that decides")
    organisation_id: uuid.UUID = Field(description="The organisation the contact is for")
    requested_by: uuid.UUID = Field(description="The user who asked")
    forename: str = Field(description="Forename of the new contact")
    surname: str = Field(description="Surname of the new contact")
    email: str = Field(description="Portal e-mail address asked for")
    phone: str = Field(description="Telephone")
    address: str = Field(description="Address")
    role: Literal["full", "finance", "care", "admin"] = Field(description="Role asked for (never main)")
    can_edit: bool = Field(description="Edit (true) or Read-only (false)")
    scope_type: Literal["organisation", "contract", "service"] = Field(description="What the access covers")
    scope_id: uuid.UUID = Field(description="The organisation, contract or service covered")
    status: Literal["pending", "approved", "rejected"] = Field(description="Where the request is")
    reason: str | None = Field(None, description="Why the council rejected it")
    user_id: uuid.UUID | None = Field(None, description="The login created or linked on approval")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class ContactChangeRequestUpserted(EventPayload):
    """A provider asked for one of its contacts to be removed (a leaver) or for their role or scope to
    change, or the council approved or rejected it; full state. On approval the contact's new state
    follows as `identity.user.upserted` (without the organisation, after a removal)."""

    producer = "identity"
    aggregate = "contact_change_request"
    event = "upserted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    authority_id: uuid.UUID = Field(description="The authority that decides")
    organisation_id: uuid.UUID = Field(description="The organisation the contact belongs to")
    requested_by: uuid.UUID = Field(description="The user who asked")
    change: Literal["removal", "access"] = Field(
        description="removal: unlink the contact from the organisation; access: change their role or scope"
    )
    user_id: uuid.UUID = Field(description="The contact")
    forename: str = Field(description="The contact's forename when asked")
    surname: str = Field(description="The contact's surname when asked")
    email: str = Field(description="The contact's portal e-mail address when asked")
    current: AccessState = Field(description="The contact's role and scope in the organisation when asked")
    asked: AccessState | None = Field(
        None, description="The role and scope asked for (never Main); null for a removal"
    )
    status: Literal["pending", "approved", "rejected"] = Field(description="Where the request is")
    reason: str | None = Field(None, description="Why the council rejected it")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")
