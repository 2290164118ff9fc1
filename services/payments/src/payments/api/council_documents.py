"""The council's side of purchase orders and remittances (/council/v1/payments): the terms and addresses
printed on its purchase orders, and the remittances it issued."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from payments.api.remittances import RemittanceOut, remittance_out
from payments.handlers import council_settings, remittances
from payments.store.settings import CouncilSettings
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/payments", tags=["council"])


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_terms: str = Field("", max_length=2000, examples=["30 days from receipt of invoice"])
    invoice_address: str = Field("", max_length=2000, description="lines separated by newlines")
    delivery_address: str = Field("", max_length=2000, description="lines separated by newlines")


class SettingsOut(BaseModel):
    payment_terms: str
    invoice_address: str
    delivery_address: str
    version: int = Field(description="0 while never set")
    updated_at: datetime | None


def _out(found: CouncilSettings) -> SettingsOut:
    return SettingsOut.model_validate(found.model_dump())


@router.put(
    "/settings",
    response_model=SettingsOut,
    summary="Set the payment terms and addresses on every purchase order",
)
async def put_settings(body: SettingsIn, caller: CurrentCaller, work: WorkDep) -> SettingsOut:
    return _out(
        await council_settings.put_settings(
            caller,
            work,
            payment_terms=body.payment_terms,
            invoice_address=body.invoice_address,
            delivery_address=body.delivery_address,
        )
    )


@router.get(
    "/settings", response_model=SettingsOut, summary="The payment terms and addresses on purchase orders"
)
async def get_settings(caller: CurrentCaller, work: WorkDep) -> SettingsOut:
    return _out(await council_settings.get_settings(caller, work))


@router.get(
    "/remittances",
    response_model=list[RemittanceOut],
    responses=PAGED,
    summary="The authority's remittance advice, of one organisation if asked, newest pay date first",
)
async def council_remittances(
    caller: CurrentCaller, work: WorkDep, page: PageDep, organisation_id: uuid.UUID | None = None
) -> list[RemittanceOut]:
    found = await remittances.council_remittances(
        caller, work, organisation_id=organisation_id, limit=page.fetch, offset=page.offset
    )
    return [remittance_out(r) for r in page.of(found)]
