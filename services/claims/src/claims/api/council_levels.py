"""The council's claimable service levels (/council/v1/claims/service-levels): a bulk upsert by reference,
as a JSON array or NDJSON (shared.bulk), and their list."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from claims.handlers import levels
from claims.handlers.levels import MAX_LEVELS, LevelIn, LevelsUpserted
from claims.store.levels import CouncilLevel
from shared.bulk import bulk_body, read_items
from shared.http import CurrentCaller
from shared.money import Rate
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/claims", tags=["council"])


class LevelOut(BaseModel):
    service_level_id: uuid.UUID
    reference: str
    name: str
    kind: Literal["client", "provider"]
    unit: str
    unit_cost: Rate | None = Field(description="null: claimed at cost")
    cost_code: str | None
    effective_from: date
    effective_to: date | None
    providers: Literal["all"] | list[uuid.UUID]
    revision: int
    updated_at: datetime


def _out(level: CouncilLevel) -> LevelOut:
    return LevelOut(
        service_level_id=level.level_id,
        reference=level.reference,
        name=level.name,
        kind=level.kind,  # the table's CHECK holds it to the two kinds
        unit=level.unit,
        unit_cost=level.unit_cost,
        cost_code=level.cost_code,
        effective_from=level.effective_from,
        effective_to=level.effective_to,
        providers="all" if level.all_providers else level.providers,
        revision=level.revision,
        updated_at=level.updated_at,
    )


@router.put(
    "/service-levels",
    response_model=LevelsUpserted,
    summary="Create or change claimable service levels by reference, up to 1,000 a call; all or nothing",
    openapi_extra=bulk_body(LevelIn, limit=MAX_LEVELS),
)
async def upsert_service_levels(request: Request, caller: CurrentCaller, work: WorkDep) -> LevelsUpserted:
    return await levels.upsert_levels(caller, work, items=await read_items(request, limit=MAX_LEVELS))


@router.get(
    "/service-levels",
    response_model=list[LevelOut],
    responses=PAGED,
    summary="The authority's claimable service levels, by reference",
)
async def list_service_levels(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[LevelOut]:
    found = await levels.list_levels(caller, work, limit=page.fetch, offset=page.offset)
    return [_out(level) for level in page.of(found)]
