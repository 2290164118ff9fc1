"""The event envelope of DESIGN.md ("Events"), and the base class of every event payload."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class EventPayload(BaseModel):
    """A frozen, documented payload. Subclasses set the routing key parts; fields carry descriptions.

    Readers are tolerant (unknown fields are ignored) so that a producer may add optional fields within
    a major version without breaking consumers that have not been upgraded yet.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")
    producer: ClassVar[str]
    aggregate: ClassVar[str]
    event: ClassVar[str]
    version: ClassVar[int] = 1
    # A command is sent *to* `producer` by other services (its routing key is still the producer's, so the
    # producer's queue is bound to it), where an event is published by `producer`.
    command: ClassVar[bool] = False

    @classmethod
    def routing_key(cls) -> str:
        return f"{cls.producer}.{cls.aggregate}.{cls.event}.v{cls.version}"

    @classmethod
    def event_type(cls) -> str:
        return f"{cls.producer}.{cls.aggregate}.{cls.event}"


class Envelope(BaseModel):
    """What travels on the wire. `event_id` is the deduplication key of every consumer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(description="Unique id of this event; consumers deduplicate on it")
    event_type: str = Field(
        description="<service>.<aggregate>.<event>", examples=["identity.organisation.upserted"]
    )
    event_version: int = Field(ge=1, description="Major version of the payload schema")
    occurred_at: datetime = Field(description="When the change was committed, UTC")
    producer: str = Field(description="The service that owns the aggregate")
    authority_id: uuid.UUID | None = Field(description="The authority (tenant) the event belongs to")
    aggregate_id: str = Field(description="Id of the aggregate that changed")
    correlation_id: str | None = Field(None, description="Request or message id that caused the event")
    payload: dict[str, Any] = Field(description="The event's full state; its schema is given per event type")

    @property
    def routing_key(self) -> str:
        return f"{self.event_type}.v{self.event_version}"


def make_envelope(
    payload: EventPayload,
    *,
    aggregate_id: str | uuid.UUID,
    authority_id: uuid.UUID | None,
    correlation_id: str | None = None,
) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        event_type=payload.event_type(),
        event_version=payload.version,
        occurred_at=datetime.now(UTC),
        producer=payload.producer,
        authority_id=authority_id,
        aggregate_id=str(aggregate_id),
        correlation_id=correlation_id,
        payload=payload.model_dump(mode="json"),
    )
