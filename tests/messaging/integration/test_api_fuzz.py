"""Every operation of messaging's OpenAPI fuzzed with schemathesis against the service itself, as a
provider (with actions of its own), as the council and without credentials: no answer is a 5xx and none
breaks its schema. The gateway-wide fuzz test (tests/e2e/test_api_fuzz.py) covers the same operations
through the gateway's merged document when the whole stack runs; this one runs without it."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.e2e.test_api_fuzz import DESTRUCTIVE, fuzz
from tests.messaging.support import add_tenant, bearer, configure, messaging_api, messaging_conn, new_action


@pytest.mark.timeout(300)
async def test_no_messaging_operation_answers_5xx_or_breaks_its_schema(env):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="fuzz")
    async with messaging_api(env) as api:
        config = await configure(api, env, authority_id)
        await new_action(
            api,
            tenant.headers(env),
            type_id=config["Foster Carer Query"]["type_id"],
            related_kind="provider",
            title="Fuzzed",
            text="x",
        )
        document = (await api.get("/openapi.json")).json()
        base_url = str(api.base_url)
        callers = {
            "anonymous": ({}, {}),
            "provider": (tenant.headers(env), {}),
            "council": (bearer(env.council_token(authority_id)), {}),
        }
        found = await asyncio.to_thread(fuzz, document, base_url, callers)
    # `fuzz` also checks that the gateway document holds identity's DESTRUCTIVE operations: not this one's.
    failures = [f for f in found if not f.endswith("is not an operation of the document")]
    assert len(found) - len(failures) == len(DESTRUCTIVE)
    assert failures == [], "\n\n".join(failures)
