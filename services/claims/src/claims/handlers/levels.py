"""The council's claimable service levels: a bulk upsert by reference (all or nothing, every fault by
item index and field, shared.bulk) and their list."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidatorFunctionWrapHandler, field_validator

from claims.domain.levels import level_faults
from claims.store import levels as store
from claims.store.levels import CouncilLevel, LevelRow
from shared.auth import Principal
from shared.bulk import Fault, refuse, require_count, unique_references, validate_items
from shared.capabilities import Capability, require_capability
from shared.errors import Forbidden
from shared.money import Rate
from shared.store import Scope
from shared.uow import Caller, Work

MAX_LEVELS = 1_000
MAX_PROVIDERS = 1_000
REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9 /_.:#-]*$"
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"  # names end up in pages and purchase orders: no control characters

Reference = Annotated[str, Field(min_length=1, max_length=60, pattern=REFERENCE)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE)]


class LevelIn(BaseModel):
    """A claimable service level, by the council's reference."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    reference: Reference = Field(description="The council's reference", examples=["IHF-MILEAGE"])
    name: Text = Field(description="Name", examples=["In-House Fostering Placement - Mileage"])
    kind: Literal["client", "provider"] = Field(
        description="Offered on client items (for a client in placement) or provider items"
    )
    unit: Annotated[str, Field(min_length=1, max_length=40, pattern=ONE_LINE)] = Field(
        description="What quantities count", examples=["Miles"]
    )
    unit_cost: Rate | None = Field(
        description="Pounds per unit, at most 4 places; null: claimed at cost", examples=["0.3870"]
    )
    cost_code: Annotated[str, Field(max_length=40, pattern=ONE_LINE)] | None = Field(
        None, description="The council's ledger code, carried to payments"
    )
    effective_from: date = Field(description="First day it can be claimed")
    effective_to: date | None = Field(None, description="Last day it can be claimed; null while open")
    providers: Literal["all"] | Annotated[list[uuid.UUID], Field(max_length=MAX_PROVIDERS)] = Field(
        description='"all", or the organisations that may claim it'
    )

    @field_validator("providers", mode="wrap")
    @classmethod
    def _providers(cls, value: object, handler: ValidatorFunctionWrapHandler) -> object:
        """One message for the field, not one per branch of the union ("providers.literal['all']")."""
        if value == "all":
            return "all"
        if not isinstance(value, list):
            raise ValueError('send "all", or a list of the ids of the organisations that may claim it')
        if len(value) > MAX_PROVIDERS:
            raise ValueError(f"name at most {MAX_PROVIDERS:,} organisations")
        ids = []
        for n, item in enumerate(value):
            try:
                ids.append(item if isinstance(item, uuid.UUID) else uuid.UUID(str(item)))
            except ValueError:
                raise ValueError(f"item {n} ({str(item)[:40]!r}) is not an organisation id") from None
        return ids


class LevelsUpserted(BaseModel):
    upserted: int


def require_council(principal: Principal, *, edit: bool = False) -> None:
    """The council's API: its staff or systems (every capability), Edit access to change."""
    if not principal.is_council:
        raise Forbidden("only the council can use the council API")
    require_capability(principal, Capability.one_off_claims, edit=edit)


async def upsert_levels(caller: Caller, work: Work, *, items: list[object]) -> LevelsUpserted:
    principal = caller.principal
    require_council(principal, edit=True)
    require_count(items, limit=MAX_LEVELS)
    faults: list[Fault] = []
    valid = validate_items(LevelIn, items, faults)
    unique_references(valid, faults)
    for index, level in valid:
        named = None if level.providers == "all" else list(level.providers)
        faults.extend(
            level_faults(
                index,
                unit_cost=level.unit_cost,
                effective_from=level.effective_from,
                effective_to=level.effective_to,
                providers=named,
            )
        )
    async with work.begin(caller.actor) as uow:
        named_ids = sorted({o for _, lv in valid if lv.providers != "all" for o in lv.providers})
        known = await store.known_organisations(
            uow.conn, scope=Scope.of(principal, store.ORGANISATION_ROWS), ids=named_ids
        )
        for index, level in valid:
            if level.providers == "all":
                continue
            for n, organisation_id in enumerate(level.providers):
                if organisation_id not in known:
                    faults.append(
                        Fault(
                            index,
                            f"providers.{n}",
                            f"there is no organisation {organisation_id} in this authority",
                        )
                    )
        refuse(faults)
        rows = [_row(level) for _, level in valid]
        written = await store.write_levels(uow.conn, authority_id=principal.authority_id, rows=rows)
        await uow.audit(
            "claimable_levels_upserted",
            authority_id=principal.authority_id,
            upserted=written,
            references=[r.reference for r in rows][:50],
        )
        uow.log("claimable_levels_upserted", upserted=written)
    return LevelsUpserted(upserted=written)


def _row(level: LevelIn) -> LevelRow:
    every = level.providers == "all"
    return LevelRow(
        reference=level.reference,
        name=level.name,
        kind=level.kind,
        unit=level.unit,
        unit_cost=level.unit_cost,
        cost_code=level.cost_code or None,
        effective_from=level.effective_from,
        effective_to=level.effective_to,
        all_providers=every,
        organisations=() if level.providers == "all" else tuple(dict.fromkeys(level.providers)),
    )


async def list_levels(caller: Caller, work: Work, *, limit: int, offset: int) -> list[CouncilLevel]:
    require_council(caller.principal)
    async with work.read() as conn:
        return await store.list_levels(
            conn, scope=Scope.of(caller.principal, store.LEVEL_ROWS), limit=limit, offset=offset
        )
