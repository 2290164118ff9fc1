"""A reports service started after a council was created: identity published the council's name and
colours before reports listened, so reports' worker, starting with no authority in its read model, asks
identity for them (`identity.backfill.requested.v1`, aggregate `authority`), identity's worker answers
with the authorities' current states, and the council's reports print its name and colour."""

from __future__ import annotations

import asyncio
import json

from identity.main import DEFINITION as IDENTITY
from reports.main import DEFINITION as REPORTS
from reports.store.sources import branding
from shared import db
from shared.service import run_worker
from tests.support.inprocess import eventually


async def test_reports_started_empty_asks_identity_for_the_authorities_and_prints_their_branding(
    env, authority
):
    name, colour = f"Wrekin Borough {authority.hex[:6]}", "#5a2d81"
    identity = await db.connect(env.dsn("identity"))
    reports = await db.connect(env.dsn("reports"))
    try:
        # The council as identity holds it, changed before reports listened (no event reaches reports).
        await identity.execute(
            "UPDATE identity.authority SET name = $2, primary_colour = $3, revision = 4 WHERE authority_id = $1",
            authority,
            name,
            colour,
        )
        await reports.execute("DELETE FROM reports.authority")  # a reports service that starts empty
        assert await branding(reports, authority_id=authority) is None  # the default branding, so far

        stop = asyncio.Event()
        workers = [
            asyncio.create_task(run_worker(IDENTITY, env.settings(IDENTITY), stop=stop)),
            asyncio.create_task(run_worker(REPORTS, env.settings(REPORTS), stop=stop)),
        ]
        try:

            async def printed() -> tuple[str, str] | None:
                return await branding(reports, authority_id=authority)

            assert await eventually(printed, timeout=60, interval=0.2) == (name, colour)
        finally:
            stop.set()
            await asyncio.gather(*workers)
        kept = await reports.fetchrow(
            "SELECT slug, secondary_colour, revision FROM reports.authority WHERE authority_id = $1",
            authority,
        )
        assert (kept["slug"], kept["secondary_colour"], kept["revision"]) == (
            f"a-{authority.hex[:12]}",
            "#0b0c0c",
            4,
        )
        asked = await reports.fetch(
            "SELECT body FROM reports.outbox WHERE routing_key = 'identity.backfill.requested.v1'"
        )
        aggregates = [json.loads(row["body"])["payload"]["aggregate_type"] for row in asked]
        assert "authority" in aggregates, aggregates
        answered = await identity.fetchval(
            "SELECT count(*) FROM identity.outbox WHERE routing_key = 'identity.authority.upserted.v1'"
            " AND convert_from(body, 'UTF8')::jsonb ->> 'aggregate_id' = $1",
            str(authority),
        )
        assert answered >= 1
    finally:
        await identity.close()
        await reports.close()
