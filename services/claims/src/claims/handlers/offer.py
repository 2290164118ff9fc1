"""What a provider may claim: whether its authority offers one-off claims to it at all, and on a claim
date the levels it may use (client items, provider items) and the clients placed with it (the claims
contract, "Offered", "GET /options")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from claims.store import levels, placements
from claims.store.levels import Level
from claims.store.placements import PlacedClient
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.errors import Forbidden
from shared.uow import Caller, Work


@dataclass(frozen=True)
class Options:
    offered: bool
    client_levels: list[Level]
    provider_levels: list[Level]
    clients: list[PlacedClient]


def provider_of(principal: Principal) -> uuid.UUID:
    """The caller's organisation: one-off claims are a provider's, with the one_off_claims capability."""
    if principal.is_council or principal.organisation_id is None:
        raise Forbidden("one-off claims are made by providers: this login is not a provider's")
    require_capability(principal, Capability.one_off_claims)
    return principal.organisation_id


async def offered(caller: Caller, work: Work, *, today: date) -> bool:
    organisation_id = provider_of(caller.principal)
    async with work.read() as conn:
        return await levels.offered(
            conn, scope=levels.level_scope(caller.principal), organisation_id=organisation_id, day=today
        )


async def options(caller: Caller, work: Work, *, claim_date: date) -> Options:
    principal = caller.principal
    organisation_id = provider_of(principal)
    async with work.read() as conn:
        usable = await levels.usable_levels(
            conn, scope=levels.level_scope(principal), organisation_id=organisation_id, day=claim_date
        )
        clients = await placements.placed_clients(
            conn, scope=placements.placement_scope(principal), day=claim_date
        )
    return Options(
        offered=bool(usable),
        client_levels=[lv for lv in usable if lv.kind == "client"],
        provider_levels=[lv for lv in usable if lv.kind == "provider"],
        clients=clients,
    )
