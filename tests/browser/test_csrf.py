"""A form posted without its CSRF token is refused, and so is one carrying another session's token."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.browser
FORM = "/telford-wrekin/forgotten-password"


async def fill_valid(page):
    await page.fill("#name", "Sam Provider")
    await page.fill("#organisation_name", "Purple Care Ltd")
    await page.fill("#email", "sam@purplecare.example")
    await page.fill("#telephone", "01632 960 001")


async def test_form_with_its_token_is_accepted(stack, context):
    page = await context.new_page()
    await page.goto(stack.url + FORM)
    await fill_valid(page)
    async with page.expect_navigation():  # the click only starts the form's post
        await page.click("button[type=submit]")
    assert await page.locator("h1").inner_text() == "Request sent"


async def test_form_without_token_is_refused_with_the_403_page(stack, context):
    page = await context.new_page()
    await page.goto(stack.url + FORM)
    await page.eval_on_selector("input[name=csrf_token]", "input => input.remove()")
    await fill_valid(page)
    async with page.expect_navigation(), page.expect_response(stack.url + FORM) as refused:
        await page.click("button[type=submit]")
    response = await refused.value
    assert response.status == 403
    assert await page.locator("h1").inner_text() == "Your form could not be sent"
    assert await page.locator("#request-reference").inner_text() == response.headers["x-request-id"]


async def test_form_with_another_sessions_token_is_refused(stack, browser):
    other = await browser.new_context()
    mine = await browser.new_context()
    try:
        their_page = await other.new_page()
        await their_page.goto(stack.url + FORM)
        their_token = await their_page.get_attribute("input[name=csrf_token]", "value")

        page = await mine.new_page()
        await page.goto(stack.url + FORM)
        assert await page.get_attribute("input[name=csrf_token]", "value") != their_token
        await page.eval_on_selector(
            "input[name=csrf_token]", "(input, token) => input.value = token", their_token
        )
        await fill_valid(page)
        async with page.expect_navigation(), page.expect_response(stack.url + FORM) as refused:
            await page.click("button[type=submit]")
        assert (await refused.value).status == 403
        assert await page.locator("h1").inner_text() == "Your form could not be sent"
    finally:
        await other.close()
        await mine.close()


async def test_form_posted_from_another_site_is_refused_even_with_a_valid_token(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        form = await client.get(FORM)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        data = {
            "csrf_token": token,
            "name": "Sam",
            "organisation_name": "Purple Care Ltd",
            "email": "sam@purplecare.example",
            "telephone": "01632 960 001",
        }
        cross_site = await client.post(FORM, data=data, headers={"sec-fetch-site": "cross-site"})
        assert cross_site.status_code == 403
        foreign_origin = await client.post(FORM, data=data, headers={"origin": "https://evil.example"})
        assert foreign_origin.status_code == 403
        same_site = await client.post(
            FORM, data=data, headers={"origin": stack.url, "sec-fetch-site": "same-origin"}
        )
        assert same_site.status_code == 303
