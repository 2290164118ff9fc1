"""Reference rows for the import tests (contracts, services, clients, service levels with rates, CPLIs),
inserted with SQL straight into the actuals schema, and the helpers that upload a file and run its job.

The council side builds these through its API in its own branch; the import tests need only the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import httpx
import pytest

from actuals.domain.import_file import COLUMNS
from actuals.domain.weeks import week_commencing
from actuals.handlers.import_job import process_next
from actuals.main import DEFINITION as ACTUALS
from shared import db
from shared.auth import Role, ScopeType
from shared.service import create_api
from shared.service.runtime import Runtime, close_runtime, open_runtime
from tests.support.environment import RunEnvironment, own_environment
from tests.support.inprocess import serve

HEADER = ",".join(COLUMNS)
TODAY = date.today()
THIS_WEEK = week_commencing(TODAY)


def weeks_ago(n: int) -> date:
    return THIS_WEEK - timedelta(weeks=n)


@dataclass
class Service:
    service_id: uuid.UUID
    contract_id: uuid.UUID
    reference: str
    name: str


@dataclass
class Client:
    client_id: uuid.UUID
    reference: str
    cpli_id: uuid.UUID


@dataclass
class Provider:
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    service: Service
    level_id: uuid.UUID
    clients: list[Client] = field(default_factory=list)

    def token(self, env: RunEnvironment, *, role: Role = Role.care, can_edit: bool = True) -> str:
        return env.token(
            authority_id=self.authority_id, organisation_id=self.organisation_id, role=role, can_edit=can_edit
        )

    def service_token(self, env: RunEnvironment, service: Service) -> str:
        return env.token(
            authority_id=self.authority_id,
            organisation_id=self.organisation_id,
            role=Role.care,
            scope_type=ScopeType.service,
            scope_id=service.service_id,
        )


async def connect(env: RunEnvironment) -> asyncpg.Connection:
    return await db.connect(env.dsn("actuals"))


async def add_provider(
    env: RunEnvironment,
    *,
    authority_id: uuid.UUID | None = None,
    clients: int = 5,
    basis: str = "actuals",
    rate: str = "20.0000",
    rate_changes: Iterable[tuple[date, str]] = (),
    cpli_start: date | None = None,
    cpli_end: date | None = None,
) -> Provider:
    """An organisation with one contract, one service, one service level (Hours) and `clients` clients,
    each with an authorised CPLI on the service from `cpli_start` (a year ago by default)."""
    authority_id = authority_id or uuid.uuid4()
    organisation_id = uuid.uuid4()
    tag = organisation_id.hex[:6]
    provider = Provider(
        authority_id,
        organisation_id,
        await add_service(env, authority_id, organisation_id, basis=basis, name=f"Home Care {tag}"),
        uuid.uuid4(),
    )
    conn = await connect(env)
    try:
        await conn.execute(
            "INSERT INTO actuals.service_level (service_level_id, authority_id, reference, name, unit)"
            " VALUES ($1, $2, $3, 'Home care hours', 'Hours')",
            provider.level_id,
            authority_id,
            f"SL-{tag}",
        )
        await conn.executemany(
            "INSERT INTO actuals.service_level_rate (service_level_id, effective_from, rate) VALUES ($1, $2, $3)",
            [(provider.level_id, date(2020, 1, 1), Decimal(rate))]
            + [(provider.level_id, day, Decimal(r)) for day, r in rate_changes],
        )
    finally:
        await conn.close()
    provider.clients = await add_clients(
        env, provider, provider.service, count=clients, start=cpli_start, end=cpli_end
    )
    return provider


async def add_service(
    env: RunEnvironment,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    *,
    basis: str = "actuals",
    name: str,
) -> Service:
    service = Service(uuid.uuid4(), uuid.uuid4(), f"S-{uuid.uuid4().hex[:8]}", name)
    conn = await connect(env)
    try:
        await conn.execute(
            "INSERT INTO actuals.contract (contract_id, authority_id, organisation_id, reference, name,"
            " payment_basis, frequency, pays_frustrated, pays_extras, active, revision, updated_at)"
            " VALUES ($1, $2, $3, $4, 'Home care framework', $5, 'Weekly', false, true, true, 1, now())",
            service.contract_id,
            authority_id,
            organisation_id,
            f"C-{service.contract_id.hex[:8]}",
            basis,
        )
        await conn.execute(
            "INSERT INTO actuals.provider_service (service_id, authority_id, organisation_id, contract_id,"
            " reference, name, active, revision, updated_at) VALUES ($1, $2, $3, $4, $5, $6, true, 1, now())",
            service.service_id,
            authority_id,
            organisation_id,
            service.contract_id,
            service.reference,
            service.name,
        )
    finally:
        await conn.close()
    return service


async def add_clients(
    env: RunEnvironment,
    provider: Provider,
    service: Service,
    *,
    count: int,
    start: date | None = None,
    end: date | None = None,
    authorised: bool = True,
) -> list[Client]:
    start = start or THIS_WEEK - timedelta(weeks=52)
    made = [Client(uuid.uuid4(), f"SS{uuid.uuid4().hex[:10]}", uuid.uuid4()) for _ in range(count)]
    conn = await connect(env)
    try:
        await conn.copy_records_to_table(
            "client",
            schema_name="actuals",
            columns=("client_id", "authority_id", "reference", "name"),
            records=[
                (c.client_id, provider.authority_id, c.reference, f"Client {c.reference}") for c in made
            ],
        )
        await conn.copy_records_to_table(
            "cpli",
            schema_name="actuals",
            columns=(
                "cpli_id",
                "authority_id",
                "organisation_id",
                "contract_id",
                "service_id",
                "client_id",
                "service_level_id",
                "reference",
                "care_package_ref",
                "start_date",
                "end_date",
                "cost",
                "frequency",
                "units_per_week",
                "authorised",
            ),
            records=[
                (
                    c.cpli_id,
                    provider.authority_id,
                    provider.organisation_id,
                    service.contract_id,
                    service.service_id,
                    c.client_id,
                    provider.level_id,
                    f"CPLI-{c.cpli_id.hex[:12]}",
                    f"CP-{c.cpli_id.hex[:6]}",
                    start,
                    end,
                    Decimal("200.00"),
                    "Weekly",
                    Decimal("10"),
                    authorised,
                )
                for c in made
            ],
        )
    finally:
        await conn.close()
    return made


def csv_file(*rows: str, header: str = HEADER, newline: str = "\n", bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + newline.join((header, *rows)) + newline).encode()


def row(
    reference: str,
    service: str,
    client: str,
    week: date,
    actual: str = "10",
    planned: str = "10",
    frustrated: str = "0",
    missed: str = "0",
    extra: str = "0",
    visits: str = "7",
    comment: str = "",
) -> str:
    cells = [
        reference,
        service,
        client,
        f"{week:%d/%m/%Y}",
        actual,
        planned,
        frustrated,
        missed,
        extra,
        visits,
        comment,
    ]
    return ",".join('"' + c.replace('"', '""') + '"' if "," in c or '"' in c else c for c in cells)


def new_reference() -> str:
    return f"F-{uuid.uuid4().hex[:10]}"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "x-forwarded-for": "203.0.113.9"}


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[RunEnvironment]:
    """An environment of the import tests' own (database and vhost), as the render tests have: the run's
    shared one may have a whole stack running (tests/conftest.py `stack`), whose actuals worker would
    take these tests' pending imports (it takes any tenant's) before the tests run their job."""
    async with own_environment() as environment:
        yield environment


@pytest.fixture(scope="module")
async def actuals_runtime(env: RunEnvironment) -> AsyncIterator[Runtime]:
    """The actuals worker's runtime: the tests run its import job themselves (`run_import`)."""
    runtime = await open_runtime(ACTUALS, env.settings(ACTUALS))
    try:
        yield runtime
    finally:
        await close_runtime(runtime)


@pytest.fixture(scope="module")
async def actuals_api(env: RunEnvironment) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_api(ACTUALS, env.settings(ACTUALS))) as api:
        api.timeout = httpx.Timeout(120)
        yield api


async def upload(
    api: httpx.AsyncClient, token: str, data: bytes, *, name: str = "actuals.csv"
) -> httpx.Response:
    return await api.post(
        "/api/v1/actuals/imports", files={"file": (name, data, "text/csv")}, headers=bearer(token)
    )


async def run_import(runtime: Runtime, import_id: str | uuid.UUID) -> None:
    """What the actuals worker does with that import, now."""
    taken = await process_next(runtime.work, import_id=uuid.UUID(str(import_id)))
    assert taken is not None, "the import was not pending"


async def import_file(api: httpx.AsyncClient, runtime: Runtime, token: str, data: bytes) -> dict[str, object]:
    """Upload, run the job, and answer GET /imports/{id}."""
    sent = await upload(api, token, data)
    assert sent.status_code == 202, sent.text
    await run_import(runtime, sent.json()["import_id"])
    got = await api.get(f"/api/v1/actuals/imports/{sent.json()['import_id']}", headers=bearer(token))
    assert got.status_code == 200, got.text
    return dict(got.json())


async def lines_of(env: RunEnvironment, service: Service) -> dict[tuple[date, uuid.UUID], asyncpg.Record]:
    conn = await connect(env)
    try:
        rows = await conn.fetch(
            "SELECT w.week_commencing, w.version, w.state, l.* FROM actuals.actual_line l"
            " JOIN actuals.actual_week w USING (week_id) WHERE w.service_id = $1",
            service.service_id,
        )
    finally:
        await conn.close()
    return {(r["week_commencing"], r["cpli_id"]): r for r in rows}


async def weeks_of(env: RunEnvironment, service: Service) -> dict[date, asyncpg.Record]:
    conn = await connect(env)
    try:
        rows = await conn.fetch("SELECT * FROM actuals.actual_week WHERE service_id = $1", service.service_id)
    finally:
        await conn.close()
    return {r["week_commencing"]: r for r in rows}
