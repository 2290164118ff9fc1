"""The demo's one-off claims (issue 12; docs/demo.md): Durham takes mileage claims from its foster carers,
the other demo councils take none (no claimable service level, so no One-Off Claims card).

Sausage Sandwich, Durham's foster carer with two children in placement, has the seed's three claims: an
accepted one (150 miles of school runs at £0.387 = £58.05), a rejected one and an unsubmitted draft.
They are made through the claims service's own handlers (the council's levels and decision as the
council API makes them, the claims as the provider's pages do), once: a second `make run` finds them.

Actuals' clients and CPLIs reach claims by events once the workers run; the claims need them now, so
actuals' current states are applied to claims' projections first (as `seed_actuals` does with
identity's directory).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg

from actuals.republishing import CLIENTS, CPLIS
from claims.config import Settings as ClaimsSettings
from claims.consumers import clients, placements
from claims.domain.decision import ItemDecision
from claims.handlers import claims as claim_handlers
from claims.handlers import council_claims, items, levels
from claims.handlers.attachments import ClaimFiles, Upload
from claims.handlers.items import ItemEntry
from devtools.demo_actuals import apply_current_states, council_system
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.logging import get_logger
from shared.settings import ServiceSettings
from shared.uow import Actor, Caller, Work

log = get_logger(__name__)

DURHAM = "durham-childrens"
FOSTER_CARER = "148"  # Sausage Sandwich's reference in Durham's directory (devtools/demo_councils.py)

# The seed's service levels (guide 004, section 6): mileage at £0.387 a mile, the rest at cost.
DURHAM_LEVELS: list[dict[str, Any]] = [
    {
        "reference": "DCC-OOC-PLACEMENT-MILEAGE",
        "name": "In-House Fostering Placement - Mileage",
        "kind": "client",
        "unit": "Miles",
        "unit_cost": "0.3870",
        "cost_code": "CF-4410",
        "effective_from": "2025-04-01",
        "providers": "all",
    },
    {
        "reference": "DCC-OOC-CARER-MILEAGE",
        "name": "In-House Foster Carer - Foster Carer Mileage",
        "kind": "provider",
        "unit": "Miles",
        "unit_cost": "0.3870",
        "cost_code": "CF-4411",
        "effective_from": "2025-04-01",
        "providers": "all",
    },
    {
        "reference": "DCC-OOC-CARER-EQUIPMENT",
        "name": "In-House Foster Carer - Equipment",
        "kind": "provider",
        "unit": "Items",
        "unit_cost": None,
        "cost_code": "CF-4420",
        "effective_from": "2025-04-01",
        "providers": "all",
    },
    {
        "reference": "DCC-OOC-CARER-PARKING",
        "name": "In-House Foster Carer - Parking",
        "kind": "provider",
        "unit": "Tickets",
        "unit_cost": None,
        "cost_code": "CF-4412",
        "effective_from": "2025-04-01",
        "providers": "all",
    },
]

# A one-page PDF: the demo's mileage forms and receipts (what a carer would scan).
FORM = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoItem:
    level: str  # the level's reference
    description: str
    quantity: str
    client: str | None = None  # the client's SSRef, for a client item
    unit_cost: str | None = None  # at-cost levels only
    included: bool = True


@dataclass(frozen=True)
class DemoClaim:
    days_ago: int
    notes: str
    items: tuple[DemoItem, ...]
    decision: str | None = None  # accepted | rejected | None (unsubmitted)
    reason: str | None = None


def sausage_sandwich_claims() -> list[DemoClaim]:
    return [
        DemoClaim(
            days_ago=40,
            notes="Mileage claim for school runs, first week of October",
            items=(DemoItem("DCC-OOC-PLACEMENT-MILEAGE", "School runs", "150", client="DC1480001"),),
            decision="accepted",
        ),
        DemoClaim(
            days_ago=33,
            notes="Training day in Newton Aycliffe",
            items=(
                DemoItem("DCC-OOC-CARER-PARKING", "Parking at the training centre", "1", unit_cost="6.50"),
                DemoItem("DCC-OOC-CARER-EQUIPMENT", "Car seat", "1", unit_cost="89.99"),
            ),
            decision="rejected",
            reason="Parking for training is paid by the training team, and equipment is claimed through"
            " your supervising social worker: please ask them",
        ),
        DemoClaim(
            days_ago=2,
            notes="Mileage claim for last week",
            items=(
                DemoItem("DCC-OOC-PLACEMENT-MILEAGE", "School runs", "84.5", client="DC1480002"),
                DemoItem("DCC-OOC-CARER-MILEAGE", "Foster carer support group", "22"),
            ),
        ),
    ]


# --- seeding -------------------------------------------------------------------------------------------


async def project_actuals(actuals: asyncpg.Connection, claims: asyncpg.Connection) -> int:
    """Apply actuals' current clients and CPLIs to claims' projections; answer how many states."""
    return await apply_current_states(actuals, claims, ((clients, CLIENTS), (placements, CPLIS)))


def provider_user(authority: uuid.UUID, organisation: uuid.UUID) -> Caller:
    """The foster carer, as they use the pages (Full access, Edit)."""
    principal = Principal(
        subject="demo-seed-carer",
        kind=PrincipalKind.user,
        authority_id=authority,
        organisation_id=organisation,
        role=Role.full,
        can_edit=True,
        scope_type=ScopeType.organisation,
        scope_id=organisation,
    )
    return Caller(principal=principal, actor=Actor.system("demo-seed", correlation_id="demo-seed"))


async def seed_claims(
    settings: Mapping[str, ServiceSettings],
    *,
    authorities: Mapping[str, uuid.UUID],
    today: date | None = None,
) -> None:
    """Durham's claimable levels, then Sausage Sandwich's claims unless they have some already."""
    today = today or date.today()
    claims_settings = settings["claims"]
    assert isinstance(claims_settings, ClaimsSettings)
    durham = authorities[DURHAM]
    identity = await db.connect(settings["identity"].dsn)
    actuals = await db.connect(settings["actuals"].dsn)
    pool = await db.create_pool(claims_settings.dsn)
    try:
        organisation = await identity.fetchval(
            "SELECT organisation_id FROM identity.organisation WHERE authority_id = $1 AND reference = $2",
            durham,
            FOSTER_CARER,
        )
        if organisation is None:
            raise RuntimeError(
                f"no organisation {FOSTER_CARER} in Durham's directory (devtools/demo_councils.py)"
            )
        async with pool.acquire() as conn:
            projected = await project_actuals(actuals, conn)
        work = Work(pool, Outbox("claims"))
        council = council_system(durham)
        await levels.upsert_levels(council, work, items=list(DURHAM_LEVELS))
        async with pool.acquire() as conn:
            existing = await conn.fetchval(
                "SELECT count(*) FROM claims.claim WHERE authority_id = $1 AND organisation_id = $2",
                durham,
                organisation,
            )
            level_ids = {
                r["reference"]: r["level_id"]
                for r in await conn.fetch(
                    "SELECT reference, level_id FROM claims.claimable_level WHERE authority_id = $1", durham
                )
            }
            client_ids = {
                r["reference"]: r["client_id"]
                for r in await conn.fetch(
                    "SELECT reference, client_id FROM claims.client WHERE authority_id = $1", durham
                )
            }
        made = 0
        if not existing:
            carer = provider_user(durham, organisation)
            files = ClaimFiles(claims_settings)
            for demo in sausage_sandwich_claims():
                await _make(work, carer, council, files, demo, today, level_ids, client_ids)
                made += 1
        log.info(
            "demo_claims_seeded",
            authority=DURHAM,
            projected=projected,
            levels=len(DURHAM_LEVELS),
            claims=made,
        )
    finally:
        await identity.close()
        await actuals.close()
        await pool.close()


async def _make(
    work: Work,
    carer: Caller,
    council: Caller,
    files: ClaimFiles,
    demo: DemoClaim,
    today: date,
    level_ids: Mapping[str, uuid.UUID],
    client_ids: Mapping[str, uuid.UUID],
) -> None:
    claim = await claim_handlers.create_claim(
        carer, work, claim_date=today - timedelta(days=demo.days_ago), notes=demo.notes
    )
    for n, item in enumerate(demo.items, start=1):
        entry = ItemEntry(
            version=claim.version,
            description=item.description,
            service_level_id=str(level_ids[item.level]),
            client_id=str(client_ids[item.client]) if item.client else None,
            quantity=item.quantity,
            unit_cost=item.unit_cost,
            attachment=Upload(f"mileage-form-{n}.pdf", "application/pdf", FORM),
        )
        claim = await items.add_item(
            carer,
            work,
            claim_id=claim.claim_id,
            kind="client" if item.client else "provider",
            entry=entry,
            files=files,
        )
    if demo.decision is None:
        return
    claim = await claim_handlers.submit_claim(carer, work, claim_id=claim.claim_id, version=claim.version)
    decided = [
        ItemDecision(i.item_id, demo.decision == "accepted" and d.included, None)
        for i, d in zip([*claim.client_items, *claim.provider_items], demo.items, strict=True)
    ]
    await council_claims.decide(
        council, work, claim_id=claim.claim_id, decision=demo.decision, reason=demo.reason, items=decided
    )
