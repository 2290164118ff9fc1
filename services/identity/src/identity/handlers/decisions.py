"""The requests identity's council decides (shared.decisions): every kind, in identity's own
`decision_request` table, and where in an organisation a request lies (for scoped Admins)."""

from __future__ import annotations

import uuid
from typing import Any

from identity.domain.contact_requests import CONTACT_ACCESS, CONTACT_REMOVAL, NEW_CONTACT
from identity.domain.organisation import ORGANISATION_CHANGE
from shared.decisions import Decisions, Status
from shared.errors import Invalid

REQUESTS = Decisions("identity", [NEW_CONTACT, CONTACT_REMOVAL, CONTACT_ACCESS, ORGANISATION_CHANGE])


def placement(scope_type: str, scope_id: uuid.UUID, contract_of_service: uuid.UUID | None) -> dict[str, Any]:
    """The contract and service a request for access in this scope lies in: a contract-scoped Admin sees
    the requests of its contract and its services, a service-scoped one those of its service."""
    if scope_type == "contract":
        return {"contract_id": scope_id, "service_id": None}
    if scope_type == "service":
        return {"contract_id": contract_of_service, "service_id": scope_id}
    return {"contract_id": None, "service_id": None}


def status_filter(status: str | None) -> Status | None:
    """The council's `?status=` (the route has checked its pattern)."""
    if status is None:
        return None
    try:
        return Status(status)
    except ValueError:
        raise Invalid.field("status", "must be pending, approved or rejected") from None
