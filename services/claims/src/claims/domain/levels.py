"""The rules of a claimable service level as the council sends it (the claims contract, "Council API"):
beyond its shape, a unit cost is more than 0 (NULL: claimed at cost), the effective dates are in order,
and the providers are all or at least one named organisation."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from shared.bulk import Fault


def level_faults(
    index: int,
    *,
    unit_cost: Decimal | None,
    effective_from: date,
    effective_to: date | None,
    providers: list[uuid.UUID] | None,
) -> list[Fault]:
    """`providers` None means all providers."""
    found = []
    if unit_cost is not None and unit_cost <= 0:
        found.append(Fault(index, "unit_cost", "must be more than 0 (or null for a level claimed at cost)"))
    if effective_to is not None and effective_to < effective_from:
        found.append(Fault(index, "effective_to", "is before effective_from"))
    if providers is not None:
        if not providers:
            found.append(Fault(index, "providers", 'name at least one organisation, or send "all"'))
        for n, organisation_id in enumerate(providers):
            if providers.index(organisation_id) != n:
                found.append(Fault(index, f"providers.{n}", f"{organisation_id} is named twice"))
    return found
