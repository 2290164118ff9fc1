"""The read model's tests need reports' database only: its migrations applied to a database of their own
(made and dropped like the run's), no broker (the events are handed to the consumer's handlers, as the
consumer does with what the broker delivers)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from reports.main import DEFINITION as REPORTS
from shared import db
from shared.migrations import migrate
from shared.service.migrate import service_migrations
from tests.support.environment import ADMIN_DSN, RunEnvironment, new_run_id


class ReportsDatabase(RunEnvironment):
    def service_databases(self) -> list[db.ServiceDatabase]:
        return [db.ServiceDatabase.from_dsn(schema=REPORTS.name, dsn=self.dsn(REPORTS.name))]

    async def create(self) -> None:
        await db.bootstrap(ADMIN_DSN, self.service_databases())
        conn = await db.connect(self.dsn(REPORTS.name))
        try:
            await migrate(conn, schema=REPORTS.name, migrations=service_migrations(REPORTS))
        finally:
            await conn.close()

    async def destroy(self) -> None:
        await db.drop_everything(ADMIN_DSN, self.service_databases())


@pytest.fixture(scope="package")
async def env() -> AsyncIterator[RunEnvironment]:
    environment = ReportsDatabase(run_id=new_run_id())
    await environment.create()
    try:
        yield environment
    finally:
        await environment.destroy()
