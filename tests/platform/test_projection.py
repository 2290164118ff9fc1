"""The organisation projection keeps the highest revision, whether events come one at a time or many at
once (a consumer's batch), in any order and twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared import db
from shared.events import OrganisationUpserted, make_envelope
from shared.projections import OrganisationProjection


def upserted(organisation_id: uuid.UUID, authority_id: uuid.UUID, *, revision: int, name: str):
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


async def test_many_at_once_keeps_the_highest_revision_of_each_as_one_at_a_time_does(env, authority):
    projection = OrganisationProjection("actuals")
    first, second = uuid.uuid4(), uuid.uuid4()
    batch = [
        upserted(first, authority, revision=2, name="Sausage Sandwich Fostering"),
        upserted(first, authority, revision=1, name="stale: older than the one before it"),
        upserted(second, authority, revision=1, name="Purple Care"),
        upserted(second, authority, revision=3, name="Purple Care Ltd"),
        upserted(second, authority, revision=3, name="Purple Care Ltd"),  # twice
    ]
    conn = await db.connect(env.dsn("actuals"))
    try:
        async with conn.transaction():
            await projection.apply_many(conn, batch)
        await projection.apply(conn, *upserted(second, authority, revision=2, name="stale again"))
        rows = await conn.fetch(
            "SELECT organisation_id, name, revision FROM actuals.organisation WHERE authority_id = $1",
            authority,
        )
    finally:
        await conn.close()
    assert {r["organisation_id"]: (r["name"], r["revision"]) for r in rows} == {
        first: ("Sausage Sandwich Fostering", 2),
        second: ("Purple Care Ltd", 3),
    }
