"""What the reports API reads and answers (its OpenAPI)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from reports.domain.catalogue import ReportDefinition
from reports.handlers.catalogue import Offer
from reports.handlers.choices import Choice, Choices
from reports.handlers.runs import RunView


class ParameterPublic(BaseModel):
    name: str = Field(examples=["tax_year"])
    label: str = Field(examples=["Tax year"])
    required: bool


class ColumnPublic(BaseModel):
    key: str
    heading: str
    kind: Literal["text", "money", "date", "number"]
    total: bool = Field(description="Summed in the totals row")


class ReportPublic(BaseModel):
    key: str
    title: str
    description: str
    parameters: list[ParameterPublic]
    columns: list[ColumnPublic]
    capability: str = Field(description="What the caller's role must give to run it", examples=["reports"])
    narrow: bool = Field(description="Laid out as one column on a phone")


def report_public(definition: ReportDefinition) -> ReportPublic:
    return ReportPublic(
        key=definition.key,
        title=definition.title,
        description=definition.description,
        parameters=[
            ParameterPublic(name=p.name, label=p.label, required=p.required) for p in definition.parameters
        ],
        columns=[
            ColumnPublic(key=c.key, heading=c.heading, kind=c.kind, total=c.total) for c in definition.columns
        ],
        capability=definition.capability.value,
        narrow=definition.narrow,
    )


class OfferPublic(BaseModel):
    report: ReportPublic
    enabled: bool = Field(description="Offered to the council's users")
    updated_by: str | None = Field(description="Who last offered or withdrew it; null: never configured")


def offer_public(offer: Offer) -> OfferPublic:
    return OfferPublic(
        report=report_public(offer.definition), enabled=offer.enabled, updated_by=offer.updated_by
    )


class OfferChange(BaseModel):
    enabled: bool = Field(description="true offers the report to the council's users, false withdraws it")


class RunCreate(BaseModel):
    report: str = Field(description="Report key from the catalogue", examples=["organisation-directory"])
    format: Literal["pdf", "csv", "html"] = Field(
        "pdf",
        description="pdf to view, csv to download the data, html for the accessible web page view (a"
        " fragment of GOV.UK Frontend markup the portal shows in its layout)",
    )
    parameters: dict[str, str | int | bool] = Field(
        default_factory=dict,
        description="The report's parameters by name (see the catalogue); a provider's organisation is"
        " their own when left out",
        examples=[{"organisation_id": "0b9f7c9e-3d0a-4f43-9b7e-2f8f3c1e5a10", "tax_year": "2018/19"}],
    )


class Progress(BaseModel):
    done: int = Field(description="Rows rendered so far")
    total: int | None = Field(description="Rows in all, once counted")


class RunPublic(BaseModel):
    run_id: uuid.UUID
    report: str
    format: str
    status: Literal["queued", "rendering", "done", "failed"]
    parameters: dict[str, str]
    progress: Progress
    requested_at: datetime
    finished_at: datetime | None = Field(description="When it was rendered, or when it failed")
    expires_at: datetime | None = Field(description="When its file stops being kept")
    error: str | None = Field(description="Why it failed, for a failed run")


def run_public(view: RunView) -> RunPublic:
    run = view.run
    return RunPublic(
        run_id=run.run_id,
        report=run.report,
        format=run.format,
        status=view.state,
        parameters=run.parameters,
        progress=Progress(done=view.done, total=view.total),
        requested_at=run.requested_at,
        finished_at=run.finished_at,
        expires_at=run.expires_at,
        error=run.error,
    )


class ChoicePublic(BaseModel):
    value: str = Field(description="The parameter's value as a run takes it", examples=["2018/19"])
    label: str = Field(
        description="What the person reads", examples=["2018/19 (6 April 2018 to 5 April 2019)"]
    )


class ChoicesPublic(BaseModel):
    """What each parameter may be picked from, limited to what the caller may see."""

    organisation_id: list[ChoicePublic] = Field(description="Organisations (a provider's own only)")
    contract_id: list[ChoicePublic] = Field(description="Contracts")
    payment_method: list[ChoicePublic] = Field(description="Payment methods")
    period_start: list[ChoicePublic] = Field(description="Payment periods remittances were issued for")
    tax_year: list[ChoicePublic] = Field(description="Tax years, 6 April to 5 April, newest first")
    financial_year: list[ChoicePublic] = Field(
        description="Financial years, 1 April to 31 March, newest first"
    )
    remittance_id: list[ChoicePublic] = Field(description="Remittances, newest pay date first")
    purchase_order_id: list[ChoicePublic] = Field(description="Purchase orders paid against, by number")


def choices_public(found: Choices) -> ChoicesPublic:
    def listed(choices: list[Choice]) -> list[ChoicePublic]:
        return [ChoicePublic(value=c.value, label=c.label) for c in choices]

    return ChoicesPublic(
        organisation_id=listed(found.organisations),
        contract_id=listed(found.contracts),
        payment_method=listed(found.payment_methods),
        period_start=listed(found.periods),
        tax_year=listed(found.tax_years),
        financial_year=listed(found.financial_years),
        remittance_id=listed(found.remittances),
        purchase_order_id=listed(found.purchase_orders),
    )
