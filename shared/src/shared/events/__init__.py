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
from shared.events.backfill import BackfillRequested, IdentityBackfillRequested
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
    ClientUpserted,
    ServiceLevelUpserted,
    CpliUpserted,
    WeekConfirmed,
    WeekUnlocked,
    PaymentRunFinalised,
)
BY_ROUTING_KEY: dict[str, type[EventPayload]] = {e.routing_key(): e for e in EVENT_TYPES}

__all__ = [
    "ClientUpserted",
    "ConfirmedLine",
    "CpliUpserted",
    "PaidWeek",
    "PaymentRunFinalised",
    "RateState",
    "ServiceLevelUpserted",
    "TimetabledVisit",
    "WeekConfirmed",
    "WeekUnlocked",
    "BY_ROUTING_KEY",
    "EVENT_TYPES",
    "AccessState",
    "AuthorityPolicyState",
    "AuthorityUpserted",
    "BackfillRequested",
    "ContactChangeRequestUpserted",
    "ContactRequestUpserted",
    "ContractUpserted",
    "Envelope",
    "EventPayload",
    "IdentityBackfillRequested",
    "MembershipState",
    "OrganisationChangeRequestUpserted",
    "OrganisationUpserted",
    "PasswordResetRequested",
    "ProviderServiceUpserted",
    "ReportArtifactDownloaded",
    "ReportRunRequested",
    "TemporaryPasswordIssued",
    "UserUpserted",
    "make_envelope",
]
