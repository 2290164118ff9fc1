"""Request bodies are limited at the gateway (1 MiB by default, more on the upload routes that declare
it): 413 problem+json, whether the size is declared up front or only found while streaming (chunked)."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI, Request

from tests.support.inprocess import gateway_in_front_of
from tests.support.raw_http import RawResponse, read_response

MIB = 1024 * 1024
HEARD: list[int] = []


def counting_upstream() -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["POST", "PUT"])
    async def anything(path: str, request: Request) -> dict:
        size = len(await request.body())
        HEARD.append(size)
        return {"size": size}

    return app


@pytest.fixture(scope="module")
async def gateway(env):
    async with gateway_in_front_of(
        counting_upstream(),
        ("identity", "actuals"),
        token_jwks_json=env.jwks,
        identity_secret="in-process-gateway-secret",
        upload_limit_bytes=3 * MIB,  # the 50 MiB default, smaller to keep the test quick
    ) as client:
        yield client


async def send(gateway, path: str, *, size: int, chunked: bool) -> RawResponse:
    """POST `size` bytes of JSON-ish body, declared or chunked, stopping early once answered."""
    host, port = gateway.base_url.host, gateway.base_url.port
    reader, writer = await asyncio.open_connection(host, port)
    try:
        framing = "transfer-encoding: chunked" if chunked else f"content-length: {size}"
        head = f"POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n{framing}\r\n\r\n"
        writer.write(head.encode())
        piece = b" " * (64 * 1024)
        sent = 0
        while sent < size and not reader.at_eof():
            n = min(len(piece), size - sent)
            writer.write(b"%x\r\n%s\r\n" % (n, piece[:n]) if chunked else piece[:n])
            sent += n
            try:
                await writer.drain()
            except ConnectionError:
                break
            if not chunked and sent >= 128 * 1024 and size > 2 * MIB:
                break  # a declared size over the limit is answered before the body is read
        if chunked and sent >= size:
            writer.write(b"0\r\n\r\n")
        return await read_response(reader)
    finally:
        writer.close()


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize(
    "path", ["/api/v1/actuals/weeks/1", "/council/v1/identity/users", "/api/v1/auth/login"]
)
async def test_a_body_over_the_limit_is_refused_with_413(gateway, path, chunked):
    HEARD.clear()
    answer = await send(gateway, path, size=20 * MIB, chunked=chunked)
    assert answer.status == 413, answer.body[:300]
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 413 and "1048576 bytes" in problem["detail"]
    assert HEARD == []  # no upstream handler ever saw a whole body


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_within_the_limit_passes(gateway, chunked):
    HEARD.clear()
    answer = await send(gateway, "/api/v1/actuals/weeks/1", size=MIB, chunked=chunked)
    assert answer.status == 200 and answer.json() == {"size": MIB}


async def test_an_upload_route_declares_its_own_limit(gateway):
    HEARD.clear()
    ok = await send(gateway, "/api/v1/actuals/imports", size=2 * MIB, chunked=True)
    assert ok.status == 200 and HEARD == [2 * MIB]
    too_big = await send(gateway, "/api/v1/actuals/imports", size=4 * MIB, chunked=True)
    assert too_big.status == 413 and "3145728 bytes" in too_big.json()["detail"]
    # A file of exactly the upload limit, sent as a multipart form, is a body a little larger (the form's
    # own lines): it reaches the service, which has its own limit on the file (it was a 413 here).
    HEARD.clear()
    form = await send(gateway, "/api/v1/actuals/imports", size=3 * MIB + 500, chunked=True)
    assert form.status == 200 and HEARD == [3 * MIB + 500]
    over = await send(gateway, "/api/v1/actuals/imports", size=3 * MIB + 64 * 1024 + 1, chunked=True)
    assert over.status == 413
