"""Every identity endpoint, called with another provider's or another authority's ids, answers 403 or
404 and never returns their data (the harness: tests/support/tenants.py)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.identity import Journey, bearer
from tests.support.tenants import PASSWORD, Provider, World


@pytest.fixture(scope="module")
async def tenants(world: World, identity_api, env) -> World:
    """Give each provider a pending contact request, a pending change to a contact, an API key, a live
    session; each authority a client."""
    journey = Journey(identity_api, env)
    for p in world.providers:
        token = bearer(world.token(env, p))
        request = await identity_api.post(
            "/api/v1/identity/contact-requests",
            json={
                "forename": "New",
                "surname": p.label,
                "address": "1 High St",
                "phone": "01234 567890",
                "email": f"new-{uuid.uuid4().hex[:6]}@provider.example",
                "role": "care",
                "can_edit": False,
            },
            headers=token,
        )
        key = await identity_api.post(
            "/api/v1/identity/api-keys",
            json={"name": f"key {p.label}", "role": "care", "can_edit": False},
            headers=token,
        )
        change = await identity_api.post(
            "/api/v1/identity/organisation-change-requests",
            json={
                "name": p.organisation_name,
                "address": f"{p.label} Works\nTelford",
                "postcode": "TF1 1AA",
                "phone": "01952 000000",
                "email": f"office-{p.label.lower()}@provider.example",
            },
            headers=token,
        )
        assert request.status_code == 201 and key.status_code == 201, (request.text, key.text)
        assert change.status_code == 201, change.text
        contact_change = await identity_api.post(
            "/api/v1/identity/contact-change-requests",
            json={"change": "access", "user_id": str(p.user_id), "role": "care", "can_edit": False},
            headers=token,
        )
        assert contact_change.status_code == 201, contact_change.text
        p.extra.update(
            contact_change_id=contact_change.json()["request_id"],
            request_id=request.json()["request_id"],
            key_id=key.json()["key_id"],
            change_id=change.json()["request_id"],
            address=f"{p.label} Works",
        )
        p.extra["session"] = await journey.login(_tenant(p), p.email, password=PASSWORD)
    for a in world.authorities:
        client = await identity_api.post(
            "/council/v1/identity/clients",
            json={"name": "ledger"},
            headers=bearer(env.council_user_token(a.authority_id)),
        )
        a.providers[0].extra["client_id"] = client.json()["client_id"]
    return world


def _tenant(p: Provider):
    from tests.support.identity import Tenant

    return Tenant(authority_id=p.authority_id, slug=p.slug)


def _leaks(text: str, other: Provider, sent: str = "") -> set[str]:
    """What of `other` an answer holds, beyond the ids the caller sent itself (echoed in `instance`)."""
    values = other.markers() - {str(other.extra.get("session"))}
    return {v for v in values if v in text and v not in sent}


async def test_provider_endpoints_refuse_other_tenants_ids(tenants: World, identity_api, env):
    failures = []
    for me, other, relation in tenants.pairs():
        token = bearer(tenants.token(env, me))
        calls = [
            ("GET", f"/api/v1/identity/services?contract_id={other.contract_id}", None),
            ("GET", f"/api/v1/identity/contact-requests/{other.extra['request_id']}", None),
            ("DELETE", f"/api/v1/identity/api-keys/{other.extra['key_id']}", None),
            (
                "POST",
                "/api/v1/identity/contact-requests",
                {
                    "forename": "X",
                    "surname": "Y",
                    "address": "Z",
                    "phone": "01234 567890",
                    "email": "x@y.example",
                    "role": "care",
                    "can_edit": False,
                    "scope_type": "contract",
                    "scope_id": str(other.contract_id),
                },
            ),
            (
                "POST",
                "/api/v1/identity/api-keys",
                {
                    "name": "x",
                    "role": "care",
                    "can_edit": False,
                    "scope_type": "service",
                    "scope_id": str(other.service_id),
                },
            ),
            (
                "POST",
                "/api/v1/identity/api-keys",
                {
                    "name": "x",
                    "role": "care",
                    "can_edit": False,
                    "scope_type": "organisation",
                    "scope_id": str(other.organisation_id),
                },
            ),
            ("GET", f"/council/v1/identity/users/{other.user_id}", None),
            ("POST", f"/council/v1/identity/contact-requests/{other.extra['request_id']}/approve", None),
            ("GET", f"/api/v1/identity/organisation-change-requests/{other.extra['change_id']}", None),
            (
                "POST",
                f"/council/v1/identity/organisation-change-requests/{other.extra['change_id']}/approve",
                None,
            ),
            ("GET", f"/api/v1/identity/contacts/{other.user_id}", None),
            ("GET", f"/api/v1/identity/contact-change-requests/{other.extra['contact_change_id']}", None),
            (
                "POST",
                "/api/v1/identity/contact-change-requests",
                {"change": "removal", "user_id": str(other.user_id)},
            ),
            (
                "POST",
                "/api/v1/identity/contact-change-requests",
                {
                    "change": "access",
                    "user_id": str(me.user_id),
                    "role": "care",
                    "can_edit": False,
                    "scope_type": "contract",
                    "scope_id": str(other.contract_id),
                },
            ),
            (
                "POST",
                f"/council/v1/identity/contact-change-requests/{other.extra['contact_change_id']}/approve",
                None,
            ),
            (
                "POST",
                f"/council/v1/identity/contact-change-requests/{other.extra['contact_change_id']}/reject",
                {"reason": "x"},
            ),
            (
                "POST",
                f"/council/v1/identity/organisation-change-requests/{other.extra['change_id']}/reject",
                {"reason": "x"},
            ),
        ]
        for method, path, body in calls:
            response = await identity_api.request(method, path, json=body, headers=token)
            if response.status_code not in {403, 404} or _leaks(response.text, other, f"{path} {body}"):
                failures.append((me.label, other.label, relation, method, path, response.status_code))
        switched = await identity_api.post(
            "/internal/v1/identity/sessions/organisation",
            json={"session_id": me.extra["session"], "organisation_id": str(other.organisation_id)},
            headers={"x-gateway-secret": env.gateway_secret},
        )
        if switched.status_code != 404:
            failures.append(
                (me.label, other.label, relation, "POST", "sessions/organisation", switched.status_code)
            )
    assert failures == []


LISTS = [
    "/api/v1/identity/me",
    "/api/v1/identity/organisations",
    "/api/v1/identity/contracts",
    "/api/v1/identity/services",
    "/api/v1/identity/contacts",
    "/api/v1/identity/contact-requests",
    "/api/v1/identity/contact-change-requests",
    "/api/v1/identity/api-keys",
    "/api/v1/identity/organisation",
    "/api/v1/identity/organisation-change-requests",
]


async def test_provider_lists_hold_only_their_own(tenants: World, identity_api, env):
    for me, other, _ in tenants.pairs():
        for path in LISTS:
            response = await identity_api.get(path, headers=bearer(tenants.token(env, me)))
            assert response.status_code == 200, (path, response.text)
            assert not _leaks(response.text, other), (me.label, other.label, path)


async def test_council_endpoints_refuse_another_authoritys_ids(tenants: World, identity_api, env):
    failures = []
    for mine, theirs in tenants.authority_pairs():
        token = bearer(tenants.council_token(env, mine))
        own_org, own_user = mine.providers[0].organisation_id, mine.providers[0].user_id
        for other in theirs.providers:
            calls = [
                ("GET", f"/council/v1/identity/users/{other.user_id}", None),
                ("GET", f"/council/v1/identity/users?organisation_id={other.organisation_id}", None),
                ("GET", f"/council/v1/identity/contracts?organisation_id={other.organisation_id}", None),
                ("GET", f"/council/v1/identity/audit?user_id={other.user_id}", None),
                ("POST", f"/council/v1/identity/users/{other.user_id}/unlock", None),
                ("POST", f"/council/v1/identity/users/{other.user_id}/password-reset", {}),
                (
                    "PUT",
                    f"/council/v1/identity/users/{other.user_id}/memberships/{own_org}",
                    {"role": "full", "can_edit": True},
                ),
                (
                    "PUT",
                    f"/council/v1/identity/users/{own_user}/memberships/{other.organisation_id}",
                    {"role": "main", "can_edit": True},
                ),
                (
                    "DELETE",
                    f"/council/v1/identity/users/{other.user_id}/memberships/{other.organisation_id}",
                    None,
                ),
                (
                    "PUT",
                    "/council/v1/identity/contracts",
                    {
                        "reference": f"X-{uuid.uuid4().hex[:6]}",
                        "organisation_id": str(other.organisation_id),
                        "name": "x",
                        "payment_basis": "actuals",
                        "frequency": "weekly",
                    },
                ),
                (
                    "PUT",
                    "/council/v1/identity/services",
                    {
                        "reference": f"X-{uuid.uuid4().hex[:6]}",
                        "contract_id": str(other.contract_id),
                        "name": "x",
                    },
                ),
                (
                    "POST",
                    "/council/v1/identity/users",
                    {
                        "email": f"x-{uuid.uuid4().hex[:6]}@y.example",
                        "forename": "x",
                        "surname": "y",
                        "grant": {
                            "organisation_id": str(other.organisation_id),
                            "role": "full",
                            "can_edit": True,
                        },
                    },
                ),
                ("GET", f"/council/v1/identity/contact-requests/{other.extra['request_id']}", None),
                ("POST", f"/council/v1/identity/contact-requests/{other.extra['request_id']}/approve", None),
                (
                    "POST",
                    f"/council/v1/identity/contact-requests/{other.extra['request_id']}/reject",
                    {"reason": "x"},
                ),
                (
                    "GET",
                    f"/council/v1/identity/organisation-change-requests/{other.extra['change_id']}",
                    None,
                ),
                (
                    "POST",
                    f"/council/v1/identity/organisation-change-requests/{other.extra['change_id']}/approve",
                    None,
                ),
                (
                    "POST",
                    f"/council/v1/identity/organisation-change-requests/{other.extra['change_id']}/reject",
                    {"reason": "x"},
                ),
                (
                    "GET",
                    f"/council/v1/identity/contact-change-requests/{other.extra['contact_change_id']}",
                    None,
                ),
                (
                    "POST",
                    f"/council/v1/identity/contact-change-requests/{other.extra['contact_change_id']}/approve",
                    None,
                ),
                (
                    "POST",
                    f"/council/v1/identity/contact-change-requests/{other.extra['contact_change_id']}/reject",
                    {"reason": "x"},
                ),
            ]
            if "client_id" in other.extra:
                calls.append(("DELETE", f"/council/v1/identity/clients/{other.extra['client_id']}", None))
            for method, path, body in calls:
                response = await identity_api.request(method, path, json=body, headers=token)
                if response.status_code not in {403, 404} or _leaks(response.text, other, f"{path} {body}"):
                    failures.append((mine.label, other.label, method, path, response.status_code))
        for path in (
            "/council/v1/identity/users",
            "/council/v1/identity/contracts",
            "/council/v1/identity/contact-requests",
            "/council/v1/identity/organisation-change-requests",
            "/council/v1/identity/contact-change-requests",
            "/council/v1/identity/clients",
            "/council/v1/identity/audit?limit=500",
            "/council/v1/identity/authority",
        ):
            response = await identity_api.get(path, headers=token)
            leaked = set().union(*(_leaks(response.text, other) for other in theirs.providers))
            if response.status_code != 200 or leaked:
                failures.append((mine.label, theirs.label, "GET", path, response.status_code))
    assert failures == []


async def test_providers_cannot_use_the_council_api(tenants: World, identity_api, env):
    for p in tenants.providers:
        token = bearer(tenants.token(env, p))
        for method, path in (
            ("GET", "/council/v1/identity/users"),
            ("GET", "/council/v1/identity/audit"),
            ("GET", "/council/v1/identity/contact-requests"),
            ("GET", "/council/v1/identity/organisation-change-requests"),
            ("POST", f"/council/v1/identity/organisation-change-requests/{p.extra['change_id']}/approve"),
            ("GET", "/council/v1/identity/contact-change-requests"),
            ("POST", f"/council/v1/identity/contact-change-requests/{p.extra['contact_change_id']}/approve"),
            ("GET", "/council/v1/identity/authority"),
            ("GET", "/council/v1/identity/clients"),
            ("GET", "/council/v1/identity/contracts"),
        ):
            response = await identity_api.request(method, path, headers=token)
            assert response.status_code == 403, (p.label, path, response.status_code)


async def test_scoped_users_see_only_their_contract_or_service(tenants: World, identity_api, env):
    from shared.auth import ScopeType

    for p in tenants.providers:
        for scope in (ScopeType.contract, ScopeType.service):
            token = bearer(tenants.token(env, p, scope=scope))
            services = (await identity_api.get("/api/v1/identity/services", headers=token)).json()
            assert [s["service_id"] for s in services] == [str(p.service_id)]
