from __future__ import annotations

import pytest

from identity.main import DEFINITION as IDENTITY
from shared.service import create_api
from tests.support.identity import Journey, make_tenant
from tests.support.inprocess import serve


@pytest.fixture(scope="session")
async def identity_api(env):
    """identity's API in this process, on a real socket, with the run's database and broker."""
    settings = env.settings(IDENTITY, login_limit_per_address=10000, reset_limit_per_address=10000)
    async with serve(create_api(IDENTITY, settings)) as client:
        yield client


@pytest.fixture
def journey(identity_api, env) -> Journey:
    return Journey(identity_api, env)


@pytest.fixture
async def tenant(env):
    return await make_tenant(env, organisations=("A", "B"))
