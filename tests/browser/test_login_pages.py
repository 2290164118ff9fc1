"""The log-in pages in a real browser against the whole system: the first login (temporary password ->
new password -> security code -> home), later logins with the two-digit challenge, wrong answers and
the lock, the forgotten-password request, changing the password and the code, switching organisation,
and logging out. The journey works without JavaScript; the journey id never appears in a URL."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import BrowserContext, Page

from tests.support.identity import CODE, PASSWORD, bearer
from tests.support.portal_login import (
    LOGGED_IN_PAGES,
    PortalUser,
    answer_challenge,
    asked_positions,
    enter_password,
    log_in,
    new_user,
    submit,
)

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a different passphrase 8"
NEW_CODE = "361955"


async def summary(page: Page) -> str:
    return await page.locator(".govuk-error-summary").inner_text()


@pytest.fixture
async def nojs(browser) -> BrowserContext:
    context = await browser.new_context(java_script_enabled=False)
    try:
        yield context
    finally:
        await context.close()


async def test_first_login_changes_the_password_sets_a_code_and_opens_home(stack, nojs):
    user = await new_user(stack, first_login_done=False)
    page = await nojs.new_page()
    await page.goto(f"{stack.url}/telford-wrekin/login")
    assert await page.locator("h1").inner_text() == "Log in to your Provider Portal"
    body = await page.locator("main").inner_text()
    assert "Please log in to access the secure services." in body and "Request a new Password" in body
    assert "By logging in, you consent to the use of cookies." in body
    await enter_password(page, stack.url, user)

    assert page.url == f"{stack.url}/telford-wrekin/login/change-password"
    main = await page.locator("main").inner_text()
    assert "You must change your administrator-assigned password" in main
    assert "at least 12 characters" in main  # the authority's rules, listed
    cookies = {c["name"]: c for c in await nojs.cookies()}
    assert cookies["portal_journey"]["httpOnly"] and "lj_" not in page.url
    assert cookies["portal_journey"]["value"] not in await page.content()

    await page.fill("#new_password", "short")
    await page.fill("#confirm_password", "shorter")
    await submit(page)
    errors = await summary(page)
    assert "The new password must be at least 12 characters long" in errors
    assert "The two passwords you typed are not the same" in errors
    assert await page.locator("#confirm_password-error").is_visible()

    await page.fill("#new_password", PASSWORD)
    await page.fill("#confirm_password", PASSWORD)
    await submit(page)
    assert page.url == f"{stack.url}/telford-wrekin/login/set-security-code"
    main = await page.locator("main").inner_text()
    for rule in (
        "Exactly 6 digits",
        "Only 0-9",
        "Must be different from the previous security code",
        "No digit appears more than 4 times",
        "No sequences of more than three consecutive digits up or down (e.g. security codes containing "
        "1234 or 4321 are not allowed)",
    ):
        assert rule in main

    await page.fill("#new_code", "111112")
    await page.fill("#confirm_code", "111112")
    await submit(page)
    assert await page.locator("#new_code-error").is_visible()
    assert "There is a problem" in await summary(page)

    await page.fill("#new_code", CODE)
    await page.fill("#confirm_code", CODE)
    await submit(page)
    assert page.url == f"{stack.url}/telford-wrekin/home"
    assert await page.locator("h1").inner_text() == "Pick a task..."
    assert "Logged in as Dawn Stockton" in await page.locator("main").inner_text()
    cookies = {c["name"]: c for c in await nojs.cookies()}
    assert cookies["portal_session"]["httpOnly"] and "portal_journey" not in cookies


async def test_a_later_login_asks_two_digits_of_the_code(stack, nojs):
    user = await new_user(stack)
    page = await nojs.new_page()
    await enter_password(page, stack.url, user)
    assert page.url == f"{stack.url}/telford-wrekin/login/security-code"
    main = await page.locator("main").inner_text()
    assert "Please enter the following digits from your six-digit security code" in main
    positions = await asked_positions(page)
    assert len(positions) == 2 and all(1 <= p <= 6 for p in positions)
    assert await page.locator("#digit_1 option").count() == 11  # "Choose" and 0-9
    await answer_challenge(page, user.code)
    assert page.url == f"{stack.url}/telford-wrekin/home"


async def test_a_wrong_code_is_refused_and_the_same_digits_are_asked_again(stack, context):
    user = await new_user(stack)
    page = await context.new_page()
    await enter_password(page, stack.url, user)
    asked = await asked_positions(page)
    await answer_challenge(page, user.code, wrong=True)
    assert page.url == f"{stack.url}/telford-wrekin/login/security-code"
    assert "Those digits are not right" in await summary(page)
    assert await page.locator("#digit_1-error").is_visible()
    assert await asked_positions(page) == asked
    await answer_challenge(page, user.code)
    assert page.url == f"{stack.url}/telford-wrekin/home"


async def test_wrong_passwords_are_told_generically_then_the_account_locks(stack, context):
    user = await new_user(stack)
    page = await context.new_page()
    await enter_password(page, stack.url, user, password="not the password 1")
    assert "Your e-mail or password is not right" in await summary(page)
    assert await page.locator("#password-error").is_visible()
    assert await page.locator("#email").input_value() == user.email
    assert await page.locator("#password").input_value() == ""
    for _ in range(2):
        await enter_password(page, stack.url, user, password="not the password 1")
    await enter_password(page, stack.url, user)  # even the right password, now
    errors = await summary(page)
    assert "This account is locked" in errors
    assert "Contact Telford & Wrekin Council at ECM@telford.gov.uk to unlock it." in errors
    assert page.url == f"{stack.url}/telford-wrekin/login"


async def test_an_unknown_email_looks_like_a_wrong_password(stack, context):
    user = await new_user(stack, first_login_done=False)
    user.email = "nobody-" + user.email
    page = await context.new_page()
    await enter_password(page, stack.url, user)
    assert "Your e-mail or password is not right" in await summary(page)


async def test_the_forgotten_password_request_reaches_identity(stack, context):
    user = await new_user(stack)
    page = await context.new_page()
    await page.goto(f"{stack.url}/telford-wrekin/login")
    async with page.expect_navigation():
        await page.click("text=Request a new Password")
    await page.fill("#name", "Dawn Stockton")
    await page.fill("#organisation_name", "Purple Care Ltd")
    await page.fill("#email", user.email)
    await page.fill("#telephone", "01952 380000")
    await submit(page)
    assert page.url == f"{stack.url}/telford-wrekin/forgotten-password/sent"
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        audit = await client.get(
            "/council/v1/identity/audit",
            params={"user_id": user.user_id, "action": "password_reset_requested"},
            headers=bearer(stack.env.council_token(user.tenant.authority_id)),
        )
    assert audit.status_code == 200, audit.text
    entries = audit.json()
    assert [e["action"] for e in entries] == ["password_reset_requested"], entries


async def test_change_password_then_log_in_with_the_new_one(stack, context):
    user = await new_user(stack)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    async with page.expect_navigation():
        await page.click("text=Change Password")
    assert page.url == f"{stack.url}/telford-wrekin/change-password"
    await page.fill("#current_password", "not my password 9")
    await page.fill("#new_password", NEW_PASSWORD)
    await page.fill("#confirm_password", NEW_PASSWORD)
    await submit(page)
    assert "Your current password is not right" in await summary(page)
    assert await page.locator("#current_password-error").is_visible()
    await page.fill("#current_password", PASSWORD)
    await page.fill("#new_password", NEW_PASSWORD)
    await page.fill("#confirm_password", NEW_PASSWORD)
    await submit(page)
    assert page.url == f"{stack.url}/telford-wrekin/home?changed=password"
    assert "Your password has been changed" in await page.locator("main").inner_text()
    await log_out(page)
    user.password = NEW_PASSWORD
    await log_in(page, stack.url, user)


async def test_change_security_code_then_log_in_with_the_new_one(stack, context):
    user = await new_user(stack)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    await page.goto(f"{stack.url}/telford-wrekin/change-security-code")
    assert "No digit appears more than 4 times" in await page.locator("main").inner_text()
    await page.fill("#current_password", PASSWORD)
    await page.fill("#new_code", "123456")
    await page.fill("#confirm_code", "123456")
    await submit(page)
    assert await page.locator("#new_code-error").is_visible()
    await page.fill("#current_password", PASSWORD)
    await page.fill("#new_code", NEW_CODE)
    await page.fill("#confirm_code", NEW_CODE)
    await submit(page)
    assert "Your security code has been changed" in await page.locator("main").inner_text()
    await log_out(page)
    user.code = NEW_CODE
    await log_in(page, stack.url, user)


async def log_out(page: Page) -> None:
    async with page.expect_navigation():
        await page.click("header button:has-text('Log Out')")


async def test_log_out_ends_the_session(stack, nojs):
    user = await new_user(stack)
    page = await nojs.new_page()
    await log_in(page, stack.url, user)
    session = next(c["value"] for c in await nojs.cookies() if c["name"] == "portal_session")
    await log_out(page)
    assert page.url == f"{stack.url}/telford-wrekin/?logged-out"
    assert "You have logged out" in await page.locator("main").inner_text()
    assert "portal_session" not in {c["name"] for c in await nojs.cookies()}
    await page.goto(f"{stack.url}/telford-wrekin/home")
    assert page.url == f"{stack.url}/telford-wrekin/login"
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:  # the old cookie is dead
        stale = await client.get("/api/v1/identity/me", headers={"cookie": f"portal_session={session}"})
    assert stale.status_code == 401


async def test_every_logged_in_page_has_log_out_in_its_header(stack, context):
    user = await new_user(stack)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    for path in LOGGED_IN_PAGES:
        await page.goto(f"{stack.url}/telford-wrekin/{path}")
        button = page.locator("header nav form[action='/telford-wrekin/logout'] button")
        assert await button.inner_text() == "Log Out", path
        assert await page.locator("header nav input[name=csrf_token]").count() == 1, path
    await log_out(page)
    assert page.url == f"{stack.url}/telford-wrekin/?logged-out"
    landing = page.locator("header nav")
    assert await landing.locator("button").count() == 0 and "Log in" in await landing.inner_text()


async def test_home_without_a_session_goes_to_log_in(stack, context):
    page = await context.new_page()
    for path in ("home", "change-password", "change-security-code", "login/security-code"):
        await page.goto(f"{stack.url}/telford-wrekin/{path}")
        assert page.url == f"{stack.url}/telford-wrekin/login", path


async def test_a_login_with_two_organisations_can_switch(stack, context):
    user = await new_user(stack)
    other = await _second_organisation(stack, user)
    page = await context.new_page()
    await log_in(page, stack.url, user)
    switcher = page.locator("#organisation_id")
    assert await switcher.locator("option").count() == 2
    await switcher.select_option(other)
    async with page.expect_navigation():
        await page.click("text=Switch organisation")
    assert page.url == f"{stack.url}/telford-wrekin/home"
    assert await switcher.input_value() == other
    assert "Finance Functions (read only)" in await page.locator("main").inner_text()


async def _second_organisation(stack, user: PortalUser) -> str:
    from tests.support.identity import portal_tenant

    extra = await portal_tenant(stack.env, user.tenant.slug, organisations=("B",))
    org = str(extra.organisations["B"])
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
        granted = await client.put(
            f"/council/v1/identity/users/{user.user_id}/memberships/{org}",
            json={"role": "finance", "can_edit": False},
            headers=bearer(stack.env.council_token(user.tenant.authority_id)),
        )
    assert granted.status_code in {200, 201}, granted.text
    return org
