"""Through the gateway, against every service as a real process."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.support.inprocess import eventually

CONSUMERS = ("actuals", "payments", "claims", "messaging", "reports")
EVENT_WAIT_SECONDS = 60  # generous: a loaded 2-core machine took over 15 s; a pass returns at once


async def test_one_trace_runs_gateway_to_producer_to_every_consumer(stack, authority):
    token = stack.env.council_token(authority)
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        response = await client.put(
            "/council/v1/identity/organisations",
            json={"reference": "TRACE1", "name": "Traceable Care Ltd"},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    request_id = response.headers["x-request-id"]

    gateway_line = next(r for r in stack.log_records("gateway") if r.get("request_id") == request_id)
    trace_id = gateway_line["trace_id"]
    producer = [r for r in stack.log_records("identity") if r.get("event") == "organisation_upserted"]
    assert any(r.get("trace_id") == trace_id for r in producer)

    def consumers_yet_to_apply() -> list[str]:
        return [
            consumer
            for consumer in CONSUMERS
            if not any(
                r.get("event") == "event_applied" and r.get("trace_id") == trace_id
                for r in stack.log_records(f"{consumer}-worker")
            )
        ]

    # A consumer's first attempt can fail under load and be retried after the test environment's 5 s
    # delay; the wait allows for that, and a failure names the consumers that never applied the event.
    try:
        await eventually(lambda: asyncio.sleep(0, not consumers_yet_to_apply()), timeout=EVENT_WAIT_SECONDS)
    except AssertionError:
        missing = consumers_yet_to_apply()
        warnings = {
            c: [r for r in stack.log_records(f"{c}-worker") if r.get("level") != "info"][-3:] for c in missing
        }
        raise AssertionError(
            f"never applied trace {trace_id}: {missing}; their last warnings: {warnings}"
        ) from None


async def test_the_applied_event_is_visible_through_each_service(stack, authority):
    council = {"authorization": f"Bearer {stack.env.council_token(authority)}"}
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        created = await client.put(
            "/council/v1/identity/organisations",
            json={"reference": "VIS1", "name": "Visible Ltd"},
            headers=council,
        )
        org_id = created.json()["organisation_id"]
        provider = {
            "authorization": f"Bearer {stack.env.token(authority_id=authority, organisation_id=uuid.UUID(org_id))}"
        }
        for service in CONSUMERS:

            async def seen(s=service):
                r = await client.get(f"/api/v1/{s}/organisations", headers=provider)
                return r.status_code == 200 and [o["name"] for o in r.json()] == ["Visible Ltd"]

            await eventually(seen, timeout=EVENT_WAIT_SECONDS)


async def test_gateway_refuses_forged_tokens_and_strips_cookies(stack, authority):
    from shared.auth import SigningKey

    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        anonymous = await client.get(
            "/api/v1/actuals/organisations", headers={"cookie": "portal_session=abc"}
        )
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        original, stack.env.signing_key = stack.env.signing_key, SigningKey.generate()
        try:
            forged = stack.env.token(authority_id=authority, organisation_id=uuid.uuid4())
        finally:
            stack.env.signing_key = original
        refused = await client.get(
            "/api/v1/actuals/organisations", headers={"authorization": f"Bearer {forged}"}
        )
        assert refused.status_code == 401


async def test_unknown_service_and_request_ids(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        missing = await client.get("/api/v1/nosuch/thing")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        passed = await client.get("/api/v1/actuals/organisations", headers={"x-request-id": "abcdef123456"})
        assert passed.headers["x-request-id"] == "abcdef123456"
    # The service writes its request line as the response goes out: it may reach the file a moment later.
    await eventually(
        lambda: asyncio.sleep(
            0, any(r.get("request_id") == "abcdef123456" for r in stack.log_records("actuals"))
        ),
        timeout=5,
    )


async def test_merged_openapi_and_asyncapi_are_served(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        openapi = (await client.get("/api/openapi.json")).json()
        assert openapi["x-unavailable-services"] == []
        for service in ("identity", "actuals", "payments", "claims", "messaging", "reports"):
            assert f"/api/v1/{service}/organisations" in openapi["paths"]
        assert "/council/v1/identity/organisations" in openapi["paths"]
        docs = await client.get("/api/docs")
        assert docs.status_code == 200 and "/council/v1/identity/organisations" in docs.text
        asyncapi = (await client.get("/api/asyncapi.json")).json()
        assert "identity.organisation.upserted.v1" in asyncapi["channels"]
