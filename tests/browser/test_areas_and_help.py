"""What the pages offer is what is built: no home-page card and no landing-page line leads to a "not
available yet" page; Help is in the header of every page (desktop and phone); a logged-in person has
Home and Log Out on every page, public and error pages too; a council's branding changed with the
council API shows on its pages; identity's own field errors are shown at their fields."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from playwright.async_api import Page

from tests.support.branding import tiny_png
from tests.support.browser import AUTHORITIES, PHONE, axe_violations, horizontal_overflow
from tests.support.identity import bearer, make_tenant
from tests.support.organisation_pages import provider_with_directory
from tests.support.portal_login import log_in, new_user, submit

pytestmark = pytest.mark.browser
NOT_AVAILABLE = "is not available yet"
# The landing page names a task as the council guides' landing pages do, where it differs from its card.
LANDING_NAME = {"Actuals": "Submit Actuals", "Reports": "Reporting"}


async def heading(page: Page) -> str:
    return await page.locator("h1").inner_text()


async def test_no_home_card_and_no_landing_line_leads_to_not_available(stack, context):
    user = await new_user(stack, role="full")
    page = await context.new_page()
    await log_in(page, stack.url, user)
    cards = page.locator("a.portal-card__link")
    titles = await cards.all_inner_texts()
    hrefs = await cards.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert titles == [
        "Scheduled Payments",
        "Purchase Orders",
        "Reports",
        "Actions and Change Requests",
        "Actuals",
        "Care Package Line Items",
        "Invoices",
        "Contacts",
        "Organisation Details",
    ]
    for href in hrefs:
        response = await page.goto(stack.url + href)
        assert response.status == 200, href
        assert NOT_AVAILABLE not in await heading(page), href
    for slug in AUTHORITIES:
        await page.goto(f"{stack.url}/{slug}/")
        lines = await page.locator(".portal-benefit h3").all_inner_texts()
        assert lines, slug
        offered = {LANDING_NAME.get(title, title) for title in titles}
        assert set(lines) <= offered, f"{slug} advertises {set(lines) - offered}"


async def test_a_logged_in_person_has_home_and_log_out_on_every_page(stack, context):
    user = await new_user(stack)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    home = f"/{user.tenant.slug}/home"
    for path in (
        "/",
        "/telford-wrekin/",
        "/telford-wrekin/privacy",
        "/telford-wrekin/help",
        "/durham-childrens/help",
        "/telford-wrekin/no-such-page",
        "/telford-wrekin/purchase-orders",
    ):
        await page.goto(stack.url + path)
        nav = page.locator("header nav")
        assert await nav.locator(f"a[href='{home}']").inner_text() == "Home", path
        assert await nav.locator("button").inner_text() == "Log Out", path
        assert "Log in" not in await nav.inner_text(), path
    # "Go to the start" of an error page is the person's home page.
    await page.goto(stack.url + "/telford-wrekin/no-such-page")
    async with page.expect_navigation():
        await page.click("main a:has-text('Go to your home page')")
    assert page.url == stack.url + home


async def test_help_is_in_the_header_on_a_desktop(stack, context):
    page = await context.new_page()
    await page.goto(f"{stack.url}/durham-childrens/login")
    async with page.expect_navigation():
        await page.click("header nav a:has-text('Help')")
    assert page.url == f"{stack.url}/durham-childrens/help"
    assert await heading(page) == "Help with the Durham County Council Children's Provider Portal"
    main = await page.locator("main").inner_text()
    assert "Children's Services Finance Team" in main and "speak to your social worker" in main
    assert await page.locator("main a[href='/durham-childrens/forgotten-password']").count() == 1
    async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=15) as identity:
        rules = await identity.get(
            "/internal/v1/identity/authorities/durham-childrens/branding",
            headers={"x-gateway-secret": stack.env.gateway_secret},
        )
    for rule in rules.json()["password_rules"]:  # the authority's own rules, as identity words them
        assert rule in main
    assert await axe_violations(page) == []


async def test_help_is_in_the_header_on_a_phone(stack, browser):
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = await context.new_page()
        await page.goto(f"{stack.url}/telford-wrekin/")
        help_link = page.locator("header nav a:has-text('Help')")
        assert await help_link.is_visible()
        async with page.expect_navigation():
            await help_link.tap()
        assert page.url == f"{stack.url}/telford-wrekin/help"
        assert await horizontal_overflow(page) == 0
        assert await axe_violations(page) == []
    finally:
        await context.close()


async def test_a_branding_change_through_the_council_api_shows_on_the_pages(stack, context):
    tenant = await make_tenant(stack.env)
    page = await context.new_page()
    await page.goto(f"{stack.url}/{tenant.slug}/")
    assert await page.locator(".portal-header__logo-image").count() == 0
    council = bearer(stack.env.council_token(tenant.authority_id))
    async with httpx.AsyncClient(base_url=stack.url, timeout=15, headers=council) as client:
        changed = await client.put(
            "/council/v1/identity/authority/branding",
            json={
                "name": "Wrekin Valley Council",
                "primary_colour": "#8a1538",
                "support_team": "Wrekin Valley Portal Desk",
                "support_phone": "01632 960 000",
                "support_hours": "Monday to Thursday, 10am to 4pm",
                "help_text": "Ask us anything about the portal.",
            },
        )
        assert changed.status_code == 200, changed.text
        logo = await client.put(
            "/council/v1/identity/authority/branding/logo",
            content=tiny_png(40, 20),
            headers={"content-type": "image/png"},
        )
        assert logo.status_code == 200, logo.text
        too_light = await client.put(
            "/council/v1/identity/authority/branding", json={"name": "X", "primary_colour": "#ffdd00"}
        )
        assert too_light.status_code == 422 and "too light" in too_light.text
    await asyncio.sleep(1.5)  # the gateway keeps branding GATEWAY_BRANDING_CACHE_SECONDS (1 s here)
    await page.goto(f"{stack.url}/{tenant.slug}/")
    assert await page.locator(".portal-header__authority").inner_text() == "Wrekin Valley Council"
    background = await page.eval_on_selector(".portal-header", "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(138, 21, 56)"
    logo_image = page.locator(".portal-header__logo-image")
    assert await logo_image.evaluate("img => img.complete && img.naturalWidth") == 40
    footer = await page.locator("footer").inner_text()
    assert "Wrekin Valley Portal Desk" in footer and "Monday to Thursday, 10am to 4pm" in footer
    await page.goto(f"{stack.url}/{tenant.slug}/help")
    main = await page.locator("main").inner_text()
    assert "01632 960 000" in main and "Ask us anything about the portal." in main


async def test_a_too_long_telephone_number_shows_identitys_message_at_the_field(stack, context):
    tenant, _ = await provider_with_directory(stack)
    user = await new_user(stack, tenant=tenant)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    await page.goto(f"{stack.url}/{tenant.slug}/organisation-details/change")
    await page.fill("#phone", "01632 960 001 " * 3)  # 42 characters: identity takes at most 40
    await submit(page)
    assert (
        "Telephone number must be 40 characters or fewer" in await page.locator("#phone-error").inner_text()
    )
    assert await page.locator(".govuk-error-summary a[href='#phone']").count() == 1
    assert await page.input_value("#phone") == ("01632 960 001 " * 3).strip()
