"""The demo data of `make run`: seeding twice changes nothing, and the logins it announces work."""

from __future__ import annotations

from devtools import demo_councils, seed
from identity.main import DEFINITION as IDENTITY
from shared import db
from shared.service import create_api
from tests.support.identity import Journey, Tenant
from tests.support.inprocess import serve


async def counts(env) -> dict[str, int]:
    conn = await db.connect(env.dsn("identity"))
    try:
        found = {
            table: await conn.fetchval(f"SELECT count(*) FROM identity.{table}")
            for table in ("app_user", "contract", "provider_service", "council_client", "membership")
        }
        # An unchanged council (its policy, its branding) is not published again.
        found["authority_events"] = await conn.fetchval(
            "SELECT count(*) FROM identity.outbox WHERE routing_key = 'identity.authority.upserted.v1'"
        )
        # Other tests of the run (identity's) add council clients of their own to the same database.
        found["demo_client"] = await conn.fetchval(
            "SELECT count(*) FROM identity.council_client WHERE client_id LIKE 'cc\\_demo\\_%'"
        )
        return found
    finally:
        await conn.close()


async def test_seeding_is_idempotent_and_the_demo_logins_work(env):
    settings = env.settings(IDENTITY, login_limit_per_address=10000)
    await seed.seed_demo({"identity": settings})
    first = await counts(env)
    await seed.seed_demo({"identity": settings})
    assert await counts(env) == first
    assert first["contract"] >= 7 and first["demo_client"] == 4
    conn = await db.connect(env.dsn("identity"))
    try:
        purple = await conn.fetchrow(
            "SELECT postcode, phone FROM identity.organisation WHERE reference = 'P100201'"
        )
        priya = await conn.fetchval(
            "SELECT phone FROM identity.app_user WHERE email = 'full@purplecare.example'"
        )
    finally:
        await conn.close()
    assert (purple["postcode"], purple["phone"], priya) == ("TF1 7YD", "01632 960201", "01632 960211")

    telford = Tenant(authority_id=seed.AUTHORITIES[0].authority_id, slug="telford-wrekin")
    durham = Tenant(authority_id=seed.AUTHORITIES[1].authority_id, slug="durham-childrens")
    async with serve(create_api(IDENTITY, settings)) as client:
        journey = Journey(client, env)
        by_email = {u.email: u for c in demo_councils.COUNCILS for u in c.users}
        full = by_email["full@purplecare.example"]
        session_id = await journey.login(
            telford, full.email, password=full.password, code=demo_councils.SECURITY_CODE
        )
        token = (await journey.token(session_id)).json()
        assert (token["role"], token["can_edit"]) == ("full", True)

        starter = by_email["new.starter@wrekinview.example"]
        started = (await journey.start(telford, starter.email, starter.password)).json()
        assert started["step"] == "change_password" and started["reason"] == "temporary"

        dawn = by_email["carer@sausagesandwich.example"]
        assert await journey.login(
            durham, dawn.email, password=dawn.password, code=demo_councils.SECURITY_CODE
        )
        rules = (await journey.start(durham, dawn.email, dawn.password)).json()
        assert rules["step"] == "security_code_challenge"

        admin = by_email["portal.admin@telford-wrekin.example"]
        admin_session = await journey.login(
            telford, admin.email, password=admin.password, code=demo_councils.SECURITY_CODE
        )
        assert (await journey.token(admin_session)).json()["role"] == "council"

        council = demo_councils.COUNCILS[0]
        issued = await client.post(
            "/council/v1/identity/token",
            data={
                "grant_type": "client_credentials",
                "client_id": council.client_id,
                "client_secret": council.client_secret,
            },
        )
        assert issued.status_code == 200, issued.text
        authority = await client.get(
            "/council/v1/identity/authority",
            headers={"authorization": f"Bearer {issued.json()['access_token']}"},
        )
        assert authority.json()["support_email"] == "ECM@telford.gov.uk"
        assert authority.json()["primary_colour"] == "#00594f"
        branding = await client.get(
            "/council/v1/identity/authority/branding",
            headers={"authorization": f"Bearer {issued.json()['access_token']}"},
        )
        assert branding.json()["support_team"] == "Provider Portal team"
        assert branding.json()["help_text"].startswith("Telford & Wrekin Council uses the Provider Portal")
        worcester = await client.get(
            "/internal/v1/identity/authorities/worcestershire-childrens/branding",
            headers={"x-gateway-secret": env.gateway_secret},
        )
        assert worcester.json()["name"] == "Worcestershire Children First"
        assert worcester.json()["support_team"] == "Worcestershire Children First System Support Team"

    # Seeding again brings a changed demo login back to what the announcement prints.
    await seed.seed_demo({"identity": settings})
    async with serve(create_api(IDENTITY, settings)) as client:
        started = (await Journey(client, env).start(telford, starter.email, starter.password)).json()
        assert started["step"] == "change_password"
