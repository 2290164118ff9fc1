"""The import tests' own environment (tests/actuals/import_support.py `env`), made once per run (per
pytest-xdist worker) and shared by their five files: made per file, it cost 8-15 s each time."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from tests.support.environment import RunEnvironment


@pytest.fixture(scope="session")
async def actuals_import_environment() -> AsyncIterator[RunEnvironment]:
    environment = RunEnvironment(run_id=secrets.token_hex(4))
    await environment.create()
    try:
        yield environment
    finally:
        await environment.destroy()
