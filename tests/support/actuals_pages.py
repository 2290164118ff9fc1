"""The Actuals and Care Package Line Items pages for the end-to-end and browser tests and `make
screenshots`: a provider of a portal council with clients, service levels and CPLIs in the actuals
service (tests/actuals/support.py), a logged-in user of it, a logged-in httpx client of the pages
(with the CSRF token of a page's form), and a walk of every page for the browser."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from playwright.async_api import Page

from tests.actuals.support import ProviderPackage, actuals_conn, build_provider
from tests.support.identity import Journey, Tenant, portal_tenant
from tests.support.portal_login import PortalUser, Visit, log_in, new_user, submit
from tests.support.stack import Stack

SLUG = "telford-wrekin"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def last_week() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 7)


@dataclass
class ActualsProvider:
    tenant: Tenant
    package: ProviderPackage
    user: PortalUser

    @property
    def week_path(self) -> str:
        return f"/{self.tenant.slug}/actuals/{self.package.service_id}"


async def actuals_provider(
    stack: Stack, *, slug: str = SLUG, role: str = "care", can_edit: bool = True, **options: object
) -> ActualsProvider:
    """A fresh organisation of `slug` with a contract, a service and its clients' CPLIs in actuals
    (`options`: build_provider's), and a user of `role` whose first login is done."""
    tenant = await portal_tenant(stack.env, slug)
    options.setdefault("clients", 6)
    async with actuals_conn(stack.env) as conn:
        package = await build_provider(
            conn,
            authority_id=tenant.authority_id,
            organisation_id=tenant.organisations["A"],
            label="",
            **options,  # type: ignore[arg-type]
        )
    user = await new_user(stack, tenant=tenant, role=role, can_edit=can_edit)
    return ActualsProvider(tenant, package, user)


async def pages_client(stack: Stack, user: PortalUser) -> httpx.AsyncClient:
    """An httpx client of the gateway logged in as `user` (the session cookie of a full login)."""
    async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=15) as identity:
        session_id = await Journey(identity, stack.env).login(user.tenant, user.email)
    return httpx.AsyncClient(
        base_url=stack.url, timeout=30, cookies={"portal_session": session_id}, follow_redirects=False
    )


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "no form with a CSRF token on the page"
    return found.group(1)


async def post_form(
    client: httpx.AsyncClient, page_path: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """GET `page_path` (for its form's token and the CSRF cookie), then POST `data` to `action`."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text[:500]
    return await client.post(action, data={"csrf_token": csrf_of(page), **data})


# --- In a browser ---------------------------------------------------------------------------------


def import_file(reference: str, rows: list[tuple[str, str, str]], *, service: str, week: date) -> str:
    """An import file of (client reference, actual, comment) rows for `service` and `week`."""
    header = "file_reference,service,client_reference,week_commencing,actual,planned,frustrated,missed,extra,visits,comment"
    lines = [header]
    for ssref, actual, comment in rows:
        lines.append(f"{reference},{service},{ssref},{week:%d/%m/%Y},{actual},10,0,0,0,,{comment}")
    return "\n".join(lines) + "\n"


async def client_refs(package: ProviderPackage, stack: Stack) -> list[str]:
    async with actuals_conn(stack.env) as conn:
        rows = await conn.fetch(
            "SELECT client_id, reference FROM actuals.client WHERE client_id = ANY($1::uuid[])",
            package.client_ids,
        )
    by_id = {row["client_id"]: row["reference"] for row in rows}
    return [by_id[c] for c in package.client_ids]


async def walk_actuals_pages(page: Page, stack: Stack, visit: Visit, *, slug: str = SLUG) -> list[str]:
    """Generate a week, edit a line with a comment (first with an error), confirm the week; the CPLIs;
    an import refused for an error, then the corrected file imported. Calls `visit(page, name)` on each
    page (the browser tests check it, `make screenshots` photographs it)."""
    provider = await actuals_provider(stack, slug=slug, clients=8, timetable_every=0)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    week = last_week()
    await log_in(page, stack.url, provider.user)
    await page.goto(f"{stack.url}/{slug}/care-package-line-items")
    await at("cplis")
    await page.goto(f"{stack.url}/{slug}/actuals")
    await at("actuals-services")
    await page.goto(f"{stack.url}{provider.week_path}?week={week.isoformat()}")
    async with page.expect_navigation():
        await page.click("#generate")
    await at("actuals-week")
    async with page.expect_navigation():
        await page.locator("#actuals a:has-text('Add/Edit')").first.click()
    await page.fill("#actual", "8.3")
    await submit(page)
    await at("actuals-line-errors")
    await page.fill("#actual", "8.25")
    await page.fill("#comment", "Carer ill on Friday")
    await submit(page)
    async with page.expect_navigation():
        await page.click("#confirm")
    await at("actuals-week-confirmed")

    refs = await client_refs(provider.package, stack)
    service_name = "Home Care"
    reference = f"CM-{uuid.uuid4().hex[:8]}"
    # The week just confirmed is read only: the file is for the week before it.
    earlier = week - timedelta(days=7)
    wrong = import_file(
        reference,
        [(refs[0], "10", ""), (refs[2], "0.3", ""), (refs[3], "9", "")],
        service=service_name,
        week=earlier,
    )
    await page.goto(f"{stack.url}/{slug}/actuals/import")
    await at("actuals-import")
    await page.set_input_files(
        "#file", files=[{"name": "actuals.csv", "mimeType": "text/csv", "buffer": wrong.encode()}]
    )
    await submit(page)
    await page.wait_for_selector("#import-errors, #import-done", timeout=30_000)
    await at("actuals-import-errors")
    right = import_file(
        f"{reference}-2",
        [(refs[0], "10", ""), (refs[2], "9.75", "Client in hospital on Sunday"), (refs[3], "10", "")],
        service=service_name,
        week=earlier,
    )
    await page.goto(f"{stack.url}/{slug}/actuals/import")
    await page.set_input_files(
        "#file", files=[{"name": "actuals.csv", "mimeType": "text/csv", "buffer": right.encode()}]
    )
    await submit(page)
    await page.wait_for_selector("#import-errors, #import-done", timeout=30_000)
    await at("actuals-import-done")
    return seen
