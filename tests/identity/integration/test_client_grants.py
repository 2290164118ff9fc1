"""Council machine clients manage other clients or council users only when granted (issue 9, 8c)."""

from __future__ import annotations

from actuals.main import DEFINITION as ACTUALS
from shared.service import create_api, run_migrations
from tests.support.identity import bearer, create_user
from tests.support.inprocess import serve


async def _client(identity_api, env, tenant, *grants: str) -> dict[str, str]:
    """A client made by council staff with these grants, and a token for it."""
    made = await identity_api.post(
        "/council/v1/identity/clients",
        json={"name": "Ledger", "grants": list(grants)},
        headers=bearer(env.council_user_token(tenant.authority_id)),
    )
    assert made.status_code == 201, made.text
    assert made.json()["grants"] == sorted(grants)
    form = {
        "grant_type": "client_credentials",
        "client_id": made.json()["client_id"],
        "client_secret": made.json()["client_secret"],
    }
    issued = await identity_api.post("/council/v1/identity/token", data=form)
    return bearer(issued.json()["access_token"])


COUNCIL_USER = {
    "email": "",
    "forename": "Cai",
    "surname": "Jones",
    "is_council": True,
    "council_can_edit": True,
}


def _council_user(n: str) -> dict:
    return {**COUNCIL_USER, "email": f"staff-{n}@council.example"}


async def test_a_client_without_grants_cannot_make_clients_or_council_users(identity_api, env, tenant):
    plain = await _client(identity_api, env, tenant)
    clients = await identity_api.post("/council/v1/identity/clients", json={"name": "Child"}, headers=plain)
    assert clients.status_code == 403 and "clients:manage" in clients.json()["detail"]
    staff = await identity_api.post("/council/v1/identity/users", json=_council_user("a"), headers=plain)
    assert staff.status_code == 403 and "users:manage" in staff.json()["detail"]
    # Reference data stays its job: provider users are still made by council systems.
    provider = await identity_api.post(
        "/council/v1/identity/users",
        json={
            "email": "care@provider.example",
            "forename": "Dawn",
            "surname": "Stockton",
            "grant": {"organisation_id": str(tenant.organisations["A"]), "role": "care", "can_edit": True},
        },
        headers=plain,
    )
    assert provider.status_code == 201, provider.text
    # No way into a council login through a reset either.
    person, _ = await create_user(identity_api, env, tenant, council=True)
    for action in ("password-reset", "unlock"):
        refused = await identity_api.post(
            f"/council/v1/identity/users/{person['user_id']}/{action}", json={}, headers=plain
        )
        assert refused.status_code == 403, (action, refused.text)


async def test_granted_clients_manage_within_their_grants(identity_api, env, tenant):
    manager = await _client(identity_api, env, tenant, "clients:manage")
    child = await identity_api.post("/council/v1/identity/clients", json={"name": "Child"}, headers=manager)
    assert child.status_code == 201, child.text
    escalate = await identity_api.post(
        "/council/v1/identity/clients", json={"name": "Child", "grants": ["users:manage"]}, headers=manager
    )
    assert escalate.status_code == 403
    revoked = await identity_api.delete(
        f"/council/v1/identity/clients/{child.json()['client_id']}", headers=manager
    )
    assert revoked.status_code == 200

    staffing = await _client(identity_api, env, tenant, "users:manage")
    made = await identity_api.post("/council/v1/identity/users", json=_council_user("b"), headers=staffing)
    assert made.status_code == 201, made.text
    reset = await identity_api.post(
        f"/council/v1/identity/users/{made.json()['user']['user_id']}/password-reset",
        json={},
        headers=staffing,
    )
    assert reset.status_code == 200, reset.text
    bad = await identity_api.post(
        "/council/v1/identity/clients",
        json={"name": "x", "grants": ["everything"]},
        headers=bearer(env.council_user_token(tenant.authority_id)),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("grants")


async def test_a_forged_or_unknown_client_has_no_grants(identity_api, env, tenant):
    unknown = bearer(env.council_token(tenant.authority_id))  # signed, but no such client
    made = await identity_api.post("/council/v1/identity/clients", json={"name": "x"}, headers=unknown)
    assert made.status_code == 403


async def test_the_operations_grant_puts_operator_in_the_token_for_a_service_operations_api(
    identity_api, env, tenant
):
    """Through identity's real token endpoint to actuals' real dead-letters route (issue 9, 8g (b))."""
    settings = env.settings(ACTUALS)
    await run_migrations(ACTUALS, settings)  # declares actuals' queues, its dead-letter queue among them
    operator = await _client(identity_api, env, tenant, "operations")
    plain = await _client(identity_api, env, tenant, "users:manage")
    async with serve(create_api(ACTUALS, settings)) as actuals:
        listed = await actuals.get("/council/v1/actuals/operations/dead-letters", headers=operator)
        assert listed.status_code == 200, listed.text
        assert listed.json() == []
        refused = await actuals.get("/council/v1/actuals/operations/dead-letters", headers=plain)
        assert refused.status_code == 403
        assert "operator" in refused.json()["detail"]


async def test_a_client_cannot_hand_on_the_operations_grant_it_lacks(identity_api, env, tenant):
    maker = await _client(identity_api, env, tenant, "clients:manage")
    refused = await identity_api.post(
        "/council/v1/identity/clients", json={"name": "Ops", "grants": ["operations"]}, headers=maker
    )
    assert refused.status_code == 403
    assert "operations" in refused.json()["detail"]
