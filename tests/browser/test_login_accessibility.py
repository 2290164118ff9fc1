"""The pages that need a login journey or a session (which the page list of test_accessibility cannot
reach by address alone): 0 axe-core violations on each, blank and with its errors, walked through in
one journey: first login, the home page, changing the password and the code, the challenge, log-out."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.support.browser import axe_violations
from tests.support.identity import CODE, PASSWORD
from tests.support.portal_login import answer_challenge, enter_password, new_user, submit

pytestmark = pytest.mark.browser


async def check(page: Page, name: str, seen: dict[str, list]) -> None:
    seen[name] = await axe_violations(page)


async def test_every_page_of_the_journey_has_no_accessibility_violations(stack, axe_context):
    user = await new_user(stack, first_login_done=False)
    page = await axe_context.new_page()
    seen: dict[str, list] = {}
    await enter_password(page, stack.url, user, password="not the password 1")
    await check(page, "login-wrong-password", seen)
    await enter_password(page, stack.url, user)
    await check(page, "login-change-password", seen)
    await submit(page)
    await check(page, "login-change-password-errors", seen)
    await page.fill("#new_password", PASSWORD)
    await page.fill("#confirm_password", PASSWORD)
    await submit(page)
    await check(page, "login-set-security-code", seen)
    await page.fill("#new_code", "123456")
    await page.fill("#confirm_code", "123457")
    await submit(page)
    await check(page, "login-set-security-code-errors", seen)
    await page.fill("#new_code", CODE)
    await page.fill("#confirm_code", CODE)
    await submit(page)
    await check(page, "home", seen)
    for path in ("change-password", "change-security-code"):
        await page.goto(f"{stack.url}/telford-wrekin/{path}")
        await check(page, path, seen)
        await submit(page)
        await check(page, f"{path}-errors", seen)
    await page.goto(f"{stack.url}/telford-wrekin/home")
    async with page.expect_navigation():
        await page.click("text=Log Out")
    await check(page, "logged-out", seen)
    user.password = PASSWORD
    await enter_password(page, stack.url, user)
    await check(page, "login-security-code", seen)
    await answer_challenge(page, CODE, wrong=True)
    await check(page, "login-security-code-errors", seen)
    assert {name: v for name, v in seen.items() if v} == {}
    assert len(seen) == 13
