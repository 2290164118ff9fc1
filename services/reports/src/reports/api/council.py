"""The council's catalogue (/council/v1/reports/catalogue): which reports its users are offered."""

from __future__ import annotations

from fastapi import APIRouter

from reports.api.schemas import OfferChange, OfferPublic, offer_public
from reports.handlers import catalogue
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/reports", tags=["council"])


@router.get("/catalogue", response_model=list[OfferPublic], responses=PAGED)
async def list_offers(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[OfferPublic]:
    """Every report of the service, and whether the council's users are offered it."""
    return page.cut([offer_public(o) for o in await catalogue.council_catalogue(caller, work)])


@router.put("/catalogue/{report}", response_model=OfferPublic)
async def change_offer(report: str, body: OfferChange, caller: CurrentCaller, work: WorkDep) -> OfferPublic:
    """Offer a report to the council's users, or withdraw it (runs already made stay as they are)."""
    return offer_public(await catalogue.set_offered(caller, work, report=report, enabled=body.enabled))
