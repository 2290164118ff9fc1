"""The Actions and Change Requests pages for the end-to-end and browser tests and `make screenshots`: a
provider of a portal council as messaging knows it (its organisation, a service, a client placed with
it: what identity's and actuals' events leave in messaging's projections), the seeds' action types and
teams through the council API, the council's side of a thread through the council API, the form's
choices read back, and a walk of the seed's journey (seed 004 section 4) for the browser."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from playwright.async_api import Page

from tests.messaging.support import Tenant as MessagingTenant
from tests.messaging.support import add_tenant, messaging_conn
from tests.support.actuals_pages import csrf_of
from tests.support.identity import Tenant, bearer, portal_tenant
from tests.support.portal_login import PortalUser, Visit, log_in, new_user, submit
from tests.support.stack import Stack

DURHAM = "durham-childrens"
COUNCIL = "/council/v1/messaging"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
QUERY = "Please can you tell me when I'll get paid for the mileage I submitted?"


@dataclass
class ActionsProvider:
    tenant: Tenant
    user: PortalUser
    messaging: MessagingTenant
    types: dict[str, str]  # name -> type_id
    teams: dict[str, str]  # name -> team_id

    @property
    def base(self) -> str:
        return f"/{self.tenant.slug}/actions"


async def council(stack: Stack, tenant: Tenant, method: str, path: str, **options: Any) -> httpx.Response:
    """The council API of messaging through the gateway, as the council's staff."""
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as gateway:
        return await gateway.request(
            method, COUNCIL + path, headers=bearer(stack.env.council_token(tenant.authority_id)), **options
        )


async def actions_provider(
    stack: Stack, *, slug: str = DURHAM, role: str = "full", can_edit: bool = True
) -> ActionsProvider:
    """A fresh provider of `slug` known to messaging (with a service and a client), the seeds' types and
    teams for its council, and a user of `role` whose first login is done."""
    tenant = await portal_tenant(stack.env, slug)
    async with messaging_conn(stack.env) as conn:
        known = await add_tenant(
            conn, authority_id=tenant.authority_id, label="pages", organisation_id=tenant.organisations["A"]
        )
    answer = await council(stack, tenant, "POST", "/configuration/defaults")
    assert answer.status_code == 200, answer.text
    types = {t["name"]: t["type_id"] for t in answer.json()}
    teams_answer = await council(stack, tenant, "GET", "/teams")
    teams = {t["name"]: t["team_id"] for t in teams_answer.json()}
    user = await new_user(stack, tenant=tenant, role=role, can_edit=can_edit)
    return ActionsProvider(tenant, user, known, types, teams)


async def another_user(stack: Stack, provider: ActionsProvider, *, role: str, can_edit: bool) -> PortalUser:
    return await new_user(stack, tenant=provider.tenant, role=role, can_edit=can_edit)


def options(html: str, name: str) -> dict[str, str]:
    """A select's options: text -> value."""
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return {
        text.strip(): value for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)
    }


def selected(html: str, name: str) -> str:
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found.group(1) if found else ""


def value_of(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="text" value="([^"]*)"', html)
    return found.group(1) if found else ""


async def create_action(
    client: httpx.AsyncClient,
    provider: ActionsProvider,
    *,
    title: str,
    text: str = QUERY,
    type_name: str = "Foster Carer Query",
    team: str | None = "Childrens Services Finance",
    related: str = "provider",
    files: list[tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    """New Action's form as a person sends it (the form's token first)."""
    form = await client.get(f"{provider.base}/new")
    assert form.status_code == 200, form.text[:500]
    data = {
        "csrf_token": csrf_of(form),
        "type_id": provider.types[type_name],
        "related": related,
        "team_id": provider.teams[team] if team else "",
        "title": title,
        "text": text,
    }
    if files:
        return await client.post(f"{provider.base}/new", data=data, files=[("attachment", f) for f in files])
    return await client.post(f"{provider.base}/new", data=data)


def action_id_of(location: str) -> str:
    return location.split("/actions/", 1)[1].split("?", 1)[0]


async def set_due(stack: Stack, action_id: str, due: date | None) -> None:
    """Move an action's due date: the stack's messaging runs on the real clock, so a light's day is set
    on the action (messaging's own tests freeze the clock instead: tests/messaging/integration)."""
    async with messaging_conn(stack.env) as conn:
        await conn.execute(
            "UPDATE messaging.action SET due_date = $2 WHERE action_id = $1", uuid.UUID(action_id), due
        )


# --- In a browser ---------------------------------------------------------------------------------


async def walk_actions_pages(page: Page, stack: Stack, visit: Visit, *, slug: str = DURHAM) -> list[str]:
    """The seed's journey: the empty list, New Action (first refused for its missing title), the thread,
    a comment, the council's reply through the council API, the provider's reply, a closure request,
    the council's closure with its reason, and the list with "Open Actions Only" unticked. Calls
    `visit(page, name)` on each page."""
    provider = await actions_provider(stack, slug=slug)
    seen: list[str] = []

    async def at(name: str) -> None:
        seen.append(name)
        await visit(page, name)

    await log_in(page, stack.url, provider.user)
    await page.goto(f"{stack.url}{provider.base}")
    await at("actions-list-empty")
    async with page.expect_navigation():
        await page.click("#new-action")
    await page.select_option("#type_id", label="Foster Carer Query")
    await page.select_option("#team_id", label="Childrens Services Finance")
    await page.fill("#text", QUERY)
    await page.set_input_files(
        "#attachment", files=[{"name": "mileage.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.click("#create-action")
    await page.wait_for_load_state()
    await at("actions-new-errors")
    await page.fill("#title", "Dawn Stockton Query about my next payment")
    await page.set_input_files(
        "#attachment", files=[{"name": "mileage.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    async with page.expect_navigation():
        await page.click("#create-action")
    thread_url = page.url.split("?", 1)[0]
    action_id = action_id_of(thread_url)
    await at("actions-thread")
    await page.fill("#text", "I drove 150 miles in September.")
    async with page.expect_navigation():
        await page.click("#comment")
    answer = await council(
        stack, provider.tenant, "POST", f"/actions/{action_id}/replies", json={"text": "Paid on Friday."}
    )
    assert answer.status_code == 200, answer.text
    await page.goto(thread_url)
    await at("actions-thread-answered")
    await page.fill("#text", "Thank you.")
    async with page.expect_navigation():
        await page.click("#reply")
    async with page.expect_navigation():
        await page.click("#request-closure")
    await at("actions-closure-requested")
    answer = await council(
        stack, provider.tenant, "POST", f"/actions/{action_id}/close", json={"reason": "Paid on 4 October."}
    )
    assert answer.status_code == 200, answer.text
    await page.goto(thread_url)
    await at("actions-closed")
    await page.goto(f"{stack.url}{provider.base}")
    await page.uncheck("#open_only")
    async with page.expect_navigation():
        await page.click("#view")
    await at("actions-list-all")
    await page.goto(f"{stack.url}/{slug}/home")
    await at("actions-home")
    return seen


__all__ = ["EXE", "PDF", "QUERY", "another_user", "create_action", "selected", "submit", "value_of"]
