"""The demo one-off claims of `make run`: Durham's claimable levels and Sausage Sandwich's three claims
(accepted £58.05, rejected, a draft), made through the claims handlers on actuals' clients; seeding
twice makes nothing twice. Telford & Wrekin offers no claims (no level, so no card)."""

from __future__ import annotations

from decimal import Decimal

from actuals.main import DEFINITION as ACTUALS
from claims.main import DEFINITION as CLAIMS
from devtools import demo_claims, seed
from identity.main import DEFINITION as IDENTITY
from shared import db


async def claims_of(env, authority) -> list[dict]:
    """Sausage Sandwich's claims (other tests of the run make claims in Durham too)."""
    identity = await db.connect(env.dsn("identity"))
    try:
        carer = await identity.fetchval(
            "SELECT organisation_id FROM identity.organisation WHERE authority_id = $1 AND reference = $2",
            authority,
            demo_claims.FOSTER_CARER,
        )
    finally:
        await identity.close()
    conn = await db.connect(env.dsn("claims"))
    try:
        rows = await conn.fetch(
            "SELECT c.status, c.total, c.accepted_total, c.reason IS NOT NULL AS has_reason,"
            "       count(i.item_id) AS items, count(i.attachment_id) AS files,"
            "       count(*) FILTER (WHERE i.included) AS included"
            "  FROM claims.claim c JOIN claims.claim_item i USING (claim_id)"
            " WHERE c.authority_id = $1 AND c.organisation_id = $2 GROUP BY c.claim_id ORDER BY c.claim_date",
            authority,
            carer,
        )
        return [dict(r) for r in rows]
    finally:
        await conn.close()


async def test_the_demo_claims_seed_once_on_actuals_clients(env):
    settings = {
        "identity": env.settings(IDENTITY, login_limit_per_address=10000),
        "actuals": env.settings(ACTUALS),
        "claims": env.settings(CLAIMS),
    }
    await seed.seed_demo(settings)
    telford, durham = (a.authority_id for a in seed.AUTHORITIES[:2])
    first = await claims_of(env, durham)
    await seed.seed_demo(settings)
    assert await claims_of(env, durham) == first
    assert first == [
        {
            "status": "accepted",
            "total": Decimal("58.05"),
            "accepted_total": Decimal("58.05"),
            "has_reason": False,
            "items": 1,
            "files": 1,
            "included": 1,
        },
        {
            "status": "rejected",
            "total": Decimal("96.49"),
            "accepted_total": Decimal("0.00"),
            "has_reason": True,
            "items": 2,
            "files": 2,
            "included": 0,
        },
        {
            "status": "unsubmitted",
            "total": Decimal("41.21"),
            "accepted_total": None,
            "has_reason": False,
            "items": 2,
            "files": 2,
            "included": 0,
        },
    ]
    conn = await db.connect(env.dsn("claims"))
    try:
        # The demo's levels (other tests add levels of their own to Durham, never to Telford & Wrekin,
        # whose providers must see no One-Off Claims card).
        offered = {
            authority: await conn.fetchval(
                "SELECT count(*) FROM claims.claimable_level WHERE authority_id = $1"
                " AND (reference LIKE 'DCC-OOC-%' OR authority_id <> $2)",
                authority,
                durham,
            )
            for authority in (telford, durham)
        }
        placed = await conn.fetchval(
            "SELECT count(*) FROM claims.placement p JOIN claims.client c USING (client_id)"
            " WHERE p.authority_id = $1 AND c.name IN ('Tyler Bramwell', 'Kayla Bramwell')",
            durham,
        )
    finally:
        await conn.close()
    assert offered == {telford: 0, durham: 4}
    assert placed == 2
