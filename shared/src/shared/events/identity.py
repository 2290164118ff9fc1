"""Events published by the identity service."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from shared.events.envelope import EventPayload


class OrganisationUpserted(EventPayload):
    """A provider organisation was created or changed; carries its full state."""

    producer = "identity"
    aggregate = "organisation"
    event = "upserted"
    version = 1

    organisation_id: uuid.UUID = Field(description="The organisation's id")
    authority_id: uuid.UUID = Field(description="The authority the organisation holds contracts with")
    name: str = Field(description="Trading name", examples=["Sausage Sandwich Fostering"])
    reference: str = Field(description="The authority's own reference for the provider", examples=["P000148"])
    active: bool = Field(description="False once the authority has closed the organisation")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class PasswordResetRequested(EventPayload):
    """Someone asked for a new password with the forgotten-password form (seed 000).

    The messaging service turns it into a task for the authority's support team, who check the
    requester and reset the password in working hours. `user_id` is set when the e-mail belongs to an
    account of the authority; the requester is never told either way.
    """

    producer = "identity"
    aggregate = "password_reset_request"
    event = "submitted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    authority_id: uuid.UUID = Field(description="The authority whose portal the form was sent from")
    name: str = Field(description="The requester's name, as typed", examples=["Dawn Stockton"])
    organisation_name: str = Field(description="The organisation, as typed", examples=["Sausage Sandwich"])
    email: str = Field(description="The e-mail address typed, lower-cased", examples=["dawn@example.org"])
    phone: str = Field(description="The telephone number typed", examples=["01952 380000"])
    user_id: uuid.UUID | None = Field(
        None, description="The account with that e-mail in the authority, if there is one"
    )
    requested_at: datetime = Field(description="When the form was sent, UTC")
