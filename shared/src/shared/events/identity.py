"""Events published by the identity service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventPayload


class OrganisationUpserted(EventPayload):
    """A provider organisation was created or changed; carries its full state."""

    producer = "identity"
    aggregate = "organisation"
    event = "upserted"
    version = 1

    organisation_id: uuid.UUID = Field(description="The organisation's id")
    authority_id: uuid.UUID = Field(description="The authority the organisation holds contracts with")
    name: str = Field(description="Trading name", examples=["Sausage Sandwich Fostering"])
    reference: str = Field(description="The authority's own reference for the provider", examples=["P000148"])
    active: bool = Field(description="False once the authority has closed the organisation")
    address: str | None = Field(
        None, description="Postal address, lines separated by newlines", examples=["1 High Street\nTelford"]
    )
    postcode: str | None = Field(None, description="Postcode", examples=["TF3 4JA"])
    phone: str | None = Field(None, description="Telephone", examples=["01952 380000"])
    email: str | None = Field(
        None, description="Contact e-mail, lower-cased", examples=["office@purplecare.example"]
    )
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class PasswordResetRequested(EventPayload):
    """Someone asked for a new password with the forgotten-password form (seed 000).

    The messaging service turns it into a task for the authority's support team, who check the
    requester and reset the password in working hours. `user_id` is set when the e-mail belongs to an
    account of the authority; the requester is never told either way.
    """

    producer = "identity"
    aggregate = "password_reset_request"
    event = "submitted"
    version = 1

    request_id: uuid.UUID = Field(description="The request's id")
    authority_id: uuid.UUID = Field(description="The authority whose portal the form was sent from")
    name: str = Field(description="The requester's name, as typed", examples=["Dawn Stockton"])
    organisation_name: str = Field(description="The organisation, as typed", examples=["Sausage Sandwich"])
    email: str = Field(description="The e-mail address typed, lower-cased", examples=["dawn@example.org"])
    phone: str = Field(description="The telephone number typed", examples=["01952 380000"])
    user_id: uuid.UUID | None = Field(
        None, description="The account with that e-mail in the authority, if there is one"
    )
    requested_at: datetime = Field(description="When the form was sent, UTC")


class AuthorityPolicyState(BaseModel):
    """An authority's login policy (DOMAIN.md "Login and credentials")."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    password_min_length: int = Field(description="Shortest password accepted", examples=[12])
    password_require_letter: bool = Field(description="A letter is required")
    password_require_non_letter: bool = Field(description="A character that is not a letter is required")
    password_require_upper: bool = Field(description="An upper-case letter is required")
    password_require_lower: bool = Field(description="A lower-case letter is required")
    password_require_digit: bool = Field(description="A digit is required")
    password_require_symbol: bool = Field(description="A symbol is required")
    password_expiry_days: int = Field(
        description="Days before a password must change; 0 never", examples=[90]
    )
    password_history: int = Field(description="Previous passwords that may not be reused", examples=[12])
    max_password_failures: int = Field(description="Wrong passwords that lock an account", examples=[3])
    max_code_failures: int = Field(
        description="Wrong security-code answers that lock an account", examples=[3]
    )
    inactivity_lock_days: int = Field(description="Days without a login that lock an account; 0 never")
    session_idle_minutes: int = Field(description="A session ends after this long without use")
    session_absolute_minutes: int = Field(
        description="A session ends this long after login, whatever happens"
    )


class AuthorityUpserted(EventPayload):
    """An authority's name, branding, support contact or policy changed; carries its full state."""

    producer = "identity"
    aggregate = "authority"
    event = "upserted"
    version = 1

    authority_id: uuid.UUID = Field(description="The authority's id")
    slug: str = Field(description="Short name in the portal's addresses", examples=["telford-wrekin"])
    name: str = Field(description="Name shown on every page", examples=["Telford & Wrekin Council"])
    primary_colour: str = Field(description="Header colour, #rrggbb", examples=["#00664f"])
    secondary_colour: str = Field(description="Accent colour, #rrggbb", examples=["#0b0c0c"])
    support_email: str | None = Field(
        None, description="Support contact e-mail", examples=["ECM@telford.gov.uk"]
    )
    support_phone: str | None = Field(None, description="Support contact telephone")
    policy: AuthorityPolicyState = Field(description="Login policy")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class ContractUpserted(EventPayload):
    """A contract between the authority and a provider was created or changed; carries its full state."""

    producer = "identity"
    aggregate = "contract"
    event = "upserted"
    version = 1

    contract_id: uuid.UUID = Field(description="The contract's id")
    authority_id: uuid.UUID = Field(description="The authority that holds the contract")
    organisation_id: uuid.UUID = Field(description="The provider organisation")
    reference: str = Field(description="The authority's reference", examples=["C-NURS-0148"])
    name: str = Field(description="Contract name", examples=["Sausage Sandwich"])
    payment_basis: Literal["actuals", "planned"] = Field(
        description="Pay on actuals (actual + frustrated) or on planned quantities"
    )
    frequency: Literal["weekly", "four_weekly"] = Field(description="Payment schedule frequency")
    pays_frustrated: bool = Field(description="Frustrated units (missed by the service user) are paid")
    pays_extras: bool = Field(description="Extra units are payable")
    vat_registered: bool = Field(description="The provider charges VAT on this contract")
    start_date: date | None = Field(None, description="First day of the contract")
    end_date: date | None = Field(None, description="Last day of the contract")
    active: bool = Field(description="False once the authority has closed the contract")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class ProviderServiceUpserted(EventPayload):
    """A service (a site or service type under a contract) was created or changed; full state."""

    producer = "identity"
    aggregate = "provider_service"
    event = "upserted"
    version = 1

    service_id: uuid.UUID = Field(description="The service's id")
    authority_id: uuid.UUID = Field(description="The authority")
    organisation_id: uuid.UUID = Field(description="The provider organisation")
    contract_id: uuid.UUID = Field(description="The contract the service is delivered under")
    reference: str = Field(description="The authority's reference", examples=["S-0148-1"])
    name: str = Field(description="Service name", examples=["Nursing Home"])
    active: bool = Field(description="False once the authority has closed the service")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class AccessState(BaseModel):
    """A contact's role in one organisation and what it covers."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    role: Literal["full", "finance", "care", "admin", "main"] = Field(description="The role")
    can_edit: bool = Field(description="Edit (true) or Read-only (false)")
    scope_type: Literal["organisation", "contract", "service"] = Field(description="What the access covers")
    scope_id: uuid.UUID = Field(description="The organisation, contract or service covered")


class MembershipState(AccessState):
    """A user's role and scope in one organisation."""

    organisation_id: uuid.UUID = Field(description="The organisation")


class UserUpserted(EventPayload):
    """A user (contact) was created, or their details or roles changed; full state, no credentials."""

    producer = "identity"
    aggregate = "user"
    event = "upserted"
    version = 1

    user_id: uuid.UUID = Field(description="The user's id")
    authority_id: uuid.UUID = Field(description="The authority")
    email: str = Field(description="Portal e-mail address (the login)")
    forename: str = Field(description="Forename")
    surname: str = Field(description="Surname")
    phone: str | None = Field(None, description="Telephone")
    is_council: bool = Field(description="Council staff (the whole authority) rather than a provider contact")
    active: bool = Field(description="False once the account is closed")
    memberships: list[MembershipState] = Field(description="Organisations the login is linked to")
    revision: int = Field(ge=1, description="Increases with every change; consumers keep the highest")
    updated_at: datetime = Field(description="When this state was committed, UTC")


class TemporaryPasswordIssued(EventPayload):
    """A user was given an administrator-assigned password (new account, approved contact, or a reset
    by the council) that the messaging service e-mails to them.

    The password is sealed (AES-256-GCM, the delivery key shared by identity and messaging, the user id
    as associated data: `shared.sealing.Sealer.open_text`), so neither the broker nor the outbox holds
    it in clear. Deliver it, then forget it; never log it.
    """

    producer = "identity"
    aggregate = "user"
    event = "temporary_password_issued"
    version = 1

    user_id: uuid.UUID = Field(description="The user")
    authority_id: uuid.UUID = Field(description="The authority")
    email: str = Field(description="Where to send it")
    forename: str = Field(description="For the greeting")
    surname: str = Field(description="For the greeting")
    reason: Literal["new_user", "contact_approved", "reset"] = Field(description="Why it was issued")
    sealed_password: str = Field(description="The password, sealed for the messaging service (base64url)")
    issued_at: datetime = Field(description="When it was issued, UTC")
