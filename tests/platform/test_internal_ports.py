"""/metrics is served on an internal port of its own, never on the public one (issue 9, item 3b), and
every worker process serves /healthz, /readyz and /metrics on its own port (item 12)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from actuals.main import DEFINITION as ACTUALS
from shared.service import run_worker
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually, free_port
from tests.support.stack import Stack
from tests.support.tcp_proxy import proxy_to

WORKER_METRICS = (
    "outbox_lag_seconds",
    "outbox_pending_events",
    "events_published_total",
    "events_applied_total",
    "event_retries_total",
    "events_dead_lettered_total",
    "consumer_lag_messages",
)


@pytest.fixture(scope="module")
async def actuals_stack(
    env: RunEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    """actuals' API and worker, reports' render worker and the gateway, as real processes."""
    stack = Stack(
        env=env,
        log_dir=tmp_path_factory.mktemp("internal-ports"),
        apis=("actuals",),
        launch={"reports-render": [sys.executable, "-m", "reports", "render"]},
    )
    try:
        await stack.start()
        yield stack
    finally:
        stack.stop()


async def get(port: int, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=5) as client:
        return await client.get(f"http://127.0.0.1:{port}{path}")


@pytest.mark.parametrize("process", ["gateway", "actuals"])
async def test_the_public_port_has_no_metrics(actuals_stack: Stack, process: str) -> None:
    # This stack has no identity: to the gateway, /metrics could be an authority's address whose branding
    # cannot be read (503); with identity up it is an unknown address (404). Never the metrics.
    public = await get(actuals_stack.ports[process], "/metrics")
    assert public.status_code in ((404, 503) if process == "gateway" else (404,))
    assert "http_requests_total" not in public.text
    assert (await get(actuals_stack.ports[process], "/healthz")).status_code == 200


async def test_the_gateway_does_not_reach_a_services_metrics(actuals_stack: Stack) -> None:
    for path in ("/api/v1/actuals/metrics", "/metrics"):
        response = await get(actuals_stack.ports["gateway"], path)
        assert response.status_code in (401, 404, 503), path  # 503: no identity in this stack (above)
        assert "http_requests_total" not in response.text


@pytest.mark.parametrize("process", ["gateway", "actuals"])
async def test_the_metrics_port_serves_metrics(actuals_stack: Stack, process: str) -> None:
    await get(actuals_stack.ports[process], "/healthz")
    response = await get(actuals_stack.ports[f"{process}-metrics"], "/metrics")
    assert response.status_code == 200
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in response.text


@pytest.mark.parametrize("process", ["actuals-worker", "reports-render"])
async def test_a_worker_process_serves_probes_and_metrics(actuals_stack: Stack, process: str) -> None:
    port = actuals_stack.ports[process]
    assert (await get(port, "/healthz")).json() == {"status": "ok"}
    ready = await get(port, "/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"database": True, "broker": True}}
    metrics = (await get(port, "/metrics")).text
    missing = [name for name in WORKER_METRICS if name not in metrics]
    assert missing == [], metrics[:2000]


async def test_a_workers_readiness_follows_the_database(env: RunEnvironment) -> None:
    async with proxy_to("127.0.0.1", 5432) as proxy:
        port = free_port()
        dsn = env.dsn("actuals").replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        settings = env.settings(ACTUALS, database_url=dsn, worker_port=port)
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(ACTUALS, settings, stop=stop, relay=False, consume=False))
        try:
            await eventually(lambda: _ready(port), timeout=10)
            proxy.cut(refuse_new=True)
            down = await eventually(lambda: _not_ready(port), timeout=10)
            assert down.status_code == 503
            assert down.json()["checks"]["database"] is False
            assert (await get(port, "/healthz")).status_code == 200  # alive, just not ready
            proxy.restore()
            await eventually(lambda: _ready(port), timeout=15)
        finally:
            stop.set()
            await asyncio.wait_for(worker, timeout=15)


async def _ready(port: int) -> bool:
    try:
        return (await get(port, "/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def _not_ready(port: int) -> httpx.Response | None:
    response = await get(port, "/readyz")
    return response if response.status_code == 503 else None
