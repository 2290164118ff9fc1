"""Spans are exported over OTLP/HTTP when an endpoint is configured, and nothing is sent when not."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import httpx
from fastapi import FastAPI, Request

from tests.support.inprocess import free_port, serve


def collector(received: list[tuple[str, bytes]]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/traces")
    async def traces(request: Request) -> dict:
        received.append((request.headers.get("content-type", ""), await request.body()))
        return {}

    return app


async def run_actuals_api(env, extra: dict[str, str]) -> None:
    port = free_port()
    environ = {**os.environ, **env.env_vars("actuals"), "ACTUALS_HTTP_PORT": str(port), **extra}
    proc = subprocess.Popen(
        [sys.executable, "-m", "actuals", "api"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
            for _ in range(150):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            response = await client.get(
                "/api/v1/actuals/organisations",
                headers={"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
            )
            assert response.status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)  # a clean exit flushes the batch of spans
        await asyncio.to_thread(proc.wait, 15)


async def test_spans_are_exported_when_an_endpoint_is_set(env):
    received: list[tuple[str, bytes]] = []
    async with serve(collector(received)) as otlp:
        await run_actuals_api(env, {"ACTUALS_OTLP_ENDPOINT": str(otlp.base_url).rstrip("/") + "/v1/traces"})
        await asyncio.sleep(0.2)
    assert received, "no spans reached the collector"
    content_type, _ = received[0]
    assert content_type == "application/x-protobuf"
    # The request's W3C trace id travels in the exported span (protobuf carries it as raw bytes).
    assert bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736") in b"".join(b for _, b in received)


async def test_nothing_is_sent_without_an_endpoint(env):
    received: list[tuple[str, bytes]] = []
    async with serve(collector(received)):
        await run_actuals_api(env, {})
        await asyncio.sleep(0.2)
    assert received == []
