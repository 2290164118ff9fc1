"""Every published event payload, in one registry: the source of the AsyncAPI document and of the
schema-compatibility contract test."""

from shared.events.actuals import (
    ClientUpserted,
    ConfirmedLine,
    CpliUpserted,
    RateState,
    ServiceLevelUpserted,
    TimetabledVisit,
    WeekConfirmed,
    WeekUnlocked,
)
from shared.events.backfill import ActualsBackfillRequested, BackfillRequested, IdentityBackfillRequested
from shared.events.envelope import Envelope, EventPayload, make_envelope
from shared.events.identity import (
    AccessState,
    AuthorityPolicyState,
    AuthorityUpserted,
    ContractUpserted,
    MembershipState,
    OrganisationUpserted,
    PasswordResetRequested,
    ProviderServiceUpserted,
    TemporaryPasswordIssued,
    UserUpserted,
)
from shared.events.identity_requests import (
    ContactChangeRequestUpserted,
    ContactRequestUpserted,
    OrganisationChangeRequestUpserted,
)
from shared.events.payments import PaidWeek, PaymentRunFinalised
from shared.events.reports import ReportArtifactDownloaded, ReportRunRequested

EVENT_TYPES: tuple[type[EventPayload], ...] = (
    AuthorityUpserted,
    OrganisationUpserted,
    ContractUpserted,
    ProviderServiceUpserted,
    UserUpserted,
    ContactRequestUpserted,
    ContactChangeRequestUpserted,
    OrganisationChangeRequestUpserted,
    TemporaryPasswordIssued,
    PasswordResetRequested,
    ReportRunRequested,
    ReportArtifactDownloaded,
    IdentityBackfillRequested,
    ActualsBackfillRequested,
    ClientUpserted,
    ServiceLevelUpserted,
    CpliUpserted,
    WeekConfirmed,
    WeekUnlocked,
    PaymentRunFinalised,
)
BY_ROUTING_KEY: dict[str, type[EventPayload]] = {e.routing_key(): e for e in EVENT_TYPES}

__all__ = [
    "BY_ROUTING_KEY",
    "EVENT_TYPES",
    "AccessState",
    "ActualsBackfillRequested",
    "AuthorityPolicyState",
    "AuthorityUpserted",
    "BackfillRequested",
    "ClientUpserted",
    "ConfirmedLine",
    "ContactChangeRequestUpserted",
    "ContactRequestUpserted",
    "ContractUpserted",
    "CpliUpserted",
    "Envelope",
    "EventPayload",
    "IdentityBackfillRequested",
    "MembershipState",
    "OrganisationChangeRequestUpserted",
    "OrganisationUpserted",
    "PaidWeek",
    "PasswordResetRequested",
    "PaymentRunFinalised",
    "ProviderServiceUpserted",
    "RateState",
    "ReportArtifactDownloaded",
    "ReportRunRequested",
    "ServiceLevelUpserted",
    "TemporaryPasswordIssued",
    "TimetabledVisit",
    "UserUpserted",
    "WeekConfirmed",
    "WeekUnlocked",
    "make_envelope",
]
