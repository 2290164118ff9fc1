"""Fixtures every test can use. The whole run shares one isolated environment (see support/environment)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from shared.logging import configure_logging
from shared.telemetry import configure_telemetry
from tests.support.decoy_ports import decoys
from tests.support.environment import RunEnvironment, new_run_id
from tests.support.identity import ensure_portal_authorities
from tests.support.secrets import find_leaks, install_run_log, run_log
from tests.support.stack import PROCESS_PREFIXES, Stack
from tests.support.tenants import World, build_world


@pytest.fixture(scope="session", autouse=True)
def make_run_ports_are_busy() -> Iterator[list[int]]:
    """Ports 8000-8006 and 9100-9126 answer nonsense for the whole run, as if `make run` were running, and no setting
    of the shell (dev.env's, exported) reaches a test: no test may depend on a default port or on
    dev.env (tests/support/decoy_ports.py)."""
    with decoys() as held, pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith(PROCESS_PREFIXES)]:
            patch.delenv(name)
        # Settings made in a test's own process listen internally on any free port, not on the defaults.
        for prefix in PROCESS_PREFIXES:
            patch.setenv(f"{prefix}METRICS_PORT", "0")
            patch.setenv(f"{prefix}WORKER_PORT", "0")
        patch.setenv("REPORTS_RENDER_PORT", "0")
        yield held


@pytest.fixture(scope="session")
async def env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunEnvironment]:
    configure_logging(service="tests", level="INFO", json=True)
    install_run_log(tmp_path_factory.mktemp("run-log") / "tests.log")
    configure_telemetry(service="tests", otlp_endpoint=None)
    environment = RunEnvironment(run_id=new_run_id())
    await environment.create()
    try:
        yield environment
    finally:
        await environment.destroy()


@pytest.fixture(scope="session")
async def stack(env: RunEnvironment, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """Every service, worker and the gateway as real processes, started once per run when needed."""
    running = Stack(env=env, log_dir=tmp_path_factory.mktemp("stack-logs"))
    try:
        await running.start()
        await ensure_portal_authorities(env)  # the councils the pages know, as `make run` seeds them
        yield running
    finally:
        running.stop()
    # The whole run, once every process has stopped: no secret in any log (tests/support/secrets.py).
    leaks = find_leaks(running.all_logs() + run_log())
    assert leaks == [], f"secrets in the logs of this run: {leaks[:20]}"


@pytest.fixture
async def authority(env: RunEnvironment) -> uuid.UUID:
    """A fresh authority in identity (tests never share tenants unless they mean to)."""
    from shared import db

    authority_id = uuid.uuid4()
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(
            "INSERT INTO identity.authority (authority_id, slug, name) VALUES ($1, $2, $3)",
            authority_id,
            f"a-{authority_id.hex[:12]}",
            f"Test Council {authority_id.hex[:6]}",
        )
    finally:
        await conn.close()
    return authority_id


@pytest.fixture(scope="session")
async def world(env: RunEnvironment) -> World:
    """Two authorities with two providers each (tests/support/tenants.py): the cross-tenant harness."""
    return await build_world(env)
