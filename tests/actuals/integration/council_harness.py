"""What the council API tests share: actuals' API in the test's process, councils with providers in
actuals' projections of identity's contracts and services, and reads of actuals' outbox and tables."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from actuals.consumers import contracts, services
from actuals.main import DEFINITION as ACTUALS
from shared import db
from shared.events import ContractUpserted, ProviderServiceUpserted, make_envelope
from shared.service import create_api
from tests.support.environment import RunEnvironment
from tests.support.inprocess import serve


@dataclass
class Provider:
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID


@dataclass
class Council:
    authority_id: uuid.UUID
    token: str
    providers: list[Provider] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    @property
    def service_id(self) -> uuid.UUID:
        return self.providers[0].service_id


async def project_provider(
    env: RunEnvironment, authority_id: uuid.UUID, *, payment_basis: str = "actuals", name: str = "Home Care"
) -> Provider:
    """A contract and a service in actuals' projections, as identity's events would put them there."""
    provider = Provider(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    now = datetime.now(UTC)
    contract = ContractUpserted(
        contract_id=provider.contract_id,
        authority_id=authority_id,
        organisation_id=provider.organisation_id,
        reference=f"C-{provider.contract_id.hex[:8]}",
        name=f"{name} contract",
        payment_basis=payment_basis,  # type: ignore[arg-type]
        frequency="weekly",
        pays_frustrated=True,
        pays_extras=True,
        vat_registered=False,
        active=True,
        revision=1,
        updated_at=now,
    )
    service = ProviderServiceUpserted(
        service_id=provider.service_id,
        authority_id=authority_id,
        organisation_id=provider.organisation_id,
        contract_id=provider.contract_id,
        reference=f"S-{provider.service_id.hex[:8]}",
        name=name,
        active=True,
        revision=1,
        updated_at=now,
    )
    conn = await db.connect(env.dsn("actuals"))
    try:
        await contracts.apply(
            conn,
            make_envelope(contract, aggregate_id=contract.contract_id, authority_id=authority_id),
            contract,
        )
        await services.apply(
            conn, make_envelope(service, aggregate_id=service.service_id, authority_id=authority_id), service
        )
    finally:
        await conn.close()
    return provider


async def make_council(env: RunEnvironment, *, providers: int = 1, can_edit: bool = True) -> Council:
    authority_id = uuid.uuid4()
    council = Council(authority_id, env.council_token(authority_id, can_edit=can_edit))
    for n in range(providers):
        council.providers.append(await project_provider(env, authority_id, name=f"Service {n + 1}"))
    return council


async def published(env: RunEnvironment, routing_key: str, authority_id: uuid.UUID) -> list[dict[str, Any]]:
    """The payloads actuals' outbox holds of this kind for the authority, oldest first."""
    conn = await db.connect(env.dsn("actuals"))
    try:
        rows = await conn.fetch(
            "SELECT body FROM actuals.outbox WHERE routing_key = $1 ORDER BY id", routing_key
        )
    finally:
        await conn.close()
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["authority_id"] == str(authority_id)]


async def count(env: RunEnvironment, table: str, authority_id: uuid.UUID) -> int:
    conn = await db.connect(env.dsn("actuals"))
    try:
        return int(
            await conn.fetchval(f"SELECT count(*) FROM actuals.{table} WHERE authority_id = $1", authority_id)
        )
    finally:
        await conn.close()


async def post(
    client: httpx.AsyncClient, council: Council, path: str, items: Any, *, ndjson: bool = False
) -> httpx.Response:
    if ndjson:
        body = "\n".join(json.dumps(i) for i in items) + "\n"
        return await client.post(
            f"/council/v1/actuals/{path}",
            content=body.encode(),
            headers={**council.headers, "content-type": "application/x-ndjson"},
            timeout=120,
        )
    return await client.post(f"/council/v1/actuals/{path}", json=items, headers=council.headers, timeout=120)


def client_item(n: int, **changes: Any) -> dict[str, Any]:
    return {"reference": f"SS{n:06d}", "name": f"Client {n}", "date_of_birth": "1940-03-01", **changes}


def level_item(reference: str = "HC-STD", **changes: Any) -> dict[str, Any]:
    return {
        "reference": reference,
        "name": "Home Care - Standard",
        "unit": "Hours",
        "extras_payable": True,
        "rates": [{"effective_from": "2026-04-01", "rate": "21.4500"}],
        **changes,
    }


def cpli_item(n: int, service_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    return {
        "reference": f"CPLI-{n:06d}",
        "client_reference": f"SS{n:06d}",
        "service_level_reference": "HC-STD",
        "service_id": str(service_id),
        "care_package_ref": f"M{n}/Migr:{700000 + n}",
        "start_date": "2026-01-05",
        "end_date": None,
        "cost": "214.50",
        "frequency": "Weekly",
        "pricing": "10 x Hours at £21.45",
        "units_per_week": "10",
        "authorised": True,
        **changes,
    }


@pytest.fixture(scope="session", name="actuals_api")
async def actuals_api_fixture(env: RunEnvironment) -> AsyncIterator[httpx.AsyncClient]:
    """actuals' API in this process, on a real socket, with the run's database and broker (a test module
    imports `actuals_api_fixture` to use it as `actuals_api`)."""
    async with serve(create_api(ACTUALS, env.settings(ACTUALS))) as client:
        yield client
