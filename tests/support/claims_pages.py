"""The One-Off Claims pages for the end-to-end and browser tests and `make screenshots`: a provider of a
portal council with its children in placement (claims' projection of actuals' clients and CPLIs) and
the service levels the council lets it claim (through the council API), a logged-in user of it, the
council's decision through the council API, small files to attach, the pages' forms read back (their
options and hidden fields), and a walk of the seed's journey for the browser."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from playwright.async_api import Page

from shared import db
from tests.support.actuals_pages import csrf_of
from tests.support.identity import Tenant, bearer, portal_tenant
from tests.support.portal_login import PortalUser, Visit, log_in, new_user, submit
from tests.support.stack import Stack

DURHAM = "durham-childrens"
TELFORD = "telford-wrekin"
CHILDREN = (("Testing, CLA", "CLA"), ("Sample, CLB", "CLB"))
CLIENT_MILEAGE = "In-House Fostering Placement - Mileage"
CARER_MILEAGE = "In-House Foster Carer - Foster Carer Mileage"
PARKING = "In-House Foster Carer - Parking"
# The smallest files of each kind the service takes, recognised by their content (shared.attachments).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


@dataclass
class ClaimsProvider:
    tenant: Tenant
    user: PortalUser
    children: dict[str, uuid.UUID] = field(default_factory=dict)  # name -> client_id
    levels: dict[str, str] = field(default_factory=dict)  # name -> reference

    @property
    def organisation_id(self) -> uuid.UUID:
        return self.tenant.organisations["A"]

    @property
    def base(self) -> str:
        return f"/{self.tenant.slug}/one-off-claims"


@asynccontextmanager
async def claims_conn(env: object) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the run's claims schema, as the claims service's own role."""
    conn = await db.connect(env.dsn("claims"))  # type: ignore[attr-defined]
    try:
        yield conn
    finally:
        await conn.close()


async def place_children(
    env: object, tenant: Tenant, names: tuple[tuple[str, str], ...]
) -> dict[str, uuid.UUID]:
    """Children placed with the tenant's provider A since a year ago, as claims' projection holds them
    once actuals has published its clients and CPLIs (the projection's own tests cover the events)."""
    placed = {}
    now = datetime.now(UTC)
    async with claims_conn(env) as conn:
        for name, prefix in names:
            client_id = uuid.uuid4()
            await conn.execute(
                "INSERT INTO claims.client (client_id, authority_id, reference, name, revision, updated_at)"
                " VALUES ($1, $2, $3, $4, 1, $5)",
                client_id,
                tenant.authority_id,
                f"{prefix}{client_id.hex[:6].upper()}",
                name,
                now,
            )
            await conn.execute(
                "INSERT INTO claims.placement (cpli_id, authority_id, organisation_id, contract_id, service_id,"
                " client_id, start_date, end_date, authorised, revision, updated_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, true, 1, $8)",
                uuid.uuid4(),
                tenant.authority_id,
                tenant.organisations["A"],
                uuid.uuid4(),
                uuid.uuid4(),
                client_id,
                date.today() - timedelta(days=400),
                now,
            )
            placed[name] = client_id
    return placed


async def offer_levels(stack: Stack, tenant: Tenant) -> dict[str, str]:
    """The seed's claimable levels (mileage at £0.387 a mile for a child and for the carer, parking at
    cost), open to all the council's providers as Durham's are, set through the council API. The same
    references each time: a second call changes nothing, so every provider of the council in the run
    sees one of each."""
    start = (date.today() - timedelta(days=400)).isoformat()
    levels = [
        (CLIENT_MILEAGE, "client", "Mile", "0.387", "OOC-CM"),
        (CARER_MILEAGE, "provider", "Mile", "0.387", "OOC-FM"),
        (PARKING, "provider", "Ticket", None, "OOC-PK"),
    ]
    body = [
        {
            "reference": reference,
            "name": name,
            "kind": kind,
            "unit": unit,
            "unit_cost": cost,
            "cost_code": f"CC-{reference}",
            "effective_from": start,
            "providers": "all",
        }
        for name, kind, unit, cost, reference in levels
    ]
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as gateway:
        answer = await gateway.put(
            "/council/v1/claims/service-levels",
            json=body,
            headers=bearer(stack.env.council_token(tenant.authority_id)),
        )
    assert answer.status_code == 200, answer.text
    return {level["name"]: level["reference"] for level in body}


async def claims_provider(
    stack: Stack,
    *,
    slug: str = DURHAM,
    role: str = "full",
    can_edit: bool = True,
    levels: bool = True,
) -> ClaimsProvider:
    """A fresh provider of `slug` with two children in placement and (with `levels`) the seed's levels
    to claim, and a user of `role` whose first login is done."""
    tenant = await portal_tenant(stack.env, slug)
    children = await place_children(stack.env, tenant, CHILDREN)
    offered = await offer_levels(stack, tenant) if levels else {}
    user = await new_user(stack, tenant=tenant, role=role, can_edit=can_edit)
    return ClaimsProvider(tenant, user, children, offered)


async def another_user(stack: Stack, provider: ClaimsProvider, *, role: str, can_edit: bool) -> PortalUser:
    """A second user of the same provider (e.g. read only)."""
    return await new_user(stack, tenant=provider.tenant, role=role, can_edit=can_edit)


async def decide(
    stack: Stack, tenant: Tenant, claim_id: str, decision: str, items: list[dict[str, Any]], reason: str = ""
) -> httpx.Response:
    """The council's decision through the council API."""
    body: dict[str, Any] = {"decision": decision, "items": items}
    if reason:
        body["reason"] = reason
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as gateway:
        return await gateway.post(
            f"/council/v1/claims/claims/{claim_id}/decision",
            json=body,
            headers=bearer(stack.env.council_token(tenant.authority_id)),
        )


async def council_claim(stack: Stack, tenant: Tenant, claim_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as gateway:
        answer = await gateway.get(
            f"/council/v1/claims/claims/{claim_id}",
            headers=bearer(stack.env.council_token(tenant.authority_id)),
        )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


# --- Reading the pages ----------------------------------------------------------------------------


def options(html: str, name: str) -> dict[str, str]:
    """The options of the select `name`: text -> value (without the "No Selection" choice)."""
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return {
        re.sub(r"\s*\(.*\)$", "", text.strip()): value
        for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
        if value
    }


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} on the page"
    return found.group(1)


def claim_id_of(location: str) -> str:
    found = re.search(r"/one-off-claims/([0-9a-f-]{36})", location)
    assert found, location
    return found.group(1)


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table `table_id`."""
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def summary(html: str) -> list[str]:
    """The GOV.UK error summary's links (the fields named), or [] without one."""
    if "govuk-error-summary__list" not in html:
        return []
    listed = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([a-z_]+)">', listed)


async def new_claim(client: httpx.AsyncClient, provider: ClaimsProvider, notes: str = "") -> str:
    form = await client.get(f"{provider.base}/new")
    assert form.status_code == 200, form.text[:500]
    today = date.today()
    created = await client.post(
        f"{provider.base}/new",
        data={
            "csrf_token": csrf_of(form),
            "claim_date-day": str(today.day),
            "claim_date-month": str(today.month),
            "claim_date-year": str(today.year),
            "notes": notes,
        },
    )
    assert created.status_code == 303, created.text[:800]
    return claim_id_of(created.headers["location"])


async def post_item(
    client: httpx.AsyncClient,
    provider: ClaimsProvider,
    claim_id: str,
    kind: str,
    fields: dict[str, str],
    *,
    level: str,
    file: tuple[str, bytes, str] | None = None,
    edit: str | None = None,
) -> httpx.Response:
    """Open the item form (new of `kind`, or `edit` an item), fill it in and post it as the browser does
    (multipart, with the file when given)."""
    address = (
        f"{provider.base}/{claim_id}/items/{edit}/edit"
        if edit
        else f"{provider.base}/{claim_id}/items/new?kind={kind}"
    )
    form = await client.get(address)
    assert form.status_code == 200, form.text[:500]
    data = {
        "csrf_token": csrf_of(form),
        "version": hidden(form.text, "version"),
        "service_level_id": options(form.text, "service_level_id").get(level, level),
        **fields,
    }
    if kind == "client" and "client_id" not in fields:
        data["client_id"] = options(form.text, "client_id")["Testing, CLA"]
    files = {"attachment": file} if file else {"attachment": ("", b"", "application/octet-stream")}
    return await client.post(address, data=data, files=files)


async def claim_page(client: httpx.AsyncClient, provider: ClaimsProvider, claim_id: str) -> str:
    page = await client.get(f"{provider.base}/{claim_id}")
    assert page.status_code == 200, page.text[:500]
    return page.text


# --- In a browser ---------------------------------------------------------------------------------


async def walk_claims_pages(page: Page, stack: Stack, visit: Visit, *, slug: str = DURHAM) -> list[str]:
    """The seed's journey: the list, a new claim, a client item (first refused for its quantity, then
    with the mileage form attached), a provider item, the claim submitted; the council accepts it with
    the parking excluded, and the provider sees the decision. Calls `visit(page, name)` on each page."""
    provider = await claims_provider(stack, slug=slug)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    await log_in(page, stack.url, provider.user)
    await page.goto(f"{stack.url}{provider.base}")
    await at("claims-list")
    async with page.expect_navigation():
        await page.click("#new-claim")
    await at("claims-new")
    await page.fill("#notes", "Mileage claim for 1st - 6th September")
    await submit(page)
    claim_url = page.url.split("?", 1)[0]
    async with page.expect_navigation():
        await page.click("#add-client-item")
    await page.fill("#description", "School runs")
    await page.select_option("#service_level_id", label=f"{CLIENT_MILEAGE} (£0.39 per Mile)")
    child = await page.locator("#client_id option", has_text="Testing, CLA").get_attribute("value")
    await page.select_option("#client_id", value=child)
    await page.fill("#quantity", "150.123")
    await submit(page)
    await at("claims-item-errors")
    await page.fill("#quantity", "150")
    await page.set_input_files(
        "#attachment", files=[{"name": "mileage.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await submit(page)
    async with page.expect_navigation():
        await page.click("#add-provider-item")
    await page.fill("#description", "Parking at the training centre")
    await page.select_option("#service_level_id", label=f"{PARKING} (at cost, per Ticket)")
    await page.fill("#quantity", "1")
    await page.fill("#unit_cost", "4.50")
    await page.set_input_files(
        "#attachment", files=[{"name": "ticket.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await submit(page)
    await at("claims-claim")
    async with page.expect_navigation():
        await page.click("#submit-claim")
    await at("claims-submitted")
    claim_id = claim_id_of(claim_url)
    claim = await council_claim(stack, provider.tenant, claim_id)
    parking = claim["provider_items"][0]["item_id"]
    decided = await decide(
        stack,
        provider.tenant,
        claim_id,
        "accepted",
        [{"item_id": parking, "included": False, "la_notes": "Parking is paid by the training provider"}],
    )
    assert decided.status_code == 200, decided.text
    await page.goto(claim_url)
    await at("claims-decided")
    async with page.expect_navigation():
        await page.locator("#provider-items a:has-text('view')").first.click()
    await at("claims-item")
    return seen
