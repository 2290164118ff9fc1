"""Rows of the claims service written straight into its schema, the claims API in this process, and
reads of what it wrote (claims, items, attachments, outbox, audit), for the claims tests.

The council API fills claims.claimable_level and claimable_level_provider, and the consumers of
actuals' events fill claims.client and claims.placement; a test about something else builds what it
needs here in one call:

    async with claims_conn(env) as conn:
        setup = await build_claimant(conn, authority_id=..., organisation_id=..., label="A1")
    # setup.client_level (client kind, £0.387 a Mile), setup.provider_level (provider kind, £0.387),
    # setup.at_cost_level (provider kind, at cost), setup.client_ids (two children placed with it)

`pending_claim(api, auth, setup)` makes a submitted claim of £61.92 (two items) for the council's tests.

Every id made here is random, and every name carries `label`, so that tests sharing the run's schema
never see each other's rows and a cross-tenant test can look for another tenant's strings (`markers`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from shared import db

API = "/api/v1/claims"
MILEAGE = Decimal("0.3870")


@asynccontextmanager
async def claims_conn(env: Any) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the run's claims schema, as the claims service's own role."""
    conn = await db.connect(env.dsn("claims"))
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def claims_api(env: Any, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The claims API in this process, on a real socket, with the run's database and broker;
    `overrides` are settings (e.g. attachments_max_bytes=...)."""
    from claims.main import DEFINITION as CLAIMS
    from shared.service import create_api
    from tests.support.inprocess import serve

    async with serve(create_api(CLAIMS, env.settings(CLAIMS, **overrides))) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


# --- the council's levels and the clients placed with providers ---------------------------------


async def add_level(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    name: str,
    kind: str = "client",
    unit: str = "Mile",
    unit_cost: Decimal | None = MILEAGE,
    cost_code: str | None = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
    providers: str | Sequence[uuid.UUID] = "all",
    reference: str | None = None,
) -> uuid.UUID:
    """A claimable level (in effect from two years ago unless said), open to all providers or to the
    organisations listed."""
    level_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO claims.claimable_level (level_id, authority_id, reference, name, kind, unit, unit_cost,
                                            cost_code, effective_from, effective_to, all_providers)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        """,
        level_id,
        authority_id,
        reference or f"CL-{level_id.hex[:10]}",
        name,
        kind,
        unit,
        unit_cost,
        cost_code,
        effective_from or date.today() - timedelta(days=730),
        effective_to,
        providers == "all",
    )
    if providers != "all":
        await conn.executemany(
            "INSERT INTO claims.claimable_level_provider (level_id, authority_id, organisation_id)"
            " VALUES ($1, $2, $3)",
            [(level_id, authority_id, organisation_id) for organisation_id in providers],
        )
    return level_id


async def add_client(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, name: str, reference: str | None = None
) -> uuid.UUID:
    client_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO claims.client (client_id, authority_id, reference, name, revision, updated_at)"
        " VALUES ($1, $2, $3, $4, 1, now())",
        client_id,
        authority_id,
        reference or f"C{client_id.hex[:9].upper()}",
        name,
    )
    return client_id


async def add_placement(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    client_id: uuid.UUID,
    start_date: date | None = None,
    end_date: date | None = None,
    authorised: bool = True,
    contract_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A CPLI placing the client with the organisation (from a year ago unless said)."""
    cpli_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO claims.placement (cpli_id, authority_id, organisation_id, contract_id, service_id, client_id,
                                      start_date, end_date, authorised, revision, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, now())
        """,
        cpli_id,
        authority_id,
        organisation_id,
        contract_id or uuid.uuid4(),
        service_id or uuid.uuid4(),
        client_id,
        start_date or date.today() - timedelta(days=365),
        end_date,
        authorised,
    )
    return cpli_id


@dataclass
class Claimant:
    """A provider set up to claim: the council's three levels for it, and two children placed with it."""

    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    client_level: uuid.UUID  # "In-House Fostering Placement - Mileage", client items, £0.387 a Mile
    provider_level: uuid.UUID  # "In-House Foster Carer - Foster Carer Mileage", provider items, £0.387
    at_cost_level: uuid.UUID  # "Parking", provider items, at cost
    client_ids: list[uuid.UUID]
    client_names: list[str]
    extra: dict[str, str] = field(default_factory=dict)  # claim and item ids a test adds

    def markers(self) -> set[str]:
        """Strings that must never reach another tenant."""
        ids = [self.client_level, self.provider_level, self.at_cost_level, *self.client_ids]
        return {str(i) for i in ids} | set(self.client_names) | set(self.extra.values())


async def build_claimant(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    label: str = "",
    contract_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
) -> Claimant:
    """Levels open to this organisation only (so that tenants sharing an authority do not share them)
    and two children placed with it."""
    tag = f"{label} {uuid.uuid4().hex[:6]}".strip()
    only = [organisation_id]
    client_level = await add_level(
        conn,
        authority_id=authority_id,
        name=f"In-House Fostering Placement - Mileage {tag}",
        cost_code="CC-MILES",
        providers=only,
    )
    provider_level = await add_level(
        conn,
        authority_id=authority_id,
        name=f"In-House Foster Carer - Foster Carer Mileage {tag}",
        kind="provider",
        providers=only,
    )
    at_cost_level = await add_level(
        conn,
        authority_id=authority_id,
        name=f"Parking {tag}",
        kind="provider",
        unit="Item",
        unit_cost=None,
        providers=only,
    )
    names = [f"Child One {tag}", f"Child Two {tag}"]
    client_ids = []
    for name in names:
        client_id = await add_client(conn, authority_id=authority_id, name=name)
        await add_placement(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            client_id=client_id,
            contract_id=contract_id,
            service_id=service_id,
        )
        client_ids.append(client_id)
    return Claimant(
        authority_id=authority_id,
        organisation_id=organisation_id,
        client_level=client_level,
        provider_level=provider_level,
        at_cost_level=at_cost_level,
        client_ids=client_ids,
        client_names=names,
    )


# --- calling the API ------------------------------------------------------------------------------


def item_form(**fields: object) -> dict[str, str]:
    """Form fields as strings, leaving out those given as None."""
    return {name: str(value) for name, value in fields.items() if value is not None}


def upload(
    data: bytes, filename: str = "receipt.pdf", content_type: str = "application/pdf"
) -> dict[str, Any]:
    return {"attachment": (filename, data, content_type)}


async def new_claim(api: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = await api.post(f"{API}/claims", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def add_item(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    claim: dict[str, Any],
    *,
    files: dict[str, Any] | None = None,
    expect: int = 201,
    **fields: object,
) -> dict[str, Any]:
    """POST an item to the claim at its current version (unless `version` is given)."""
    form = item_form(**{"version": claim["version"], **fields})
    answer = await api.post(f"{API}/claims/{claim['claim_id']}/items", data=form, files=files, headers=auth)
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


async def submit(api: httpx.AsyncClient, auth: dict[str, str], claim: dict[str, Any]) -> dict[str, Any]:
    answer = await api.post(
        f"{API}/claims/{claim['claim_id']}/submit", json={"version": claim["version"]}, headers=auth
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def pending_claim(
    api: httpx.AsyncClient, auth: dict[str, str], setup: Claimant, *, notes: str = "Mileage for March"
) -> dict[str, Any]:
    """A submitted claim as the council receives it: a client item of 150 miles at £0.387 (£58.05, with
    a PDF) for the first child, and a provider item of 10 miles (£3.87): total £61.92."""
    claim = await new_claim(api, auth, notes=notes)
    claim = await add_item(
        api,
        auth,
        claim,
        kind="client",
        description="School run, March",
        service_level_id=setup.client_level,
        client_id=setup.client_ids[0],
        quantity="150",
        files=upload(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n", "mileage-march.pdf"),
    )
    claim = await add_item(
        api,
        auth,
        claim,
        kind="provider",
        description="Training day",
        service_level_id=setup.provider_level,
        quantity="10",
    )
    return await submit(api, auth, claim)


# --- reading what the service wrote ---------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A claim's rows as stored: to show that a refused change left everything as it was."""

    claim: dict[str, Any] | None
    items: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    contents: int
    requests: int


async def snapshot(env: Any, claim_id: str | uuid.UUID) -> Snapshot:
    async with claims_conn(env) as conn:
        claim = await conn.fetchrow(
            "SELECT * FROM claims.claim WHERE claim_id = $1", uuid.UUID(str(claim_id))
        )
        items = await conn.fetch(
            "SELECT * FROM claims.claim_item WHERE claim_id = $1 ORDER BY kind, position",
            uuid.UUID(str(claim_id)),
        )
        item_ids = [r["item_id"] for r in items]
        attachments = await conn.fetch(
            "SELECT * FROM claims.attachment WHERE owner_id = ANY($1::uuid[]) ORDER BY created_at", item_ids
        )
        contents = await conn.fetchval(
            "SELECT count(*) FROM claims.attachment_content WHERE attachment_id = ANY($1::uuid[])",
            [r["attachment_id"] for r in attachments],
        )
        requests = await conn.fetchval(
            "SELECT count(*) FROM claims.decision_request WHERE subject = $1", f"claim:{claim_id}"
        )
    return Snapshot(
        claim=dict(claim) if claim else None,
        items=[dict(r) for r in items],
        attachments=[dict(r) for r in attachments],
        contents=int(contents),
        requests=int(requests),
    )


async def attachments_of_organisation(env: Any, organisation_id: uuid.UUID) -> int:
    """Every attachment row of the organisation (a refused upload must leave none behind)."""
    async with claims_conn(env) as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM claims.attachment WHERE organisation_id = $1", organisation_id
            )
        )


async def published(env: Any, routing_key: str, claim_id: str | uuid.UUID) -> list[dict[str, Any]]:
    """The payloads of this kind in claims' outbox for the claim, oldest first."""
    async with claims_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT body FROM claims.outbox WHERE routing_key = $1 ORDER BY id", routing_key
        )
    envelopes = [json.loads(r["body"]) for r in rows]
    return [e["payload"] for e in envelopes if e["aggregate_id"] == str(claim_id)]


async def audited(env: Any, organisation_id: uuid.UUID) -> list[str]:
    """The audit actions of the organisation, oldest first."""
    async with claims_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT action FROM claims.audit_event WHERE organisation_id = $1 ORDER BY audit_id",
            organisation_id,
        )
    return [r["action"] for r in rows]
