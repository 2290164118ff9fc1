"""Scoping of queries by the caller's authority, organisation and scope.

Every query a service runs for a caller is filtered by what `Principal` allows; ids from a request are
only ever used *inside* that filter, never instead of it. The identity issue extends this with contract
and service scopes and the write checks.
"""

from __future__ import annotations

import uuid

from shared.auth import Principal
from shared.problems import Problem


def organisation_filter(principal: Principal) -> tuple[uuid.UUID, uuid.UUID | None]:
    """(authority_id, organisation_id or None for council staff who see the whole authority)."""
    if principal.is_council:
        return principal.authority_id, None
    if principal.organisation_id is None:
        raise Problem(403, "Forbidden", detail="this login is not linked to an organisation")
    return principal.authority_id, principal.organisation_id
