"""Events published by the actuals service: the council's care packages as they change, and every
confirmed week with all it needs to be paid (payments and reports never call back)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventPayload

Unit = Literal["Hours", "Weeks", "Nights"]


class ClientUpserted(EventPayload):
    """A service user was created or changed by the council; carries its full state."""

    producer = "actuals"
    aggregate = "client"
    event = "upserted"
    version = 1

    client_id: uuid.UUID = Field(description="The client's id")
    authority_id: uuid.UUID = Field(description="The authority")
    reference: str = Field(description="The council's reference (SSRef)", examples=["A201000005"])
    name: str = Field(description="Name as the council records it", examples=["Miss Pamela Portal"])
    date_of_birth: date | None = Field(None, description="Date of birth")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class RateState(BaseModel):
    """A unit rate in force from a date until the next one."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    effective_from: date = Field(description="First day the rate applies")
    rate: Decimal = Field(description="Unit rate in pounds, 4 decimal places", examples=["18.5400"])


class ServiceLevelUpserted(EventPayload):
    """A service level (what is commissioned, in which unit, at which rates) was created or changed."""

    producer = "actuals"
    aggregate = "service_level"
    event = "upserted"
    version = 1

    service_level_id: uuid.UUID = Field(description="The service level's id")
    authority_id: uuid.UUID = Field(description="The authority")
    reference: str = Field(description="The council's reference", examples=["SL-B4-SR-LT"])
    name: str = Field(description="Name", examples=["Band 4 - Single Room - Long Term"])
    unit: Unit = Field(description="The unit quantities are counted in")
    extras_payable: bool = Field(description="Extra units are payable on this service type")
    rates: list[RateState] = Field(description="The rate history, oldest first")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class TimetabledVisit(BaseModel):
    """A planned visit of a timetabled CPLI, on a day of every week."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    weekday: int = Field(ge=0, le=6, description="0 Monday ... 6 Sunday")
    start_time: time = Field(description="Planned start, local time")
    minutes: int = Field(gt=0, description="Planned length")
    carers: int = Field(gt=0, description="Carers on the visit")


class CpliUpserted(EventPayload):
    """A care package line item was created or changed by the council; carries its full state."""

    producer = "actuals"
    aggregate = "cpli"
    event = "upserted"
    version = 1

    cpli_id: uuid.UUID = Field(description="The CPLI's id")
    authority_id: uuid.UUID = Field(description="The authority")
    organisation_id: uuid.UUID = Field(description="The provider organisation")
    contract_id: uuid.UUID = Field(description="The contract")
    service_id: uuid.UUID = Field(description="The provider service delivering it")
    client_id: uuid.UUID = Field(description="The client")
    client_reference: str = Field(description="The client's SSRef", examples=["A201000005"])
    service_level_id: uuid.UUID = Field(description="The service level")
    reference: str = Field(description="The council's reference for the line", examples=["CPLI-735810"])
    care_package_ref: str = Field(description="Care package reference", examples=["M2872/Migr:735810"])
    start_date: date = Field(description="First day commissioned")
    end_date: date | None = Field(None, description="Last day commissioned; null while open-ended")
    cost: Decimal = Field(description="Commissioned cost in pounds", examples=["646.06"])
    frequency: str = Field(description="How often the cost applies", examples=["Weekly"])
    pricing: str = Field(description="Pricing text", examples=["1 x Placement at £646.06 (Spot)"])
    units_per_week: Decimal | None = Field(None, description="Planned units a week (not timetabled)")
    timetable: list[TimetabledVisit] = Field(description="Planned visits; empty when not timetabled")
    authorised: bool = Field(description="Only authorised CPLIs are paid")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class ConfirmedLine(BaseModel):
    """One client's line of a confirmed week, with its quantities, rate and cost."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    line_id: uuid.UUID = Field(description="The line's id")
    cpli_id: uuid.UUID = Field(description="The CPLI it records")
    client_id: uuid.UUID = Field(description="The client")
    client_reference: str = Field(description="The client's SSRef")
    service_level_id: uuid.UUID = Field(description="The service level")
    unit: Unit = Field(description="The unit of the quantities")
    actual: Decimal = Field(description="Units delivered")
    planned: Decimal = Field(description="Units planned")
    frustrated: Decimal = Field(description="Units frustrated (missed by the service user)")
    missed: Decimal = Field(description="Units missed by the provider")
    extra: Decimal = Field(description="Extra units")
    visits: int | None = Field(None, description="Visits, where recorded")
    unit_rate: Decimal = Field(description="Unit rate, 4 places; the week's average when `averaged`")
    averaged: bool = Field(description="The rate changed inside the week: cost pro-rated by day")
    total: Decimal = Field(description="What the line is paid, to the penny")
    planned_total: Decimal = Field(description="The planned units at the same rates")
    comment: str = Field(description="The provider's comment")


class WeekConfirmed(EventPayload):
    """A provider confirmed a service's week of actuals: every line, quantity, rate and cost."""

    producer = "actuals"
    aggregate = "week"
    event = "confirmed"
    version = 1

    week_id: uuid.UUID = Field(description="The week's id")
    authority_id: uuid.UUID = Field(description="The authority")
    organisation_id: uuid.UUID = Field(description="The provider organisation")
    contract_id: uuid.UUID = Field(description="The contract")
    service_id: uuid.UUID = Field(description="The service")
    week_commencing: date = Field(description="The Monday the week starts on")
    payment_basis: Literal["actuals", "planned"] = Field(description="The contract's payment basis")
    lines: list[ConfirmedLine] = Field(description="Every line of the week")
    total: Decimal = Field(description="Sum of the lines' totals")
    planned_total: Decimal = Field(description="Sum of the lines' planned totals")
    confirmed_by: str = Field(description="Subject of the user or API key that confirmed")
    confirmed_at: datetime = Field(description="When it was confirmed, UTC")
    revision: int = Field(ge=1, description="The week's version; consumers keep the highest")


class WeekUnlocked(EventPayload):
    """The council unlocked a confirmed week for the provider to correct: it is no longer confirmed
    until the provider confirms it again (a new `actuals.week.confirmed`)."""

    producer = "actuals"
    aggregate = "week"
    event = "unlocked"
    version = 1

    week_id: uuid.UUID = Field(description="The week's id")
    authority_id: uuid.UUID = Field(description="The authority")
    organisation_id: uuid.UUID = Field(description="The provider organisation")
    service_id: uuid.UUID = Field(description="The service")
    week_commencing: date = Field(description="The Monday the week starts on")
    reason: str = Field(description="Why the council unlocked it")
    unlocked_by: str = Field(description="Subject of the council user or system")
    unlocked_at: datetime = Field(description="When, UTC")
    revision: int = Field(ge=1, description="The week's version; consumers keep the highest")
