"""What the claims council tests share: claims' API in the test's process, councils with providers in
claims' projections (identity's organisations, actuals' clients and placements, applied as their events
would be), and the claimable service levels put through the council API."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from claims.consumers import clients, organisations, placements
from claims.main import DEFINITION as CLAIMS
from shared import db
from shared.auth import Role
from shared.events import ClientUpserted, CpliUpserted, OrganisationUpserted, make_envelope
from shared.service import create_api
from tests.support.environment import RunEnvironment
from tests.support.inprocess import serve


@dataclass
class Provider:
    organisation_id: uuid.UUID
    contract_id: uuid.UUID = field(default_factory=uuid.uuid4)
    service_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def token(self, env: RunEnvironment, authority_id: uuid.UUID, **options: Any) -> str:
        return env.token(authority_id=authority_id, organisation_id=self.organisation_id, **options)


@dataclass
class Council:
    authority_id: uuid.UUID
    token: str
    providers: list[Provider] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def provider_headers(
        self, env: RunEnvironment, n: int = 0, *, role: Role = Role.full, **options: Any
    ) -> dict[str, str]:
        token = self.providers[n].token(env, self.authority_id, role=role, **options)
        return {"authorization": f"Bearer {token}"}


async def _apply(env: RunEnvironment, projection: Any, event: Any, aggregate_id: uuid.UUID) -> None:
    conn = await db.connect(env.dsn("claims"))
    try:
        await projection.apply(
            conn, make_envelope(event, aggregate_id=aggregate_id, authority_id=event.authority_id), event
        )
    finally:
        await conn.close()


async def project_organisation(
    env: RunEnvironment, authority_id: uuid.UUID, name: str = "Provider"
) -> Provider:
    """An organisation in claims' projection, as identity's event would put it there."""
    provider = Provider(uuid.uuid4())
    event = OrganisationUpserted(
        organisation_id=provider.organisation_id,
        authority_id=authority_id,
        name=f"{name} {provider.organisation_id.hex[:6]}",
        reference=f"O{provider.organisation_id.hex[:8]}",
        active=True,
        revision=1,
        updated_at=datetime.now(UTC),
    )
    await _apply(env, organisations.projection, event, provider.organisation_id)
    return provider


async def make_council(env: RunEnvironment, *, providers: int = 1, can_edit: bool = True) -> Council:
    authority_id = uuid.uuid4()
    council = Council(authority_id, env.council_token(authority_id, can_edit=can_edit))
    for n in range(providers):
        council.providers.append(await project_organisation(env, authority_id, f"Provider {n + 1}"))
    return council


async def place_client(
    env: RunEnvironment,
    council: Council,
    provider: Provider,
    name: str,
    *,
    start_date: date = date(2025, 4, 1),
    end_date: date | None = None,
    authorised: bool = True,
    client_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A client (new unless `client_id`) and a CPLI placing them with the provider, applied to claims'
    projections as actuals' events would be; answers the client's id."""
    now = datetime.now(UTC)
    if client_id is None:
        client_id = uuid.uuid4()
        client = ClientUpserted(
            client_id=client_id,
            authority_id=council.authority_id,
            reference=f"SS{client_id.hex[:8]}",
            name=name,
            date_of_birth=date(2014, 6, 1),
            revision=1,
            updated_at=now,
        )
        await _apply(env, clients, client, client_id)
    cpli = CpliUpserted(
        cpli_id=uuid.uuid4(),
        authority_id=council.authority_id,
        organisation_id=provider.organisation_id,
        contract_id=provider.contract_id,
        service_id=provider.service_id,
        client_id=client_id,
        client_reference=f"SS{client_id.hex[:8]}",
        service_level_id=uuid.uuid4(),
        reference=f"CPLI-{uuid.uuid4().hex[:8]}",
        care_package_ref="M1/Migr:1",
        start_date=start_date,
        end_date=end_date,
        cost="646.06",  # type: ignore[arg-type]
        frequency="Weekly",
        pricing="1 x Placement at £646.06 (Spot)",
        units_per_week=None,
        timetable=[],
        authorised=authorised,
        revision=1,
        updated_at=now,
    )
    await _apply(env, placements, cpli, cpli.cpli_id)
    return client_id


def level_item(reference: str = "IHF-MILEAGE", **changes: Any) -> dict[str, Any]:
    return {
        "reference": reference,
        "name": "In-House Fostering Placement - Mileage",
        "kind": "client",
        "unit": "Miles",
        "unit_cost": "0.387",
        "cost_code": "FC-MILE",
        "effective_from": "2025-04-01",
        "effective_to": None,
        "providers": "all",
        **changes,
    }


async def put_levels(
    client: httpx.AsyncClient, headers: dict[str, str], items: Any, *, ndjson: bool = False
) -> httpx.Response:
    if ndjson:
        body = "\n".join(json.dumps(i) for i in items) + "\n"
        return await client.put(
            "/council/v1/claims/service-levels",
            content=body.encode(),
            headers={**headers, "content-type": "application/x-ndjson"},
        )
    # json.dumps, not httpx's json=: it writes any text as ASCII escapes, half a UTF-16 pair too
    return await client.put(
        "/council/v1/claims/service-levels",
        content=json.dumps(items).encode(),
        headers={**headers, "content-type": "application/json"},
    )


async def level_rows(env: RunEnvironment, authority_id: uuid.UUID) -> list[dict[str, Any]]:
    """The authority's stored levels with their named providers, by reference."""
    conn = await db.connect(env.dsn("claims"))
    try:
        rows = await conn.fetch(
            "SELECT l.reference, l.name, l.kind, l.unit, l.unit_cost::text AS unit_cost, l.cost_code,"
            " l.effective_from, l.effective_to, l.all_providers, l.revision,"
            " ARRAY(SELECT p.organisation_id FROM claims.claimable_level_provider p"
            "       WHERE p.level_id = l.level_id ORDER BY p.organisation_id) AS providers"
            " FROM claims.claimable_level l WHERE l.authority_id = $1 ORDER BY l.reference",
            authority_id,
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def audit_actions(env: RunEnvironment, authority_id: uuid.UUID) -> list[str]:
    conn = await db.connect(env.dsn("claims"))
    try:
        rows = await conn.fetch(
            "SELECT action FROM claims.audit_event WHERE authority_id = $1 ORDER BY 1", authority_id
        )
    finally:
        await conn.close()
    return [r["action"] for r in rows]


@pytest.fixture(scope="session", name="claims_api")
async def claims_api_fixture(env: RunEnvironment) -> AsyncIterator[httpx.AsyncClient]:
    """claims' API in this process, on a real socket, with the run's database and broker (a test module
    imports `claims_api_fixture` to use it as `claims_api`)."""
    async with serve(create_api(CLAIMS, env.settings(CLAIMS))) as client:
        yield client


# --- submitted claims, through the provider API ----------------------------------------------------


@dataclass
class Submitted:
    """A claim the provider submitted: 150 miles for a child (£58.05, with a PDF), 10 miles of its own
    (£3.87) and a car park at cost (£4.50)."""

    claimant: Any  # tests.claims.support.Claimant
    provider: dict[str, str]  # the provider's headers
    council: dict[str, str]  # the council's headers
    claim: dict[str, Any]  # as the submit answered

    @property
    def claim_id(self) -> str:
        return str(self.claim["claim_id"])

    def item(self, description: str) -> dict[str, Any]:
        everything = self.claim["client_items"] + self.claim["provider_items"]
        [found] = [i for i in everything if i["description"] == description]
        return dict(found)


async def submitted_claim(
    env: RunEnvironment,
    api: httpx.AsyncClient,
    *,
    authority_id: uuid.UUID | None = None,
    submit: bool = True,
) -> Submitted:
    from tests.claims.support import add_item, build_claimant, claims_conn, new_claim, upload
    from tests.support import uploads

    authority_id = authority_id or uuid.uuid4()
    organisation_id = uuid.uuid4()
    async with claims_conn(env) as conn:
        claimant = await build_claimant(conn, authority_id=authority_id, organisation_id=organisation_id)
    provider = {
        "authorization": f"Bearer {env.token(authority_id=authority_id, organisation_id=organisation_id)}"
    }
    council = {"authorization": f"Bearer {env.council_user_token(authority_id)}"}
    claim = await new_claim(api, provider, notes="Mileage for November")
    claim = await add_item(
        api,
        provider,
        claim,
        kind="client",
        description="School run",
        service_level_id=claimant.client_level,
        client_id=claimant.client_ids[0],
        quantity="150",
        files=upload(uploads.PDF, "mileage.pdf"),
    )
    claim = await add_item(
        api,
        provider,
        claim,
        kind="provider",
        description="Training day",
        service_level_id=claimant.provider_level,
        quantity="10",
    )
    claim = await add_item(
        api,
        provider,
        claim,
        kind="provider",
        description="Hospital car park",
        service_level_id=claimant.at_cost_level,
        quantity="1",
        unit_cost="4.50",
    )
    if submit:
        answer = await api.post(
            f"/api/v1/claims/claims/{claim['claim_id']}/submit",
            json={"version": claim["version"]},
            headers=provider,
        )
        assert answer.status_code == 200, answer.text
        claim = answer.json()
    return Submitted(claimant, provider, council, claim)
