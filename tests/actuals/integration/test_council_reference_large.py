"""The council's largest call, 10,000 clients and 10,000 CPLIs, in an environment of its own: its 20,000
events (and, at a stack's start, the backfills of them that the stack's workers would ask for) would
otherwise go to every consumer of a stack running on the run's shared environment, minutes of work for
the run's two cores that no test needs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from actuals.main import DEFINITION as ACTUALS
from shared.service import create_api
from tests.actuals.integration.council_harness import (
    client_item,
    cpli_item,
    level_item,
    make_council,
    post,
    published,
)
from tests.support.environment import RunEnvironment, own_environment
from tests.support.inprocess import serve

CPLI_EVENT = "actuals.cpli.upserted.v1"


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[RunEnvironment]:
    async with own_environment() as environment:
        yield environment


@pytest.fixture(scope="module")
async def actuals_api(env: RunEnvironment) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_api(ACTUALS, env.settings(ACTUALS))) as client:
        yield client


async def test_ten_thousand_cplis_in_one_call(env, actuals_api):
    """The council's largest call: 10,000 new CPLIs, then the same 10,000 unchanged (the figures are
    printed for docs and the report; not a timed test)."""
    council = await make_council(env)
    n = 10_000
    started = time.perf_counter()
    clients = await post(actuals_api, council, "clients", [client_item(i) for i in range(n)])
    clients_took = time.perf_counter() - started
    assert clients.json()["created"] == n
    assert (await post(actuals_api, council, "service-levels", [level_item()])).status_code == 200
    items = [cpli_item(i, council.service_id) for i in range(n)]
    for i in range(0, n, 3):  # a third timetabled, with two visits each
        items[i] = cpli_item(
            i,
            council.service_id,
            units_per_week=None,
            timetable=[
                {"weekday": 0, "start_time": "08:00", "minutes": 60},
                {"weekday": 4, "start_time": "17:00", "minutes": 30},
            ],
        )
    started = time.perf_counter()
    created = await post(actuals_api, council, "cplis", items)
    created_took = time.perf_counter() - started
    assert created.status_code == 200, created.text[:500]
    assert created.json() == {"created": n, "updated": 0, "unchanged": 0}
    started = time.perf_counter()
    again = await post(actuals_api, council, "cplis", items)
    unchanged_took = time.perf_counter() - started
    assert again.json() == {"created": 0, "updated": 0, "unchanged": n}
    assert len(await published(env, CPLI_EVENT, council.authority_id)) == n
    print(
        f"\n10,000 clients created: {clients_took:.2f} s; 10,000 CPLIs created: {created_took:.2f} s;"
        f" the same 10,000 unchanged: {unchanged_took:.2f} s"
    )
