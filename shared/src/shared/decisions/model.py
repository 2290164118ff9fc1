"""The request record, and the kinds of request a service declares.

A request is what a provider asks of the council: one row of the service's `decision_request` table
(platform migration DECISION_REQUESTS), whose kind says what is asked (`payload`, a pydantic model of
the kind's own) and, once approved, what the approval produced (`outcome`: ids of what was created).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.capabilities import Capability
from shared.events import EventPayload
from shared.records import Record

P = TypeVar("P", bound=BaseModel)


class Status(StrEnum):
    pending = "pending"  # asked, waiting for the council
    approved = "approved"  # the council agreed; the kind's change has been applied
    rejected = "rejected"  # the council refused, with a reason
    withdrawn = "withdrawn"  # the person who asked took it back before a decision


class DecisionRequest(Record):
    request_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    kind: str
    subject: str | None = None
    status: Status
    requested_by: str
    decided_by: str | None = None
    reason: str | None = None
    payload: dict[str, Any]
    outcome: dict[str, Any]
    revision: int
    created_at: datetime
    decided_at: datetime | None = None
    updated_at: datetime

    def details(self, model: type[P]) -> P:
        """What was asked, as the kind's payload model."""
        return model.model_validate(self.payload)

    def event_fields(self) -> dict[str, Any]:
        """The fields every kind's `<kind>_request.upserted` event carries of its request (the kind's
        event adds what was asked)."""
        return {
            "request_id": self.request_id,
            "authority_id": self.authority_id,
            "organisation_id": self.organisation_id,
            "requested_by": self.requested_by,
            "status": self.status.value,
            "reason": self.reason,
            "revision": self.revision,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Actions:
    """The audit actions of a kind's four moments (names the audit log and its readers know)."""

    submitted: str
    approved: str
    rejected: str
    withdrawn: str

    @classmethod
    def named(cls, prefix: str) -> Actions:
        return cls(f"{prefix}_submitted", f"{prefix}_approved", f"{prefix}_rejected", f"{prefix}_withdrawn")


@dataclass(frozen=True)
class Kind(Generic[P]):
    """One kind of request a service takes.

    `name` is stored in the table (lower case, digits, underscores); `what` names it in refusals
    ("There is no contact request with that id..."); `payload` is the model of what is asked;
    `capability` is what a provider's role needs to ask for it or see it; `event` builds the
    request's full-state event, published with every change; `exclusive`: one pending request per
    subject in an organisation, and `already_pending` is the refusal of a second one.
    """

    name: str
    what: str
    payload: type[P]
    capability: Capability
    event: Callable[[DecisionRequest], EventPayload]
    actions: Actions
    exclusive: bool = True
    already_pending: str = "a request for this is already waiting for the council"
