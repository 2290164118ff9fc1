"""The render tests own the `reports.render` queue: they count who rendered what, and one of them breaks
the renderer. The run's shared environment may have a whole stack running (tests/conftest.py `stack`),
whose render workers would compete for the same queue, so these tests get an environment of their own:
their own database and vhost, made and dropped like the run's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.environment import RunEnvironment, own_environment


@pytest.fixture(scope="package")
async def env() -> AsyncIterator[RunEnvironment]:
    async with own_environment() as environment:
        yield environment
