"""The Organisation Details and Contacts pages in a browser (the browser tests and `make screenshots`): a
provider with a contract, a service and contact details, made through the council API, and a walk of
every page, blank, with its errors and after sending."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Page

from shared import db
from tests.support.identity import Tenant, bearer, portal_tenant
from tests.support.portal_login import PortalUser, Visit, log_in, new_user, submit
from tests.support.stack import Stack

DETAILS = {
    "address": "Unit 4, Hortonwood 30\nTelford",
    "postcode": "TF1 7YD",
    "phone": "01632 960201",
    "email": "office@purplecare.example",
}


async def provider_with_directory(
    stack: Stack, slug: str = "telford-wrekin"
) -> tuple[Tenant, dict[str, str]]:
    """A fresh organisation of `slug` (named like the demo's Purple Care, for the screenshots) with
    contact details, a contract and a service under it; returns the tenant and the names
    {"organisation", "contract", "service"} (and "service_id")."""
    tenant = await portal_tenant(stack.env, slug)
    organisation_id = tenant.organisations["A"]
    conn = await db.connect(stack.env.dsn("identity"))
    try:
        reference = await conn.fetchval(
            "SELECT reference FROM identity.organisation WHERE organisation_id = $1", organisation_id
        )
    finally:
        await conn.close()
    run = uuid.uuid4().hex[:6]
    council = bearer(stack.env.council_token(tenant.authority_id))
    async with httpx.AsyncClient(base_url=stack.url, timeout=15, headers=council) as client:
        put = await client.put(
            "/council/v1/identity/organisations",
            json={"reference": reference, "name": "Purple Care Ltd", **DETAILS},
        )
        assert put.status_code == 200, put.text
        contract = await client.put(
            "/council/v1/identity/contracts",
            json={
                "reference": f"C-{run}",
                "organisation_id": str(organisation_id),
                "name": "Purple Care - Home Care",
                "payment_basis": "actuals",
                "frequency": "four_weekly",
            },
        )
        assert contract.status_code == 200, contract.text
        service = await client.put(
            "/council/v1/identity/services",
            json={
                "reference": f"S-{run}",
                "contract_id": contract.json()["contract_id"],
                "name": "Purple Care - Extra Care",
            },
        )
        assert service.status_code == 200, service.text
    return tenant, {
        "organisation": put.json()["name"],
        "contract": contract.json()["name"],
        "service": service.json()["name"],
        "service_id": service.json()["service_id"],
    }


async def fill_new_contact(page: Page, email: str, *, scope: str, role: str = "care:read") -> None:
    await page.fill("#forename", "Bart")
    await page.fill("#surname", "Simpson")
    await page.fill("#address", "1 The Gatehouse\nDarlington DL1 3HA")
    await page.fill("#phone", "01632 960 999")
    await page.fill("#email", email)
    await page.select_option("#scope", label=scope)
    await page.select_option("#role", role)


async def walk_organisation_pages(
    page: Page, stack: Stack, visit: Visit, *, slug: str = "telford-wrekin"
) -> list[str]:
    """Every page of Organisation Details and Contacts, blank, with its errors and after sending, calling
    `visit(page, name)` on each (the accessibility test checks it, `make screenshots` photographs it)."""
    tenant, names = await provider_with_directory(stack, slug)
    user: PortalUser = await new_user(stack, tenant=tenant)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    await log_in(page, stack.url, user)
    await page.goto(f"{stack.url}/{slug}/organisation-details")
    await at("organisation-details")
    await page.goto(f"{stack.url}/{slug}/organisation-details/change")
    await at("organisation-change")
    await page.fill("#postcode", "not a postcode")
    await page.fill("#email", "")
    await submit(page)
    await at("organisation-change-errors")
    await page.fill("#postcode", "TF1 7YE")
    await page.fill("#email", "accounts@purplecare.example")
    await submit(page)
    await at("organisation-change-sent")
    await page.goto(f"{stack.url}/{slug}/contacts")
    await at("contacts")
    await page.goto(f"{stack.url}/{slug}/contacts/new")
    await at("contact-new")
    await submit(page)
    await at("contact-new-errors")
    # A fixed e-mail (the organisation is new each time), so that the screenshots are the same each run.
    await fill_new_contact(page, "bart.simpson@purplecare.example", scope=f"Service - {names['service']}")
    await submit(page)
    await at("contacts-requested")
    return seen
