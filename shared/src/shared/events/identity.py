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
