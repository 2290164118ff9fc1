"""Every operation of the gateway's merged OpenAPI, fuzzed with schemathesis through the gateway, as a
provider (session cookie) and as the council (token): no answer is a 5xx and none breaks its schema.

Bounded (EXAMPLES per operation and caller) so that the whole run stays near a minute. Operations that
would end, rotate or lock the caller's own credentials (DESTRUCTIVE) are fuzzed without credentials only:
with them, one lucky example would log the rest of the run out.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
import schemathesis

# The modules `from_dict` imports lazily, imported here, on the main thread: imported first on the fuzzing
# thread, pytest rewrote them there while the main thread compiled too, and CPython 3.11 raised
# "SystemError: AST constructor recursion depth mismatch" (concurrent compiles, cpython gh-106905).
import schemathesis.specs.openapi.adapter.v2
import schemathesis.specs.openapi.schemas
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support.identity import Journey, bearer, make_tenant

EXAMPLES = 5
ANONYMOUS_EXAMPLES = 2  # without credentials an operation answers 401 (422 first for half a surrogate pair)
DESTRUCTIVE = (  # each must name an operation of the document (checked), so none is skipped by mistake
    "POST /api/v1/identity/me/password",  # wrong current passwords count towards a lockout
    "POST /api/v1/identity/me/security-code",
    "DELETE /api/v1/identity/api-keys/{key_id}",
    "POST /api/v1/auth/logout",  # ends the session
    "POST /api/v1/auth/organisation",  # replaces the session with one for another organisation
)
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.mark.timeout(420)  # every operation of every service, three callers each: minutes, not seconds
async def test_no_operation_answers_5xx_or_breaks_its_schema(stack):
    tenant = await make_tenant(stack.env)
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        document = (await client.get("/api/openapi.json")).json()
        council = bearer(stack.env.council_token(tenant.authority_id))
        created = await client.post(
            "/council/v1/identity/users",
            json={
                "email": "fuzz.provider@provider.example",
                "forename": "Fuzz",
                "surname": "Provider",
                "grant": {
                    "organisation_id": str(tenant.organisations["A"]),
                    "role": "full",
                    "can_edit": True,
                },
            },
            headers=council,
        )
        assert created.status_code == 201, created.text
    async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=15) as identity:
        session_id = await Journey(identity, stack.env).first_login(
            tenant, "fuzz.provider@provider.example", created.json()["temporary_password"]
        )
    callers = {
        "anonymous": ({}, {}),
        "provider": ({}, {"portal_session": session_id}),
        "council": (council, {}),
    }
    failures = await asyncio.to_thread(fuzz, document, stack.url, callers)
    assert failures == [], "\n\n".join(failures)


def fuzz(document: dict, base_url: str, callers: dict[str, tuple[dict, dict]]) -> list[str]:
    """Each operation, each caller: the failures found, one line each (status, operation, first failure)."""
    schema = schemathesis.openapi.from_dict(document)
    labels = {result.ok().label for result in schema.get_all_operations()}
    failures = [
        f"{label} is not an operation of the document" for label in DESTRUCTIVE if label not in labels
    ]
    for result in schema.get_all_operations():
        operation = result.ok()
        for caller, (headers, cookies) in callers.items():
            if caller != "anonymous" and operation.label in DESTRUCTIVE:
                continue
            try:
                examples = ANONYMOUS_EXAMPLES if caller == "anonymous" else EXAMPLES
                run_operation(operation, base_url, headers, cookies, examples)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup included
                failures.append(f"{operation.label} as {caller}: {str(exc)[:1500]}")
    return failures


def run_operation(operation, base_url: str, headers: dict, cookies: dict, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case) -> None:
        response = case.call(base_url=base_url, headers=headers, cookies=cookies)
        case.validate_response(response, checks=CHECKS)

    check()
