"""What a provider may claim (/api/v1/claims/offer, /options): whether its council takes one-off claims
through the portal, and on a claim date the service levels and the clients placed with it."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from claims.handlers import offer
from claims.handlers.access import today
from claims.store.levels import Level
from shared.http import CurrentCaller
from shared.money import Rate
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/claims", tags=["one-off claims"])


class Offer(BaseModel):
    offered: bool = Field(
        description="The council takes one-off claims from this provider through the portal"
    )


class LevelPublic(BaseModel):
    service_level_id: uuid.UUID
    reference: str
    name: str
    unit: str
    unit_cost: Rate | None = Field(description="null: claimed at cost (the provider enters it)")


class ClientPublic(BaseModel):
    client_id: uuid.UUID
    reference: str
    name: str


class OptionsPublic(BaseModel):
    offered: bool = Field(description="Any level can be claimed on the date")
    client_levels: list[LevelPublic]
    provider_levels: list[LevelPublic]
    clients: list[ClientPublic] = Field(description="Clients of current authorised placements, by name")


def _level(level: Level) -> LevelPublic:
    return LevelPublic(
        service_level_id=level.level_id,
        reference=level.reference,
        name=level.name,
        unit=level.unit,
        unit_cost=level.unit_cost,
    )


@provider_api.get("/offer", response_model=Offer, summary="Whether the council takes one-off claims from me")
async def get_offer(caller: CurrentCaller, work: WorkDep) -> Offer:
    return Offer(offered=await offer.offered(caller, work, today=today()))


@provider_api.get(
    "/options", response_model=OptionsPublic, summary="What I can claim on a date: service levels and clients"
)
async def get_options(caller: CurrentCaller, work: WorkDep, claim_date: date | None = None) -> OptionsPublic:
    found = await offer.options(caller, work, claim_date=claim_date or today())
    return OptionsPublic(
        offered=found.offered,
        client_levels=[_level(lv) for lv in found.client_levels],
        provider_levels=[_level(lv) for lv in found.provider_levels],
        clients=[
            ClientPublic(client_id=c.client_id, reference=c.reference, name=c.name) for c in found.clients
        ],
    )
