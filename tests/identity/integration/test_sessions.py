"""Sessions: the token exchange, logout, idle and absolute timeouts, organisation switch."""

from __future__ import annotations

import uuid

from shared import db
from tests.support.identity import bearer, create_user


async def run_sql(env, sql: str, *args) -> None:
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(sql, *args)
    finally:
        await conn.close()


async def test_logout_ends_the_session_at_once(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant)
    session_id = await journey.first_login(tenant, user["email"], temporary)
    assert (await journey.token(session_id)).status_code == 200
    out = await journey.post("/sessions/logout", {"session_id": session_id})
    assert out.status_code == 204
    refused = await journey.token(session_id)
    assert refused.status_code == 401 and refused.json()["type"].endswith("session-ended")
    assert (await journey.post("/sessions/logout", {"session_id": session_id})).status_code == 204


async def test_each_login_gets_a_new_session_id(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant)
    first = await journey.first_login(tenant, user["email"], temporary)
    second = await journey.login(tenant, user["email"])
    assert first != second
    assert (await journey.token(first)).status_code == 200  # another browser's session is not touched


async def test_idle_and_absolute_timeouts(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant)
    idle = await journey.first_login(tenant, user["email"], temporary)
    absolute = await journey.login(tenant, user["email"])
    await run_sql(
        env,
        "UPDATE identity.session SET expires_at = now() - interval '1 second'"
        " WHERE user_id = $1 AND created_at = (SELECT min(created_at) FROM identity.session WHERE user_id = $1)",
        user["user_id"],
    )
    assert (await journey.token(idle)).status_code == 401
    assert (await journey.token(absolute)).status_code == 200
    await run_sql(
        env,
        "UPDATE identity.session SET absolute_expires_at = now() - interval '1 second' WHERE user_id = $1",
        user["user_id"],
    )
    assert (await journey.token(absolute)).status_code == 401


async def test_unknown_session_ids_are_refused(journey):
    for session_id in ("ps_" + "x" * 40, "not-a-session-at-all"):
        response = await journey.token(session_id)
        assert response.status_code == 401


async def test_switching_to_a_linked_organisation_only(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant)
    await run_sql(
        env,
        "INSERT INTO identity.membership (user_id, organisation_id, role, can_edit, scope_type, scope_id)"
        " VALUES ($1, $2, 'care', false, 'organisation', $2)",
        user["user_id"],
        tenant.organisations["B"],
    )
    session_id = await journey.first_login(tenant, user["email"], temporary)
    first = (await journey.token(session_id)).json()
    assert first["organisation_id"] == str(tenant.organisations["A"]) and first["role"] == "full"

    switched = await journey.post(
        "/sessions/organisation",
        {"session_id": session_id, "organisation_id": str(tenant.organisations["B"])},
    )
    assert switched.status_code == 200, switched.text
    assert (switched.json()["organisation_id"], switched.json()["role"]) == (
        str(tenant.organisations["B"]),
        "care",
    )
    assert (await journey.token(session_id)).json()["organisation_id"] == str(tenant.organisations["B"])

    me = await identity_api.get("/api/v1/identity/me", headers=bearer(switched.json()["token"]))
    assert {m["organisation_id"] for m in me.json()["organisations"]} == {
        str(tenant.organisations["A"]),
        str(tenant.organisations["B"]),
    }
    refused = await journey.post(
        "/sessions/organisation", {"session_id": session_id, "organisation_id": str(uuid.uuid4())}
    )
    assert refused.status_code == 404


async def test_a_council_user_sees_the_whole_authority(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant, council=True)
    session_id = await journey.first_login(tenant, user["email"], temporary)
    token = (await journey.token(session_id)).json()
    assert token["role"] == "council" and token["organisation_id"] is None
    orgs = await identity_api.get("/api/v1/identity/organisations", headers=bearer(token["token"]))
    assert len(orgs.json()) == 2


async def test_the_gateway_reads_every_authoritys_branding(journey, identity_api, env, tenant):
    response = await identity_api.get("/internal/v1/identity/authorities", headers=journey.headers)
    mine = next(a for a in response.json() if a["slug"] == tenant.slug)
    assert mine["support_email"] == "support@council.example" and mine["primary_colour"].startswith("#")
    assert any("12 characters" in rule for rule in mine["password_rules"])
    assert (await identity_api.get("/internal/v1/identity/authorities")).status_code == 403
