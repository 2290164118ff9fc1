"""The tenant floor of the kit's tables (attachments, jobs): which authority's rows, and which
organisation's, a read or a change may touch.

Every read and change of those tables takes a `Tenancy` and adds its filter, so an id from a request
never reaches a row of another tenant: such a row is "not found", exactly as a missing one.
Council staff and council systems read the whole authority (`organisation_id=None`); everyone else
reads their organisation only, and rows of the authority that belong to no organisation stay hidden
from them. Narrower scopes (a contract, a service) belong to the row that owns the attachment or
started the job: a service checks those on its own rows (`shared.scoping`) before it reaches the kit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from shared.auth import Principal
from shared.scoping import organisation_filter


@dataclass(frozen=True)
class Tenancy:
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None  # None: every organisation of the authority, and its own rows

    @classmethod
    def of(cls, principal: Principal) -> Tenancy:
        """The caller's tenancy (403 for a provider login that is linked to no organisation)."""
        authority_id, organisation_id = organisation_filter(principal)
        return cls(authority_id=authority_id, organisation_id=organisation_id)

    def where(self, *, first_param: int = 1) -> tuple[str, list[Any]]:
        """A WHERE fragment on `authority_id` and `organisation_id`, with its parameters from $first_param."""
        clause = f"authority_id = ${first_param}"
        if self.organisation_id is None:
            return clause, [self.authority_id]
        clause += f" AND organisation_id = ${first_param + 1}"
        return clause, [self.authority_id, self.organisation_id]
