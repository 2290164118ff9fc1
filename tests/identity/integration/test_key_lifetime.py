"""API keys live no longer than their creator's access (issue 9 item 6): they expire, they stop when
the creator is unlinked, locked, disabled, demoted or narrowed, and the council can list and revoke an
organisation's keys. Every check goes through the gateway's real exchange path."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared import db
from tests.support.identity import bearer, create_user


async def _creator(identity_api, journey, env, tenant, role="admin"):
    user, temporary = await create_user(identity_api, env, tenant, role=role)
    session_id = await journey.first_login(tenant, user["email"], temporary)
    return user, bearer((await journey.token(session_id)).json()["token"])


async def _key(identity_api, token, **body):
    made = await identity_api.post(
        "/api/v1/identity/api-keys",
        json={"name": "Care system", "role": "admin", "can_edit": True, **body},
        headers=token,
    )
    assert made.status_code == 201, made.text
    return made.json()


async def _exchange(journey, key):
    return await journey.post("/api-keys/token", {"api_key": key["api_key"]})


async def test_a_key_expires_after_a_year_by_default_and_never_later_than_the_policy(
    identity_api, journey, env, tenant
):
    _, token = await _creator(identity_api, journey, env, tenant)
    key = await _key(identity_api, token)
    days = (datetime.fromisoformat(key["expires_at"]) - datetime.fromisoformat(key["created_at"])).days
    assert days == 365
    too_long = await identity_api.post(
        "/api/v1/identity/api-keys",
        json={"name": "x", "role": "admin", "can_edit": True, "expires_in_days": 366},
        headers=token,
    )
    assert too_long.status_code == 422, too_long.text
    assert [e["field"] for e in too_long.json()["errors"]] == ["expires_in_days"]

    council = bearer(env.council_token(tenant.authority_id))
    policy = await identity_api.patch(
        "/council/v1/identity/authority", json={"api_key_max_days": 30}, headers=council
    )
    assert policy.status_code == 200 and policy.json()["api_key_max_days"] == 30
    capped = await _key(identity_api, token)
    assert capped["expires_at"] < key["expires_at"]

    # An expired key is refused at the exchange.
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(
            "UPDATE identity.api_key SET expires_at = now() - interval '1 second' WHERE key_id = $1",
            uuid.UUID(key["key_id"]),
        )
    finally:
        await conn.close()
    refused = await _exchange(journey, key)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    assert (await _exchange(journey, capped)).status_code == 200


async def test_a_key_stops_when_its_creator_loses_access(identity_api, journey, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    organisation = tenant.organisations["A"]
    user, token = await _creator(identity_api, journey, env, tenant, role="full")
    key = await _key(identity_api, token, role="care")
    assert (await _exchange(journey, key)).status_code == 200

    membership = f"/council/v1/identity/users/{user['user_id']}/memberships/{organisation}"
    demoted = await identity_api.put(membership, json={"role": "finance", "can_edit": True}, headers=council)
    assert demoted.status_code == 200, demoted.text
    refused = await _exchange(journey, key)
    assert refused.status_code == 401 and "creator" in refused.json()["detail"]

    await identity_api.put(membership, json={"role": "full", "can_edit": False}, headers=council)
    assert (await _exchange(journey, key)).status_code == 401  # read-only: no admin edit any more

    await identity_api.put(membership, json={"role": "admin", "can_edit": True}, headers=council)
    assert (await _exchange(journey, key)).status_code == 401  # an Admin cannot hand on Care

    await identity_api.put(membership, json={"role": "full", "can_edit": True}, headers=council)
    assert (await _exchange(journey, key)).status_code == 200  # access back: the key works again

    unlinked = await identity_api.delete(membership, headers=council)
    assert unlinked.status_code == 204
    assert (await _exchange(journey, key)).status_code == 401


async def test_a_key_stops_when_its_creator_is_locked_or_disabled(identity_api, journey, env, tenant):
    user, token = await _creator(identity_api, journey, env, tenant)
    key = await _key(identity_api, token)
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(
            "UPDATE identity.app_user SET locked_at = now(), lock_reason = 'council' WHERE user_id = $1",
            uuid.UUID(user["user_id"]),
        )
        assert (await _exchange(journey, key)).status_code == 401
        await conn.execute(
            "UPDATE identity.app_user SET locked_at = NULL, lock_reason = NULL, active = false"
            " WHERE user_id = $1",
            uuid.UUID(user["user_id"]),
        )
        assert (await _exchange(journey, key)).status_code == 401
    finally:
        await conn.close()


async def test_a_key_stops_when_its_creators_scope_no_longer_covers_it(identity_api, journey, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    organisation = tenant.organisations["A"]
    contract = await identity_api.put(
        "/council/v1/identity/contracts",
        json={
            "reference": f"C-{uuid.uuid4().hex[:8]}",
            "organisation_id": str(organisation),
            "name": "Home care",
            "payment_basis": "actuals",
            "frequency": "weekly",
        },
        headers=council,
    )
    assert contract.status_code in (200, 201), contract.text
    contract_id = contract.json()["contract_id"]
    user, token = await _creator(identity_api, journey, env, tenant)
    key = await _key(identity_api, token)  # the whole organisation
    membership = f"/council/v1/identity/users/{user['user_id']}/memberships/{organisation}"
    narrowed = await identity_api.put(
        membership,
        json={"role": "admin", "can_edit": True, "scope_type": "contract", "scope_id": contract_id},
        headers=council,
    )
    assert narrowed.status_code == 200, narrowed.text
    assert (await _exchange(journey, key)).status_code == 401


async def test_the_council_lists_and_revokes_an_organisations_keys(identity_api, journey, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    _, token = await _creator(identity_api, journey, env, tenant)
    key = await _key(identity_api, token)
    path = f"/council/v1/identity/organisations/{tenant.organisations['A']}/api-keys"
    listed = await identity_api.get(path, headers=council)
    assert listed.status_code == 200, listed.text
    assert [k["key_id"] for k in listed.json()] == [key["key_id"]]
    assert key["api_key"] not in listed.text and listed.json()[0]["expires_at"]
    assert (
        await identity_api.get(
            f"/council/v1/identity/organisations/{tenant.organisations['B']}/api-keys", headers=council
        )
    ).json() == []

    revoked = await identity_api.delete(f"{path}/{key['key_id']}", headers=council)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await _exchange(journey, key)).status_code == 401

    other = bearer(env.council_token(uuid.uuid4()))
    assert (await identity_api.get(path, headers=other)).status_code == 404
    elsewhere = f"/council/v1/identity/organisations/{tenant.organisations['B']}/api-keys/{key['key_id']}"
    assert (await identity_api.delete(elsewhere, headers=council)).status_code == 404
    provider = await identity_api.get(path, headers=token)
    assert provider.status_code == 403
