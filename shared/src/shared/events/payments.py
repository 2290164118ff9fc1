"""Events published by the payments service. The service itself comes with its own issue; the events
other services consume are defined here first so that they can be applied from the start."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventPayload


class PaidWeek(BaseModel):
    """A confirmed week of actuals that a payment run paid."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    week_id: uuid.UUID = Field(description="The week's id, as in actuals.week.confirmed")
    service_id: uuid.UUID = Field(description="The service")
    week_commencing: date = Field(description="The Monday the week starts on")


class PaymentRunFinalised(EventPayload):
    """A payment run was finalised: its payments are fixed, and the weeks of actuals it paid are
    locked for good."""

    producer = "payments"
    aggregate = "payment_run"
    event = "finalised"
    version = 1

    payment_run_id: uuid.UUID = Field(description="The payment run")
    authority_id: uuid.UUID = Field(description="The authority")
    reference: str = Field(description="The run's reference", examples=["PR-2026-11-4"])
    weeks: list[PaidWeek] = Field(description="Every week of actuals the run paid")
    finalised_by: str = Field(description="Subject of the council user or system that finalised it")
    finalised_at: datetime = Field(description="When, UTC")
