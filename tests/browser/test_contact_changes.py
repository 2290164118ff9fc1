"""Changes to existing contacts in a real browser against the whole system: from a contact's card,
"Request removal" (a confirmation, then the request) and "Request a change of role or scope" (the For
and Role drop-downs, identity's refusals at their place); the requests listed as waiting, the card
marked; the council's decision shown back; the Main contact's card and read-only logins offer neither;
0 axe-core violations on every page at desktop and at 375 pixels, without sideways scrolling."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests.support.browser import PHONE, axe_violations, horizontal_overflow
from tests.support.identity import Tenant, bearer, create_user
from tests.support.organisation_pages import provider_with_directory
from tests.support.portal_login import log_in, new_user, submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser
SLUG = "telford-wrekin"


async def contact(stack: Stack, tenant: Tenant, role: str) -> dict:
    """A contact of the organisation (made by the council; they need not log in)."""
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        user, _ = await create_user(client, stack.env, tenant, role=role)
    return user


def card(page: Page, email: str):
    return page.locator(".portal-contact", has_text=email)


async def test_a_removal_and_a_change_of_role_asked_from_the_contacts_page(stack, context):
    tenant, names = await provider_with_directory(stack)
    admin = await new_user(stack, tenant=tenant, role="admin")
    leaver = await contact(stack, tenant, "care")
    mover = await contact(stack, tenant, "finance")
    main = await contact(stack, tenant, "main")
    page = await context.new_page()
    await log_in(page, stack.url, admin)
    await page.goto(f"{stack.url}/{SLUG}/contacts")
    main_card = card(page, main["email"])
    assert "The council sets the Main contact" in await main_card.inner_text()
    assert await main_card.locator("a").count() == 0

    # Removal: the confirmation names the contact; nothing is asked until it is confirmed.
    async with page.expect_navigation():
        await card(page, leaver["email"]).locator("a:has-text('Request removal')").click()
    assert page.url == f"{stack.url}/{SLUG}/contacts/{leaver['user_id']}/remove"
    assert await page.locator("h1").inner_text() == "Request removal of Dawn Stockton"
    summary = await page.locator("#contact").inner_text()
    assert leaver["email"] in summary and "Care Management Functions - Edit" in summary
    await submit(page)
    assert page.url == f"{stack.url}/{SLUG}/contacts?removal-requested"
    assert (
        "Your request to remove the contact has been sent to the council"
        in await page.locator("main").inner_text()
    )
    changes = await page.locator("#contact-changes").inner_text()
    assert "Waiting for the council" in changes and "Remove from the organisation" in changes
    marked = card(page, leaver["email"])
    assert "Change waiting for the council" in await marked.inner_text()
    assert await marked.locator("a").count() == 0  # one change of a contact waits at a time

    # Change of role or scope: the form starts from what they have; asking for that is refused.
    async with page.expect_navigation():
        await card(page, mover["email"]).locator("a:has-text('Request a change of role or scope')").click()
    assert page.url == f"{stack.url}/{SLUG}/contacts/{mover['user_id']}/change"
    assert await page.locator("#role").input_value() == "finance:edit"
    await submit(page)
    errors = await page.locator(".govuk-error-summary").inner_text()
    assert "already the contact's role and scope" in errors
    await page.select_option("#role", "")
    await submit(page)
    assert "Choose a role" in await page.locator("#role-error").inner_text()
    await page.select_option("#role", "care:read")
    await page.select_option("#scope", label=f"Contract - {names['contract']}")
    await submit(page)
    assert page.url == f"{stack.url}/{SLUG}/contacts?change-requested"
    changes = await page.locator("#contact-changes").inner_text()
    assert f"Care Management Functions - Read Only, for Contract - {names['contract']}" in changes

    # The council approves the removal: the leaver is gone, the decision is shown.
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        council = bearer(stack.env.council_token(tenant.authority_id))
        waiting = await client.get(
            "/council/v1/identity/contact-change-requests", params={"status": "pending"}, headers=council
        )
        removal = next(r for r in waiting.json() if r["user_id"] == leaver["user_id"])
        approved = await client.post(
            f"/council/v1/identity/contact-change-requests/{removal['request_id']}/approve", headers=council
        )
        assert approved.status_code == 200, approved.text
    await page.goto(f"{stack.url}/{SLUG}/contacts")
    assert await card(page, leaver["email"]).count() == 0
    assert "Approved" in await page.locator("#contact-changes").inner_text()


async def test_read_only_logins_are_offered_no_change(stack, context):
    tenant, _ = await provider_with_directory(stack)
    reader = await new_user(stack, tenant=tenant, role="admin", can_edit=False)
    other = await contact(stack, tenant, "care")
    page = await context.new_page()
    await log_in(page, stack.url, reader)
    await page.goto(f"{stack.url}/{SLUG}/contacts")
    assert await page.locator("text=Request removal").count() == 0
    for action in ("remove", "change"):
        response = await page.goto(f"{stack.url}/{SLUG}/contacts/{other['user_id']}/{action}")
        assert response.status == 403 and await page.locator("h1").inner_text() == "Your access is read only"


async def test_another_organisations_contact_is_not_found(stack, context):
    tenant, _ = await provider_with_directory(stack)
    admin = await new_user(stack, tenant=tenant, role="admin")
    stranger = await new_user(stack, role="care")  # another organisation of the same council
    page = await context.new_page()
    await log_in(page, stack.url, admin)
    response = await page.goto(f"{stack.url}/{SLUG}/contacts/{stranger.user_id}/remove")
    assert response.status == 404


async def walk(page: Page, stack: Stack, check) -> list[str]:
    tenant, _ = await provider_with_directory(stack)
    admin = await new_user(stack, tenant=tenant, role="admin")
    leaver = await contact(stack, tenant, "care")
    seen = []

    async def at(name: str) -> None:
        seen.append(name)
        await check(page, name)

    await log_in(page, stack.url, admin)
    await page.goto(f"{stack.url}/{SLUG}/contacts")
    await at("contacts-with-actions")
    await page.goto(f"{stack.url}/{SLUG}/contacts/{leaver['user_id']}/change")
    await at("contact-change")
    await page.select_option("#scope", "")
    await submit(page)
    await at("contact-change-errors")
    await page.goto(f"{stack.url}/{SLUG}/contacts/{leaver['user_id']}/remove")
    await at("contact-remove")
    await submit(page)
    await at("contacts-removal-requested")
    return seen


async def test_the_pages_have_no_accessibility_violations_on_a_desktop_or_a_phone(stack, browser: Browser):
    violations: dict[str, list] = {}
    overflow: dict[str, int] = {}

    async def check(page: Page, name: str) -> None:
        key = f"{name}@{page.viewport_size['width']}"
        violations[key] = await axe_violations(page)
        overflow[key] = await horizontal_overflow(page)

    for options in ({}, {"viewport": PHONE, "is_mobile": True, "has_touch": True}):
        context = await browser.new_context(**options)
        try:
            names = await walk(await context.new_page(), stack, check)
        finally:
            await context.close()
    assert len(names) == 5 and len(violations) == 10
    assert {name: v for name, v in violations.items() if v} == {}
    assert {name: o for name, o in overflow.items() if o} == {}
