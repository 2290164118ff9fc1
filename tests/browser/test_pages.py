"""The pages work without JavaScript, show validation errors the GOV.UK way, and can be used with the
keyboard alone."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
FORM = "/durham-childrens/forgotten-password"


async def test_forgotten_password_works_without_javascript(stack, browser):
    context = await browser.new_context(java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.goto(stack.url + FORM)
        await page.fill("#email", "not an email")
        async with page.expect_navigation():  # the click only starts the form's post
            await page.click("button[type=submit]")

        assert (await page.title()).startswith("Error: Forgotten password")
        summary = page.locator(".govuk-error-summary")
        assert await summary.locator("a").all_inner_texts() == [
            "Enter your name",
            "Enter the name of your organisation",
            "Your email address must be in the correct format, like name@example.com",
            "Enter your telephone number",
        ]
        assert await summary.locator("a").first.get_attribute("href") == "#name"
        assert await page.get_attribute("#email", "aria-describedby") == "email-hint email-error"
        assert "Error: Your email address must be in the correct format" in " ".join(
            (await page.locator("#email-error").text_content()).split()
        )
        assert await page.input_value("#email") == "not an email"  # what was typed is kept

        await page.fill("#name", "Dawn Stockton")
        await page.fill("#organisation_name", "Dawn Stockton Supported Lodgings")
        await page.fill("#email", "dawn@example.org")
        await page.fill("#telephone", "07700 900 982")
        async with page.expect_navigation():
            await page.click("button[type=submit]")
        assert page.url == stack.url + FORM + "/sent"
        text = await page.locator("main").inner_text()
        assert "If the details you gave match an account" in text
        assert "Children's Services Finance Team" in text
    finally:
        await context.close()


async def test_error_summary_takes_focus_and_its_links_reach_the_fields(stack, context):
    page = await context.new_page()
    await page.goto(stack.url + FORM)
    await page.click("button[type=submit]")
    # GOV.UK Frontend's script moves the focus once the re-rendered page has loaded: wait for it.
    await page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('.govuk-error-summary') !== null",
        timeout=10_000,
    )
    await page.click(".govuk-error-summary a[href='#telephone']")
    await page.wait_for_function("() => document.activeElement.id === 'telephone'", timeout=10_000)


async def test_keyboard_first_stop_is_the_skip_link_then_the_header(stack, context):
    page = await context.new_page()
    await page.goto(stack.url + "/telford-wrekin/")
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to main content"
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Access secure services for providers"


async def test_an_address_that_is_no_page_opens_page_not_found(stack, context):
    # Every task of the seeds is built now (Actions and Change Requests was the last): no address shows
    # "not available yet" any more (tests/browser/test_areas_and_help.py follows every card).
    page = await context.new_page()
    unknown = await page.goto(stack.url + "/worcestershire-adults/one-off-claim")
    assert unknown.status == 404
    assert await page.locator("h1").inner_text() == "Page not found"
    assert await page.locator("#request-reference").inner_text() == unknown.headers["x-request-id"]


async def test_root_lists_the_councils_and_the_api_docs(stack, context):
    page = await context.new_page()
    await page.goto(stack.url + "/")
    councils = await page.locator(".portal-card__link").all_inner_texts()
    # Every council identity knows (the tests' own councils too), in its branding's name.
    assert {
        "Telford & Wrekin Council Provider Portal",
        "Durham County Council Children's Provider Portal",
        "Worcestershire County Council Provider Portal",
        "Worcestershire Children First Provider Portal",
    } <= set(councils)
    await page.click("text=API documentation >> nth=0")
    assert page.url == stack.url + "/api/docs"


async def test_the_browser_receives_the_security_headers(stack, context):
    page = await context.new_page()
    response = await page.goto(stack.url + "/worcestershire-adults/")
    headers = await response.all_headers()
    assert headers["content-security-policy"].startswith(
        "default-src 'self'; script-src 'self'; style-src 'self'"
    )
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers  # http here; HSTS over https: tests/gateway/unit
