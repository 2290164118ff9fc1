"""The demo care packages of `make run`: seeded through actuals' council handlers after identity's
directory is in actuals' projections; seeding twice duplicates nothing and publishes nothing again."""

from __future__ import annotations

from decimal import Decimal

from actuals.main import DEFINITION as ACTUALS
from devtools import seed
from identity.main import DEFINITION as IDENTITY
from shared import db

TABLES = (
    "contract",
    "provider_service",
    "client",
    "service_level",
    "service_level_rate",
    "cpli",
    "cpli_visit",
)


async def state(env) -> dict[str, int]:
    conn = await db.connect(env.dsn("actuals"))
    try:
        found = {t: await conn.fetchval(f"SELECT count(*) FROM actuals.{t}") for t in TABLES}
        found["events"] = await conn.fetchval(
            "SELECT count(*) FROM actuals.outbox WHERE routing_key LIKE 'actuals.%.upserted.v1'"
        )
        found["revisions"] = await conn.fetchval("SELECT sum(revision) FROM actuals.cpli")
        return found
    finally:
        await conn.close()


async def test_the_demo_care_packages_seed_twice_without_duplicates(env):
    settings = {
        "identity": env.settings(IDENTITY, login_limit_per_address=10000),
        "actuals": env.settings(ACTUALS),
    }
    await seed.seed_demo(settings)
    first = await state(env)
    await seed.seed_demo(settings)
    assert await state(env) == first
    telford, durham, worcester = (a.authority_id for a in seed.AUTHORITIES[:3])
    conn = await db.connect(env.dsn("actuals"))
    try:
        band4 = await conn.fetchrow(
            "SELECT p.cost, p.frequency, p.pricing, p.care_package_ref, c.name AS client, s.name AS service,"
            "       k.payment_basis"
            "  FROM actuals.cpli p JOIN actuals.client c USING (client_id)"
            "  JOIN actuals.service_level l USING (service_level_id)"
            "  JOIN actuals.provider_service s USING (service_id) JOIN actuals.contract k ON k.contract_id = p.contract_id"
            " WHERE p.authority_id = $1 AND l.name = 'Band 4 - Single Room - Long Term'"
            "   AND p.care_package_ref = 'M2872/Migr:735810'",
            worcester,
        )
        purple = await conn.fetchrow(
            "SELECT count(DISTINCT p.client_id) AS clients, count(*) FILTER (WHERE NOT p.authorised) AS unauthorised,"
            "       count(*) FILTER (WHERE p.end_date < now()::date - 28) AS historical,"
            "       count(DISTINCT p.cpli_id) FILTER (WHERE v.cpli_id IS NOT NULL) AS timetabled,"
            "       count(*) FILTER (WHERE p.units_per_week IS NOT NULL) AS weekly"
            "  FROM actuals.cpli p LEFT JOIN (SELECT DISTINCT cpli_id FROM actuals.cpli_visit) v USING (cpli_id)"
            "  JOIN actuals.contract k ON k.contract_id = p.contract_id"
            # Purple Care's own: other tests of the session add providers to the demo councils too.
            " WHERE p.authority_id = $1 AND k.reference = 'TW-HC-0201'",
            telford,
        )
        standard = await conn.fetch(
            "SELECT r.effective_from FROM actuals.service_level_rate r JOIN actuals.service_level l"
            " USING (service_level_id) WHERE l.authority_id = $1 AND l.name = 'Home Care - Standard'"
            " ORDER BY r.effective_from",
            telford,
        )
        fostering = await conn.fetchval(
            "SELECT count(*) FROM actuals.cpli p JOIN actuals.service_level l USING (service_level_id)"
            " WHERE p.authority_id = $1 AND l.unit = 'Weeks' AND l.name LIKE 'Fostering Allowance%'",
            durham,
        )
    finally:
        await conn.close()
    assert band4 is not None
    assert (band4["cost"], band4["frequency"], band4["pricing"]) == (
        Decimal("646.06"),
        "Weekly",
        "1 x Placement at £646.06 (Spot)",
    )
    assert (band4["client"], band4["service"], band4["payment_basis"]) == (
        "Mr Peter Portal",
        "Nursing Home",
        "planned",
    )
    assert purple["clients"] == 40 and purple["unauthorised"] >= 2 and purple["historical"] >= 2
    assert purple["timetabled"] >= 10 and purple["weekly"] >= 10
    # The rate of Home Care - Standard changes on the Wednesday of the current week.
    assert standard[-1]["effective_from"].weekday() == 2
    assert fostering == 2
