"""The messaging API in this process (with its clock frozen where a test says), providers set up in
messaging's projections (an organisation, a service, a client placed with it: as identity's and actuals'
events would leave them), the seeds' configuration through the council API, and reads of what the
service wrote (actions, posts, outbox, requests), for the messaging tests.

Every id is random and every name carries a label, so tests sharing the run's schema never see each
other's rows, and a cross-tenant test can look for another tenant's strings (`Tenant.markers`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from messaging.api import deps
from messaging.domain.clock import FixedClock
from messaging.main import DEFINITION as MESSAGING
from shared import db
from shared.auth import Role, ScopeType
from shared.service import create_api
from tests.support.inprocess import serve

API = "/api/v1/messaging"
COUNCIL = "/council/v1/messaging"


@asynccontextmanager
async def messaging_conn(env: Any) -> AsyncIterator[asyncpg.Connection]:
    conn = await db.connect(env.dsn("messaging"))
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def messaging_api(
    env: Any, *, today: date | None = None, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The messaging API on a real socket; with `today`, its clock stands at noon UTC that day."""
    app = create_api(MESSAGING, env.settings(MESSAGING, **overrides))
    if today is not None:
        frozen = FixedClock(datetime(today.year, today.month, today.day, 12, tzinfo=UTC))
        app.dependency_overrides[deps.clock] = lambda: frozen
    async with serve(app) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@dataclass
class Tenant:
    """A provider of an authority as messaging knows it: its organisation, one service under a contract,
    and one client placed with it by a CPLI."""

    label: str
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    contract_id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    client_id: uuid.UUID
    client_name: str
    extra: dict[str, str] = field(default_factory=dict)

    def token(
        self,
        env: Any,
        *,
        role: Role = Role.full,
        can_edit: bool = True,
        scope: ScopeType = ScopeType.organisation,
        **options: Any,
    ) -> str:
        scope_id = {
            ScopeType.organisation: self.organisation_id,
            ScopeType.contract: self.contract_id,
            ScopeType.service: self.service_id,
        }[scope]
        return env.token(
            authority_id=self.authority_id,
            organisation_id=self.organisation_id,
            role=role,
            can_edit=can_edit,
            scope_type=scope,
            scope_id=scope_id,
            **options,
        )

    def headers(self, env: Any, **options: Any) -> dict[str, str]:
        return bearer(self.token(env, **options))

    def markers(self) -> set[str]:
        values = {
            self.organisation_id,
            self.service_id,
            self.client_id,
            self.organisation_name,
            self.client_name,
            self.service_name,
        }
        return {str(v) for v in values} | set(self.extra.values())


async def add_tenant(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    label: str,
    organisation_id: uuid.UUID | None = None,
    contract_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
    slug: str | None = None,
) -> Tenant:
    tag = f"{label} {uuid.uuid4().hex[:6]}"
    tenant = Tenant(
        label=label,
        authority_id=authority_id,
        organisation_id=organisation_id or uuid.uuid4(),
        organisation_name=f"Sausage Sandwich {tag}",
        contract_id=contract_id or uuid.uuid4(),
        service_id=service_id or uuid.uuid4(),
        service_name=f"Fostering {tag}",
        client_id=uuid.uuid4(),
        client_name=f"Bart Simpson {tag}",
    )
    await conn.execute(
        "INSERT INTO messaging.authority (authority_id, slug, revision, updated_at) VALUES ($1, $2, 1, now())"
        " ON CONFLICT (authority_id) DO NOTHING",
        authority_id,
        slug or f"council-{authority_id.hex[:8]}",  # identity's authority event: its pages' slug
    )
    await conn.execute(
        "INSERT INTO messaging.organisation (organisation_id, authority_id, name, reference, active, revision, updated_at)"
        " VALUES ($1, $2, $3, $4, true, 1, now()) ON CONFLICT (organisation_id) DO NOTHING",
        tenant.organisation_id,
        authority_id,
        tenant.organisation_name,
        f"P{tenant.organisation_id.hex[:6]}",
    )
    await conn.execute(
        "INSERT INTO messaging.provider_service (service_id, authority_id, organisation_id, contract_id, reference,"
        " name, active, revision, updated_at) VALUES ($1, $2, $3, $4, $5, $6, true, 1, now())"
        " ON CONFLICT (service_id) DO NOTHING",
        tenant.service_id,
        authority_id,
        tenant.organisation_id,
        tenant.contract_id,
        f"S-{tenant.service_id.hex[:6]}",
        tenant.service_name,
    )
    await conn.execute(
        "INSERT INTO messaging.client (client_id, authority_id, reference, name, revision, updated_at)"
        " VALUES ($1, $2, $3, $4, 1, now())",
        tenant.client_id,
        authority_id,
        f"C{tenant.client_id.hex[:7].upper()}",
        tenant.client_name,
    )
    await conn.execute(
        "INSERT INTO messaging.placement (cpli_id, authority_id, organisation_id, contract_id, service_id, client_id,"
        " start_date, end_date, authorised, revision, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, true, 1, now())",
        uuid.uuid4(),
        authority_id,
        tenant.organisation_id,
        tenant.contract_id,
        tenant.service_id,
        tenant.client_id,
        date.today() - timedelta(days=365),
    )
    return tenant


async def configure(api: httpx.AsyncClient, env: Any, authority_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """The seeds' teams and types for the authority, through the council API: {name: type}, and teams
    under "team:<name>"."""
    council = bearer(env.council_token(authority_id))
    answer = await api.post(f"{COUNCIL}/configuration/defaults", headers=council)
    assert answer.status_code == 200, answer.text
    found: dict[str, dict[str, Any]] = {t["name"]: t for t in answer.json()}
    teams = await api.get(f"{COUNCIL}/teams", headers=council)
    assert teams.status_code == 200, teams.text
    found.update({f"team:{t['name']}": t for t in teams.json()})
    return found


async def new_action(
    api: httpx.AsyncClient, headers: dict[str, str], expect: int = 201, **body: Any
) -> dict[str, Any]:
    answer = await api.post(
        f"{API}/actions",
        json={k: str(v) if isinstance(v, uuid.UUID) else v for k, v in body.items()},
        headers=headers,
    )
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


@dataclass(frozen=True)
class Snapshot:
    action: dict[str, Any] | None
    posts: list[dict[str, Any]]
    attachments: int
    requests: int
    outbox: int


async def snapshot(env: Any, action_id: str | uuid.UUID) -> Snapshot:
    """An action's rows as stored: to show that a refused change left everything as it was."""
    action_id = uuid.UUID(str(action_id))
    async with messaging_conn(env) as conn:
        action = await conn.fetchrow("SELECT * FROM messaging.action WHERE action_id = $1", action_id)
        posts = await conn.fetch("SELECT * FROM messaging.post WHERE action_id = $1 ORDER BY seq", action_id)
        attachments = await conn.fetchval(
            "SELECT count(*) FROM messaging.attachment WHERE owner_id = $1", action_id
        )
        requests = await conn.fetchval(
            "SELECT count(*) FROM messaging.decision_request WHERE subject = $1", f"action:{action_id}"
        )
        outbox = await conn.fetchval(
            "SELECT count(*) FROM messaging.outbox WHERE convert_from(body, 'UTF8')::jsonb ->> 'aggregate_id' = $1",
            str(action_id),
        )
    return Snapshot(
        action=dict(action) if action else None,
        posts=[dict(p) for p in posts],
        attachments=int(attachments),
        requests=int(requests),
        outbox=int(outbox),
    )


async def published(env: Any, routing_key: str, aggregate_id: str | uuid.UUID) -> list[dict[str, Any]]:
    """The payloads of this kind in messaging's outbox for the aggregate, oldest first."""
    async with messaging_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT body FROM messaging.outbox WHERE routing_key = $1 ORDER BY id", routing_key
        )
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["aggregate_id"] == str(aggregate_id)]


async def count_actions(env, organisation_id) -> int:
    async with messaging_conn(env) as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM messaging.action WHERE organisation_id = $1", organisation_id
            )
        )
