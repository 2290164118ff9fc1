"""/readyz of every service API, up and down: ready, then not ready (naming the check) while its
database or its broker is unreachable, then ready again, in the same process."""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit, urlunsplit

import pytest

from shared.service import create_api
from tests.support.environment import SERVICES
from tests.support.inprocess import eventually, serve
from tests.support.scratch import amqp_url_via
from tests.support.tcp_proxy import proxy_to

UP = {"database": True, "broker": True}


@pytest.mark.parametrize("service", SERVICES)
async def test_readiness_follows_the_database_and_the_broker_down_and_up(env, service):
    definition = importlib.import_module(f"{service}.main").DEFINITION
    async with proxy_to("127.0.0.1", 5432) as database, proxy_to("127.0.0.1", 5672) as broker:
        dsn = urlsplit(env.dsn(service))
        settings = env.settings(
            definition,
            database_url=urlunsplit(dsn._replace(netloc=f"{dsn.username}@127.0.0.1:{database.port}")),
            amqp_url=amqp_url_via(broker, env),
        )
        async with serve(create_api(definition, settings)) as client:
            assert await checks(client, 200) == UP
            for proxy, name in ((database, "database"), (broker, "broker")):
                proxy.cut(refuse_new=True)
                down = await eventually(lambda: checks(client, 503), timeout=10)
                assert down == UP | {name: False}, f"{service}: {down}"
                proxy.restore()
                assert await eventually(lambda: checks(client, 200), timeout=10) == UP


async def checks(client, status: int) -> dict | None:
    """The checks of /readyz when it answers `status` (and says ready exactly when 200)."""
    response = await client.get("/readyz")
    if response.status_code != status:
        return None
    assert response.json()["ready"] is (status == 200)
    return response.json()["checks"]
