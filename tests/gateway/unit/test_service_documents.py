"""A service's answers read as they come (a logo), and its OpenAPI document (the docs, the lanes) read
again as soon as the service is up."""

from __future__ import annotations

import asyncio

import uvicorn

from gateway.lanes import LaneSize
from gateway.service_client import ServiceClient, Timeouts
from shared.lanes import HASHING
from tests.gateway.unit.test_service_client import SECRET, SlowIdentity, identity_client
from tests.support.inprocess import free_port


async def test_fetch_hands_back_the_answer_as_it_came_whatever_its_status():
    identity = SlowIdentity()
    async with identity_client(identity) as client:
        logo = await client.service.fetch("/internal/v1/identity/authorities/a/logo")
        missing = await client.service.fetch("/internal/v1/identity/authorities/b/logo")
    assert logo.status_code == 200 and logo.content == b"\x89PNG..."
    assert logo.headers["content-type"] == "image/png"
    assert identity.heard[0]["x-gateway-secret"] == SECRET
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


async def test_a_service_that_comes_up_later_is_read_at_once_by_the_docs_and_soon_by_the_lanes():
    port = free_port()
    service = ServiceClient(
        "identity",
        f"http://127.0.0.1:{port}",
        timeouts=Timeouts(connect=1, read=1),
        lanes={HASHING: LaneSize(places=1, wait_seconds=1)},
    )
    await service.start()
    identity = SlowIdentity()
    server = uvicorn.Server(uvicorn.Config(identity.app, host="127.0.0.1", port=port, log_config=None))
    try:
        assert await service.document() is None  # down
        assert not await service.lanes()  # no lanes known yet, and no wait for them
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        document = await service.document()  # a person asking: tried again at once
        assert document is not None and "/api/v1/identity/me/password" in document["paths"]
        assert (await service.lanes()).lane_of("POST", "/api/v1/identity/me/password") == HASHING
    finally:
        server.should_exit = True
        await service.close()
    await asyncio.wait_for(task, timeout=10)
