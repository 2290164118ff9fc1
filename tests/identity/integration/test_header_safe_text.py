"""Names and e-mails that may reach an e-mail header are refused when they hold CR or LF (issue 9, 8e),
with a field error naming the field: a header injection ("Bcc: ...") never reaches messaging."""

from __future__ import annotations

import pytest

from tests.support.identity import bearer, create_user

INJECTED = "Dawn\r\nBcc: everyone@elsewhere.example"


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("field", ["forename", "surname", "email"])
async def test_the_council_cannot_create_a_user_with_a_line_break(identity_api, env, tenant, field):
    body = {"email": "dawn@provider.example", "forename": "Dawn", "surname": "Stockton", "is_council": True}
    body[field] = INJECTED if field != "email" else "dawn@provider.example\nBcc: x@y.example"
    refused = await identity_api.post(
        "/council/v1/identity/users", json=body, headers=bearer(env.council_token(tenant.authority_id))
    )
    assert _fields(refused) == [field]


@pytest.mark.parametrize("field", ["name", "organisation_name"])
async def test_a_reset_request_with_a_line_break_is_refused(journey, tenant, field):
    form = {
        "authority": tenant.slug,
        "name": "Dawn",
        "organisation_name": "Provider A",
        "email": "dawn@provider.example",
        "phone": "01234 567890",
    }
    refused = await journey.post("/password-reset-requests", {**form, field: "x\ry"})
    assert _fields(refused) == [field]


async def test_provider_names_with_a_line_break_are_refused(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant, role="full")
    session_id = await journey.first_login(tenant, user["email"], temporary)
    token = bearer((await journey.token(session_id)).json()["token"])
    contact = {
        "forename": "Ann",
        "surname": "Lee\nBcc: x@y.example",
        "address": "1 High Street\nTelford",  # an address keeps its lines: it never reaches a header
        "phone": "01234 567890",
        "email": "ann@provider.example",
        "role": "care",
        "can_edit": False,
    }
    assert _fields(
        await identity_api.post("/api/v1/identity/contact-requests", json=contact, headers=token)
    ) == ["surname"]
    change = {
        "name": INJECTED,
        "address": "1 High Street\nTelford",
        "postcode": "TF1 1AA",
        "phone": "01234 567890",
        "email": "office@provider.example",
    }
    assert _fields(
        await identity_api.post("/api/v1/identity/organisation-change-requests", json=change, headers=token)
    ) == ["name"]
    council = bearer(env.council_token(tenant.authority_id))
    assert _fields(
        await identity_api.patch("/council/v1/identity/authority", json={"name": INJECTED}, headers=council)
    ) == ["name"]
    assert _fields(
        await identity_api.put(
            "/council/v1/identity/organisations", json={"reference": "R-1", "name": INJECTED}, headers=council
        )
    ) == ["name"]
