"""What the API fuzz test (tests/e2e/test_api_fuzz.py) found in identity, each pinned down: bad input
or a caller the operation is not for gets a clear 4xx problem, never a 500."""

from __future__ import annotations

import uuid

from tests.support.identity import bearer, create_user


async def test_a_council_caller_asking_for_an_organisations_api_keys_is_refused_not_a_500(
    identity_api, env, tenant
):
    council = bearer(env.council_token(tenant.authority_id))
    for response in (
        await identity_api.get("/api/v1/identity/api-keys", headers=council),
        await identity_api.delete(f"/api/v1/identity/api-keys/{uuid.uuid4()}", headers=council),
    ):
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "council API" in response.json()["detail"]  # where the council manages keys


async def test_text_with_a_nul_character_is_refused_naming_it_not_a_500(identity_api, journey, env, tenant):
    user, temporary = await create_user(identity_api, env, tenant, role="full")
    session_id = await journey.first_login(tenant, user["email"], temporary)
    token = bearer((await journey.token(session_id)).json()["token"])
    response = await identity_api.post(
        "/api/v1/identity/contact-requests",
        json={
            "forename": "Ann\u0000",
            "surname": "Other",
            "address": "1 High Street, Telford",
            "phone": "01952 380000",
            "email": "ann.other@provider.example",
            "role": "care",
            "can_edit": False,
        },
        headers=token,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]


async def test_a_token_request_of_json_nested_a_thousand_deep_is_a_bad_request_not_a_500(identity_api):
    # Found by a live probe: the body parsed, then turning its value into text overflowed the stack.
    body = b'{"grant_type": ' + b"[" * 999 + b"]" * 999 + b"}"
    answer = await identity_api.post(
        "/council/v1/identity/token", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request"
