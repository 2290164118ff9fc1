"""Every published event payload, in one registry: the source of the AsyncAPI document and of the
schema-compatibility contract test."""

from shared.events.envelope import Envelope, EventPayload, make_envelope
from shared.events.identity import OrganisationUpserted, PasswordResetRequested
from shared.events.reports import ReportRunRequested

EVENT_TYPES: tuple[type[EventPayload], ...] = (
    OrganisationUpserted,
    PasswordResetRequested,
    ReportRunRequested,
)
BY_ROUTING_KEY: dict[str, type[EventPayload]] = {e.routing_key(): e for e in EVENT_TYPES}

__all__ = [
    "BY_ROUTING_KEY",
    "EVENT_TYPES",
    "Envelope",
    "EventPayload",
    "OrganisationUpserted",
    "PasswordResetRequested",
    "ReportRunRequested",
    "make_envelope",
]
