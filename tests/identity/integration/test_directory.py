"""The directory through the council API: authority settings, contracts, services; each change
published with full state; providers read within their scope only."""

from __future__ import annotations

import json
import uuid

from shared import db
from tests.support.identity import bearer, create_user


async def outbox_payloads(env, routing_key: str, aggregate_id) -> list[dict]:
    conn = await db.connect(env.dsn("identity"))
    try:
        rows = await conn.fetch(
            "SELECT convert_from(body, 'UTF8') AS body FROM identity.outbox WHERE routing_key = $1 ORDER BY id",
            routing_key,
        )
    finally:
        await conn.close()
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["aggregate_id"] == str(aggregate_id)]


async def put_contract(client, env, tenant, reference="C1", organisation="A", **changes):
    body = {
        "reference": reference,
        "organisation_id": str(tenant.organisations[organisation]),
        "name": f"Contract {reference}",
        "payment_basis": "actuals",
        "frequency": "four_weekly",
        "pays_frustrated": True,
        "vat_registered": False,
        **changes,
    }
    return await client.put(
        "/council/v1/identity/contracts", json=body, headers=bearer(env.council_token(tenant.authority_id))
    )


async def put_service(client, env, tenant, contract_id, reference="S1", **changes):
    body = {"reference": reference, "contract_id": contract_id, "name": f"Service {reference}", **changes}
    return await client.put(
        "/council/v1/identity/services", json=body, headers=bearer(env.council_token(tenant.authority_id))
    )


async def test_contracts_and_services_are_published_with_full_state(identity_api, env, tenant):
    created = await put_contract(identity_api, env, tenant)
    assert created.status_code == 200, created.text
    contract = created.json()
    assert (contract["payment_basis"], contract["frequency"], contract["revision"]) == (
        "actuals",
        "four_weekly",
        1,
    )
    changed = await put_contract(identity_api, env, tenant, payment_basis="planned", pays_extras=False)
    assert changed.json()["contract_id"] == contract["contract_id"] and changed.json()["revision"] == 2
    events = await outbox_payloads(env, "identity.contract.upserted.v1", contract["contract_id"])
    assert [(e["revision"], e["payment_basis"], e["pays_extras"]) for e in events] == [
        (1, "actuals", True),
        (2, "planned", False),
    ]
    assert events[-1]["organisation_id"] == str(tenant.organisations["A"])

    service = await put_service(identity_api, env, tenant, contract["contract_id"])
    assert service.status_code == 200, service.text
    published = await outbox_payloads(
        env, "identity.provider_service.upserted.v1", service.json()["service_id"]
    )
    assert published[0]["contract_id"] == contract["contract_id"]
    assert published[0]["organisation_id"] == str(tenant.organisations["A"])


async def test_contract_and_service_errors_name_the_fields(identity_api, env, tenant):
    bad = await put_contract(
        identity_api,
        env,
        tenant,
        payment_basis="whenever",
        frequency="monthly",
        start_date="2026-05-01",
        end_date="2026-04-01",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"payment_basis", "frequency"}
    dates = await put_contract(identity_api, env, tenant, start_date="2026-05-01", end_date="2026-04-01")
    assert dates.status_code == 422 and "end_date is before start_date" in dates.text
    unknown_org = await put_contract(identity_api, env, tenant, organisation_id=str(uuid.uuid4()))
    assert unknown_org.status_code == 404
    await put_contract(identity_api, env, tenant, reference="MOVE")
    moved = await put_contract(identity_api, env, tenant, reference="MOVE", organisation="B")
    assert moved.status_code == 409 and "another organisation" in moved.json()["detail"]
    no_contract = await put_service(identity_api, env, tenant, str(uuid.uuid4()))
    assert no_contract.status_code == 404 and "contract" in no_contract.json()["detail"]


async def test_providers_cannot_maintain_the_directory(identity_api, env, tenant):
    provider = bearer(env.token(authority_id=tenant.authority_id, organisation_id=tenant.organisations["A"]))
    refused = await identity_api.put(
        "/council/v1/identity/contracts",
        json={
            "reference": "X",
            "organisation_id": str(tenant.organisations["A"]),
            "name": "X",
            "payment_basis": "actuals",
            "frequency": "weekly",
        },
        headers=provider,
    )
    assert refused.status_code == 403
    read_only = bearer(env.council_token(tenant.authority_id, can_edit=False))
    assert (
        await identity_api.patch("/council/v1/identity/authority", json={"name": "X"}, headers=read_only)
    ).status_code == 403


async def test_scopes_limit_what_providers_see(identity_api, journey, env, tenant):
    c1 = (await put_contract(identity_api, env, tenant, reference="SC1")).json()["contract_id"]
    c2 = (await put_contract(identity_api, env, tenant, reference="SC2")).json()["contract_id"]
    s1 = (await put_service(identity_api, env, tenant, c1, reference="SS1")).json()["service_id"]
    await put_service(identity_api, env, tenant, c1, reference="SS2")
    await put_service(identity_api, env, tenant, c2, reference="SS3")
    await put_contract(identity_api, env, tenant, reference="SCB", organisation="B")
    council = bearer(env.council_token(tenant.authority_id))

    async def visible(scope_type, scope_id):
        user, temporary = await create_user(identity_api, env, tenant, role="care")
        grant = {"role": "care", "can_edit": False, "scope_type": scope_type, "scope_id": scope_id}
        put = await identity_api.put(
            f"/council/v1/identity/users/{user['user_id']}/memberships/{tenant.organisations['A']}",
            json=grant,
            headers=council,
        )
        assert put.status_code == 200, put.text
        session_id = await journey.first_login(tenant, user["email"], temporary)
        token = bearer((await journey.token(session_id)).json()["token"])
        contracts = (await identity_api.get("/api/v1/identity/contracts", headers=token)).json()
        services = (await identity_api.get("/api/v1/identity/services", headers=token)).json()
        return {c["reference"] for c in contracts}, {s["reference"] for s in services}

    assert await visible("organisation", str(tenant.organisations["A"])) == (
        {"SC1", "SC2"},
        {"SS1", "SS2", "SS3"},
    )
    assert await visible("contract", c1) == ({"SC1"}, {"SS1", "SS2"})
    assert await visible("service", s1) == ({"SC1"}, {"SS1"})


async def test_a_scope_outside_the_organisation_is_refused(identity_api, env, tenant):
    other_contract = (await put_contract(identity_api, env, tenant, reference="OUT", organisation="B")).json()
    user, _ = await create_user(identity_api, env, tenant)
    refused = await identity_api.put(
        f"/council/v1/identity/users/{user['user_id']}/memberships/{tenant.organisations['A']}",
        json={
            "role": "full",
            "can_edit": True,
            "scope_type": "contract",
            "scope_id": other_contract["contract_id"],
        },
        headers=bearer(env.council_token(tenant.authority_id)),
    )
    assert refused.status_code == 404 and refused.json()["errors"][0]["field"] == "scope_id"


async def test_authority_branding_and_policy(identity_api, env, tenant):
    council = bearer(env.council_token(tenant.authority_id))
    changed = await identity_api.patch(
        "/council/v1/identity/authority",
        json={"primary_colour": "#00664f", "support_email": "ECM@telford.gov.uk", "password_min_length": 14},
        headers=council,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["password_min_length"] == 14 and changed.json()["revision"] == 2
    events = await outbox_payloads(env, "identity.authority.upserted.v1", tenant.authority_id)
    assert events[-1]["primary_colour"] == "#00664f" and events[-1]["policy"]["password_min_length"] == 14

    for body, field in (
        ({"primary_colour": "green"}, "primary_colour"),
        ({"password_min_length": 4}, "password_min_length"),
    ):
        bad = await identity_api.patch("/council/v1/identity/authority", json=body, headers=council)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field
    inconsistent = await identity_api.patch(
        "/council/v1/identity/authority", json={"session_idle_minutes": 700}, headers=council
    )
    assert inconsistent.status_code == 422 and "idle timeout" in inconsistent.json()["detail"]
    nothing = await identity_api.patch("/council/v1/identity/authority", json={}, headers=council)
    assert nothing.status_code == 400
