"""Request and response bodies shared by several routers. Secrets only ever come in, never go out."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

SLUG = r"^[a-z0-9-]{2,40}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE = r"^[0-9+() -]+$"


def _one_line(value: str) -> str:
    """Names reach e-mail headers (From, To, Subject): a CR or LF there would inject headers."""
    if "\r" in value or "\n" in value:
        raise ValueError("must be on one line: no carriage return or line feed")
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]


# The contact details that people type into the portal's forms, checked here only (the pages show these
# messages at their fields, after the field's label: "Telephone number must be 40 characters or fewer").
def _text_check(name: str, *, min_length: int, max_length: int, pattern: str, wrong: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not value.strip():
            raise PydanticCustomError(f"{name}_missing", "is required")
        if len(value) > max_length:
            raise PydanticCustomError(f"{name}_too_long", f"must be {max_length} characters or fewer")
        if not compiled.match(value):
            raise PydanticCustomError(f"{name}_format", wrong)
        if len(value) < min_length:  # the right characters, too few of them ("0" for a telephone number)
            raise PydanticCustomError(f"{name}_too_short", f"must be {min_length} characters or more")
        return value

    return AfterValidator(check)


def _schema(min_length: int, max_length: int, pattern: str, example: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "minLength": min_length,
            "maxLength": max_length,
            "pattern": pattern,
            "examples": [example],
        }
    )


Phone = Annotated[
    str,
    _text_check(
        "phone",
        min_length=5,
        max_length=40,
        pattern=PHONE,
        wrong="must contain only digits, spaces and + ( ) -, like 01632 960 001",
    ),
    _schema(5, 40, PHONE, "01632 960 001"),
]
Email = Annotated[
    str,
    _text_check(
        "email",
        min_length=3,
        max_length=254,
        pattern=EMAIL,
        wrong="must be in the correct format, like name@example.com",
    ),
    _schema(3, 254, EMAIL, "name@example.com"),
]
# A full UK postcode in any case and spacing (https://design-system.service.gov.uk/patterns/addresses/).
UK_POSTCODE = r"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}\s*$"
Postcode = Annotated[
    str,
    _text_check(
        "postcode",
        min_length=5,
        max_length=10,
        pattern=UK_POSTCODE,
        wrong="must be a full UK postcode, like TF1 7YD",
    ),
    _schema(5, 10, UK_POSTCODE, "TF1 7YD"),
]
# Long enough for any policy's password; short enough that nobody hashes a megabyte.
PASSWORD_INPUT_MAX = 1024


class AuthorityBranding(BaseModel):
    authority_id: uuid.UUID
    slug: str
    name: str
    primary_colour: str
    secondary_colour: str
    support_email: str | None
    support_phone: str | None


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from the store's `User` record

    user_id: uuid.UUID
    email: str
    forename: str
    surname: str
    phone: str | None = None
    address: str | None = None
    is_council: bool
    council_can_edit: bool
    active: bool
    locked_at: datetime | None
    lock_reason: str | None
    must_change_password: bool
    has_security_code: bool
    password_changed_at: datetime
    last_login_at: datetime | None
    created_at: datetime


class Membership(BaseModel):
    organisation_id: uuid.UUID
    organisation_name: str
    organisation_reference: str
    role: str
    can_edit: bool
    scope_type: str
    scope_id: uuid.UUID


class GrantIn(BaseModel):
    organisation_id: uuid.UUID
    role: str = Field(
        pattern="^(full|finance|care|admin|main)$", description="main is set by the council only"
    )
    can_edit: bool = Field(description="Edit (true) or Read-only (false)")
    scope_type: str = Field("organisation", pattern="^(organisation|contract|service)$")
    scope_id: uuid.UUID | None = Field(
        None, description="the organisation, contract or service; default the organisation"
    )


class ContractPublic(BaseModel):
    contract_id: uuid.UUID
    organisation_id: uuid.UUID
    reference: str
    name: str
    payment_basis: str = Field(description="actuals | planned")
    frequency: str = Field(description="weekly | four_weekly")
    pays_frustrated: bool
    pays_extras: bool
    vat_registered: bool
    start_date: date | None
    end_date: date | None
    active: bool
    revision: int


class ServicePublic(BaseModel):
    service_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    reference: str
    name: str
    active: bool
    revision: int


class ScopedGrant(BaseModel):
    """A role and scope inside the caller's own organisation."""

    role: str = Field(pattern="^(full|finance|care|admin)$", description="Main is set by the council only")
    can_edit: bool = Field(description="Edit (true) or Read-only (false)")
    scope_type: str = Field("organisation", pattern="^(organisation|contract|service)$")
    scope_id: uuid.UUID | None = Field(None, description="the contract or service; default the organisation")
