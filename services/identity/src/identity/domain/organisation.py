"""An organisation's details as a provider asks to change them (seed 003: Admin Functions "request
changes to Organisation Details"): tidied, compared with what is held, and asked of the council as a
kind of request and decide (shared.decisions). Pure: no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel

from shared.capabilities import Capability
from shared.decisions import Actions, DecisionRequest, Kind
from shared.events import OrganisationChangeRequestUpserted
from shared.records import Record

DETAILS = ("name", "address", "postcode", "phone", "email")


def tidy(details: Mapping[str, str]) -> dict[str, str]:
    """Trimmed lines (no blank ones) in the address; postcode upper-case, single-spaced; e-mail lower-case."""
    lines = (line.strip() for line in details["address"].replace("\r\n", "\n").split("\n"))
    return {
        "name": " ".join(details["name"].split()),
        "address": "\n".join(line for line in lines if line),
        "postcode": " ".join(details["postcode"].upper().split()),
        "phone": " ".join(details["phone"].split()),
        "email": details["email"].strip().lower(),
    }


def changed_details(current: Mapping[str, str | None], asked: Mapping[str, str]) -> list[str]:
    """The details (in DETAILS order) whose asked value differs from the organisation's."""
    return [name for name in DETAILS if asked[name] != current.get(name)]


class OrganisationChange(BaseModel):
    """The details as they should be (stored whole) and those that differed when asked: only these
    are applied on approval, so a change the council made meanwhile to another detail is kept."""

    name: str
    address: str
    postcode: str
    phone: str
    email: str
    changed: list[str]


def change_request_event(request: DecisionRequest) -> OrganisationChangeRequestUpserted:
    return OrganisationChangeRequestUpserted(
        **request.event_fields(),
        **request.payload,
    )


ORGANISATION_CHANGE = Kind(
    name="organisation_change",
    what="organisation change request",
    payload=OrganisationChange,
    capability=Capability.organisation_details,
    event=change_request_event,
    # The names the audit log has always used for these (docs/identity-api.md).
    actions=Actions(
        "organisation_change_requested",
        "organisation_change_approved",
        "organisation_change_rejected",
        "organisation_change_withdrawn",
    ),
    already_pending="a change to these details is already waiting for the council",
)
# One change of an organisation's details waits at a time: a second would race the first's approval.
DETAILS_SUBJECT = "organisation-details"


class OrganisationChangeRequest(Record):
    """A change of details asked for, as the provider and the council read it."""

    request_id: uuid.UUID
    organisation_id: uuid.UUID
    requested_by: uuid.UUID
    name: str
    address: str
    postcode: str
    phone: str
    email: str
    changed: list[str]
    status: str
    reason: str | None
    decided_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, request: DecisionRequest) -> OrganisationChangeRequest:
        return cls.model_validate({**request.model_dump(), **request.payload})
