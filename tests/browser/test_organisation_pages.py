"""Organisation Details and Contacts in a real browser against the whole system: seeing the details
and the contacts, asking for a change and for a new contact (errors in the GOV.UK error summary and on
each field), the council's decision shown back, read-only logins and other roles kept out of the
forms, CSRF on both forms, and 0 axe-core violations on every page at desktop and phone width."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page

from tests.support.browser import PHONE, axe_violations, horizontal_overflow
from tests.support.identity import bearer
from tests.support.organisation_pages import (
    fill_new_contact,
    provider_with_directory,
    walk_organisation_pages,
)
from tests.support.portal_login import log_in, new_user, submit

pytestmark = pytest.mark.browser
SLUG = "telford-wrekin"


async def summary(page: Page) -> str:
    return await page.locator(".govuk-error-summary").inner_text()


async def test_organisation_details_and_a_change_the_council_approves(stack, context):
    tenant, names = await provider_with_directory(stack)
    user = await new_user(stack, tenant=tenant)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    async with page.expect_navigation():
        await page.click("a.portal-card__link:has-text('Organisation Details')")
    assert page.url == f"{stack.url}/{SLUG}/organisation-details"
    details = await page.locator("#organisation-details").inner_text()
    for text in (names["organisation"], "Unit 4, Hortonwood 30\nTelford", "TF1 7YD", "01632 960201"):
        assert text in details

    async with page.expect_navigation():
        await page.click("text=Request a change")
    assert await page.input_value("#postcode") == "TF1 7YD"  # the form starts from the details held
    await page.fill("#postcode", "TF1 Z")
    await page.fill("#phone", "")
    await submit(page)
    errors = await summary(page)
    assert "Postcode must be a full UK postcode, like TF1 7YD" in errors  # identity's words
    assert "Enter the organisation's telephone number" in errors
    links = await page.locator(".govuk-error-summary a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    assert links == ["#postcode", "#phone"]
    assert "must be a full UK postcode" in await page.locator("#postcode-error").inner_text()
    assert await page.get_attribute("#postcode", "aria-describedby") == "postcode-error"
    assert (await page.title()).startswith("Error: ")

    await page.fill("#postcode", "tf3 4ja")
    await page.fill("#phone", "01632 960 777")
    await submit(page)
    assert page.url == f"{stack.url}/{SLUG}/organisation-details?requested"
    main = await page.locator("main").inner_text()
    assert "Your change request has been sent to the council" in main
    pending = await page.locator("#pending-change").inner_text()
    assert "Postcode to TF3 4JA" in pending and "Telephone number to 01632 960 777" in pending
    assert await page.locator("text=Request a change").count() == 0  # one change waits at a time
    await page.goto(f"{stack.url}/{SLUG}/organisation-details/change")
    await page.fill("#phone", "01632 960 778")
    await submit(page)
    assert await summary(page) == (
        "There is a problem\nA change to these details is already waiting for the council."
    )

    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        council = bearer(stack.env.council_token(tenant.authority_id))
        waiting = await client.get(
            "/council/v1/identity/organisation-change-requests", params={"status": "pending"}, headers=council
        )
        mine = next(r for r in waiting.json() if r["organisation_id"] == str(tenant.organisations["A"]))
        approved = await client.post(
            f"/council/v1/identity/organisation-change-requests/{mine['request_id']}/approve", headers=council
        )
        assert approved.status_code == 200, approved.text
    await page.goto(f"{stack.url}/{SLUG}/organisation-details")
    assert "TF3 4JA" in await page.locator("#organisation-details").inner_text()
    assert (
        "The council approved your last change request" in await page.locator("#last-decision").inner_text()
    )


async def test_contacts_and_a_new_contact_request(stack, context):
    tenant, names = await provider_with_directory(stack)
    user = await new_user(stack, tenant=tenant, role="admin")
    page = await context.new_page()
    await log_in(page, stack.url, user)
    async with page.expect_navigation():
        await page.click("a.portal-card__link:has-text('Contacts')")
    assert page.url == f"{stack.url}/{SLUG}/contacts"
    card = await page.locator(".portal-contact", has_text=user.email).inner_text()
    assert "Admin Functions - Edit" in card and f"Organisation - {names['organisation']}" in card

    async with page.expect_navigation():
        await page.click("text=New Contact")
    options = await page.locator("#scope option").all_inner_texts()
    assert options == [
        "Choose",
        f"Organisation - {names['organisation']}",
        f"Contract - {names['contract']}",
        f"Service - {names['service']}",
    ]
    roles = await page.locator("#role option").all_inner_texts()
    assert "Care Management Functions - Read Only" in roles and not any("Main" in r for r in roles)

    await submit(page)
    errors = await summary(page)
    for message in (
        "Enter a forename",
        "Enter a surname",
        "Enter an address",
        "Enter a mobile or telephone number",
        "Enter the email address they will log in with",
        "Choose what the access is for",
        "Choose a role",
    ):
        assert message in errors
    assert await page.locator(".govuk-form-group--error").count() == 7
    assert await page.locator("#role-error").is_visible()

    email = f"bart-{uuid.uuid4().hex[:6]}@provider.example"
    await fill_new_contact(page, email, scope=f"Service - {names['service']}")
    await page.fill("#phone", "call me")
    await submit(page)
    assert await page.input_value("#email") == email  # answers are kept
    assert "Mobile / Telephone must contain only digits" in await page.locator("#phone-error").inner_text()
    await page.fill("#phone", "01632 960 999")
    await submit(page)
    assert page.url == f"{stack.url}/{SLUG}/contacts?requested"
    assert (
        "Your request for a new contact has been sent to the council"
        in await page.locator("main").inner_text()
    )
    requested = await page.locator("#contact-requests").inner_text()
    assert "Bart Simpson" in requested and "Waiting for the council" in requested
    assert (
        "Care Management Functions - Read Only" in requested and f"Service - {names['service']}" in requested
    )

    # The same e-mail again: identity's refusal, on the field.
    await page.goto(f"{stack.url}/{SLUG}/contacts/new")
    await fill_new_contact(page, email, scope=f"Contract - {names['contract']}")
    await submit(page)
    message = await page.locator("#email-error").inner_text()
    assert " ".join(message.split()) == "Error: A request for this e-mail is already waiting for the council."


async def test_a_login_for_one_service_offers_only_that_service_and_cannot_change_the_organisation(
    stack, context
):
    tenant, names = await provider_with_directory(stack)
    user = await new_user(stack, tenant=tenant, role="admin")
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        narrowed = await client.put(
            f"/council/v1/identity/users/{user.user_id}/memberships/{tenant.organisations['A']}",
            json={
                "role": "admin",
                "can_edit": True,
                "scope_type": "service",
                "scope_id": names["service_id"],
            },
            headers=bearer(stack.env.council_token(tenant.authority_id)),
        )
        assert narrowed.status_code == 200, narrowed.text
    page = await context.new_page()
    await log_in(page, stack.url, user)
    await page.goto(f"{stack.url}/{SLUG}/contacts/new")
    assert await page.locator("#scope option").all_inner_texts() == [
        "Choose",
        f"Service - {names['service']}",
    ]
    await page.goto(f"{stack.url}/{SLUG}/organisation-details")
    assert "Your access covers part of the organisation" in await page.locator("main").inner_text()
    assert await page.locator("text=Request a change").count() == 0


async def test_read_only_logins_cannot_open_or_send_the_request_forms(stack, context):
    tenant, _ = await provider_with_directory(stack)
    user = await new_user(stack, tenant=tenant, role="admin", can_edit=False)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    for path, form in (("contacts", "contacts/new"), ("organisation-details", "organisation-details/change")):
        await page.goto(f"{stack.url}/{SLUG}/{path}")
        main = await page.locator("main").inner_text()
        assert "Your access is read only" in main, path
        assert await page.locator(f"main a[href='/{SLUG}/{form}']").count() == 0, path
        response = await page.goto(f"{stack.url}/{SLUG}/{form}")
        assert response.status == 403 and await page.locator("h1").inner_text() == "Your access is read only"
    # Nor can a form be sent past the page: with a valid CSRF token the gateway still refuses it.
    await page.goto(f"{stack.url}/{SLUG}/contacts")
    token = await page.get_attribute("header input[name=csrf_token]", "value")
    for form in ("contacts/new", "organisation-details/change"):
        sent = await page.request.post(
            f"{stack.url}/{SLUG}/{form}", form={"csrf_token": token, "forename": "X"}
        )
        assert sent.status == 403, form


async def test_roles_without_admin_functions_get_the_403_page(stack, context):
    user = await new_user(stack, role="finance")
    page = await context.new_page()
    await log_in(page, stack.url, user)
    assert await page.locator("a.portal-card__link:has-text('Contacts')").count() == 0
    for path, title in (("contacts", "Contacts"), ("organisation-details", "Organisation Details")):
        response = await page.goto(f"{stack.url}/{SLUG}/{path}")
        assert response.status == 403
        assert await page.locator("h1").inner_text() == f"You do not have access to {title}"


async def test_the_request_forms_refuse_a_post_without_its_csrf_token(stack, context):
    tenant, names = await provider_with_directory(stack)
    user = await new_user(stack, tenant=tenant)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    for path in ("contacts/new", "organisation-details/change"):
        await page.goto(f"{stack.url}/{SLUG}/{path}")
        await page.eval_on_selector("main input[name=csrf_token]", "input => input.remove()")
        if path == "contacts/new":
            await fill_new_contact(page, "csrf@provider.example", scope=f"Contract - {names['contract']}")
        async with page.expect_response(re.compile(f"/{SLUG}/{path}$")) as refused:
            await page.click("main button[type=submit]")
        assert (await refused.value).status == 403, path
        assert await page.locator("h1").inner_text() == "Your form could not be sent"


async def test_every_page_has_no_accessibility_violations_on_a_desktop_or_a_phone(stack, browser):
    violations: dict[str, list] = {}
    overflow: dict[str, int] = {}

    async def check(page: Page, name: str) -> None:
        key = f"{name}@{page.viewport_size['width']}"
        violations[key] = await axe_violations(page)
        overflow[key] = await horizontal_overflow(page)

    for options in ({}, {"viewport": PHONE, "is_mobile": True, "has_touch": True}):
        context = await browser.new_context(**options)
        try:
            names = await walk_organisation_pages(await context.new_page(), stack, check)
        finally:
            await context.close()
    assert len(names) == 8 and len(violations) == 16
    assert {name: v for name, v in violations.items() if v} == {}
    assert {name: o for name, o in overflow.items() if o} == {}
