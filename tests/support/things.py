"""Events for the projection kit's tests: identity's organisation states, and a made-up aggregate, `thing`,
with a full-state event that carries a tombstone flag, a delete event of its own, and the table a consumer
would keep of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import Field

from shared.events import Envelope, EventPayload, OrganisationUpserted, make_envelope
from shared.projections import Deletes, Projection


class ThingUpserted(EventPayload):
    """A thing's full state."""

    producer = "tests"
    aggregate = "thing"
    event = "upserted"

    thing_id: uuid.UUID = Field(description="id")
    authority_id: uuid.UUID = Field(description="authority")
    label: str = Field(description="label")
    gone: bool = Field(False, description="true once the thing is gone")
    revision: int = Field(ge=1, description="revision")


class ThingRemoved(EventPayload):
    """A thing is gone."""

    producer = "tests"
    aggregate = "thing"
    event = "removed"

    thing_id: uuid.UUID = Field(description="id")
    revision: int = Field(ge=1, description="revision")


# Other columns allow NULL: a delete event for a thing never seen leaves a tombstone of key and revision.
THING_TABLE = """
CREATE TABLE {schema}.thing (
    thing_id     uuid PRIMARY KEY,
    authority_id uuid,
    title        text,
    revision     integer NOT NULL,
    deleted      boolean NOT NULL DEFAULT false
)
"""


def thing_projection(schema: str) -> Projection:
    return Projection(
        event=ThingUpserted,
        schema=schema,
        table="thing",
        key=("thing_id",),
        columns={
            "thing_id": "thing_id",
            "authority_id": "authority_id",
            "title": "label",
            "revision": "revision",
        },
        deletes=Deletes(flag="gone", event=ThingRemoved),
    )


def thing(
    thing_id: uuid.UUID, revision: int, label: str = "a thing", *, gone: bool = False
) -> tuple[Envelope, ThingUpserted]:
    event = ThingUpserted(
        thing_id=thing_id, authority_id=uuid.UUID(int=1), label=label, gone=gone, revision=revision
    )
    return make_envelope(event, aggregate_id=thing_id, authority_id=event.authority_id), event


def removed(thing_id: uuid.UUID, revision: int) -> tuple[Envelope, ThingRemoved]:
    event = ThingRemoved(thing_id=thing_id, revision=revision)
    return make_envelope(event, aggregate_id=thing_id, authority_id=None), event


def upserted(
    organisation_id: uuid.UUID, authority_id: uuid.UUID, *, revision: int, name: str
) -> tuple[Envelope, OrganisationUpserted]:
    """Identity's event for an organisation's state at `revision`."""
    event = OrganisationUpserted(
        organisation_id=organisation_id,
        authority_id=authority_id,
        name=name,
        reference="P000148",
        active=True,
        revision=revision,
        updated_at=datetime.now(UTC),
    )
    return make_envelope(event, aggregate_id=organisation_id, authority_id=authority_id), event
