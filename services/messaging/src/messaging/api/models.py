"""The bodies both APIs take (OpenAPI): every text field's limit is in its description, as the rules
keep it; the schema's own bound is ten times that (a bound on work), so that the rules refuse an
over-long text with the field named and the count, together with every other fault of the request."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from messaging.domain.rules import MAILBOX_MAX, NAME_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX

# The schema's bounds only bound the work, far above the rules' limits: the rules refuse an over-long text
# with the field named and the count given (a 7,501-character message gets "must be 7,500 characters or
# fewer (it has 7,501)", a pasted 500-character title "must be 200 ...") together with every other fault
# of the request, which a schema error would hide.
CAP = 10
Text = Annotated[str, Field(max_length=TEXT_MAX * CAP, description=f"at most {TEXT_MAX:,} characters")]


class NewActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type_id: uuid.UUID = Field(description="An action type of your council (GET .../action-types)")
    related_kind: Literal["provider", "service", "client"] = Field(
        description="What the action is about: your organisation, one of your services, one of your clients"
    )
    related_id: uuid.UUID | None = Field(
        None,
        description="The service or client (GET .../related); for the provider, leave out or your own id",
    )
    team_id: uuid.UUID | None = Field(
        None, description="The council team; the type's default team when left out"
    )
    title: Annotated[str, Field(max_length=TITLE_MAX * CAP)] = Field(
        description=f"at most {TITLE_MAX} characters", examples=["Dawn Stockton Query about my next payment"]
    )
    text: Text


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text


class ClosureRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text | None = Field(None, description="Why it can be closed (optional)")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=REASON_MAX * CAP)] = Field(
        description=f"Why the action is closed (the provider reads it), at most {REASON_MAX:,} characters"
    )


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_id: uuid.UUID = Field(description="Another active team of your council")
    text: Text | None = Field(None, description="A note for the thread (optional)")


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=NAME_MAX * CAP)] = Field(examples=["Childrens Services Finance"])
    mailbox: Annotated[str, Field(max_length=MAILBOX_MAX * CAP)] | None = Field(
        None,
        description="The team's shared e-mail address, where its notifications go (none: the team is told"
        " nothing); one address, no line breaks",
        examples=["brokerage@council.example"],
    )


class TeamChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=NAME_MAX * CAP)] | None = None
    active: bool | None = None
    mailbox: Annotated[str, Field(max_length=MAILBOX_MAX * CAP)] | None = Field(
        None,
        description="The team's shared e-mail address, where its notifications go (null or blank clears it,"
        " absent keeps it); one address, no line breaks",
        examples=["brokerage@council.example"],
    )


class TypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=NAME_MAX * CAP)] = Field(examples=["Foster Carer Query"])
    default_team_id: uuid.UUID = Field(description="The team it goes to unless the provider chooses another")
    response_days: int | None = Field(
        None, ge=1, le=365, description="Calendar days from opening to the due date; null: no due date"
    )


class TypeChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=NAME_MAX * CAP)] | None = None
    default_team_id: uuid.UUID | None = None
    response_days: int | None = Field(None, ge=1, le=365, description="null: no due date")
    active: bool | None = None


class TeamOut(BaseModel):
    team_id: uuid.UUID
    name: str
    active: bool


class CouncilTeamOut(TeamOut):
    """A team as the council configures it: with its mailbox (the council's own address, not shown to
    providers)."""

    mailbox: str | None


class TypeOut(BaseModel):
    type_id: uuid.UUID
    name: str
    default_team_id: uuid.UUID
    default_team_name: str
    response_days: int | None
    active: bool
    purpose: Literal["payment_dispute", "portal_request"] | None = Field(
        None, description="The type messaging itself uses for actions from disputes or portal requests"
    )


class RelatedOption(BaseModel):
    kind: Literal["service", "client"]
    related_id: uuid.UUID
    label: str
