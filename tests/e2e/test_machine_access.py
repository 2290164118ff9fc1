"""Machines through the gateway: council systems with client credentials on /council/v1, providers'
systems with an organisation API key on /api/v1."""

from __future__ import annotations

import httpx

from tests.support.identity import bearer, make_tenant
from tests.support.inprocess import eventually

PASSWORD = "machines need people first 1"
CODE = "580274"


async def test_client_credentials_through_the_gateway(stack):
    tenant = await make_tenant(stack.env)
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        made = await client.post(
            "/council/v1/identity/clients",
            json={"name": "Finance ledger"},
            headers=bearer(stack.env.council_user_token(tenant.authority_id)),
        )
        assert made.status_code == 201, made.text
        issued = await client.post(
            "/council/v1/identity/token",
            data={
                "grant_type": "client_credentials",
                "client_id": made.json()["client_id"],
                "client_secret": made.json()["client_secret"],
            },
        )
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        org = await client.put(
            "/council/v1/identity/organisations",
            json={"reference": "M1", "name": "Machine Made Ltd"},
            headers=bearer(token),
        )
        assert org.status_code == 200, org.text
        refused = await client.put(
            "/council/v1/identity/organisations",
            json={"reference": "M2", "name": "No"},
            headers=bearer("forged"),
        )
        assert refused.status_code == 401


async def test_an_api_key_through_the_gateway_until_revoked(stack):
    tenant = await make_tenant(stack.env)
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as browser:
        created = await browser.post(
            "/council/v1/identity/users",
            json={
                "email": "admin@provider.example",
                "forename": "Ada",
                "surname": "Admin",
                "grant": {
                    "organisation_id": str(tenant.organisations["A"]),
                    "role": "admin",
                    "can_edit": True,
                },
            },
            headers=bearer(stack.env.council_token(tenant.authority_id)),
        )
        temporary = created.json()["temporary_password"]
        jid = (
            await browser.post(
                "/api/v1/auth/login",
                json={"authority": tenant.slug, "email": "admin@provider.example", "password": temporary},
            )
        ).json()["journey_id"]
        await browser.post(
            "/api/v1/auth/login/password",
            json={"journey_id": jid, "new_password": PASSWORD, "confirm_password": PASSWORD},
        )
        done = await browser.post(
            "/api/v1/auth/login/security-code",
            json={"journey_id": jid, "new_code": CODE, "confirm_code": CODE},
        )
        assert done.json()["step"] == "done"
        key = await browser.post(
            "/api/v1/identity/api-keys", json={"name": "Care system", "role": "admin", "can_edit": False}
        )
        assert key.status_code == 201, key.text
        api_key = key.json()["api_key"]

        async with httpx.AsyncClient(base_url=stack.url, timeout=15) as system:
            me = await system.get("/api/v1/identity/me", headers={"x-api-key": api_key})
            assert me.status_code == 200, me.text
            assert (me.json()["kind"], me.json()["role"], me.json()["can_edit"]) == (
                "api_key",
                "admin",
                False,
            )
            wrong = await system.get("/api/v1/identity/me", headers={"x-api-key": "ppk_not-a-real-key"})
            assert wrong.status_code == 401

            revoked = await browser.delete(f"/api/v1/identity/api-keys/{key.json()['key_id']}")
            assert revoked.status_code == 200

            async def refused() -> bool:
                answer = await system.get("/api/v1/identity/me", headers={"x-api-key": api_key})
                return answer.status_code == 401

            # The gateway reuses an exchanged token for at most GATEWAY_TOKEN_CACHE_SECONDS (10 s).
            await eventually(refused, timeout=15, interval=1.0)
