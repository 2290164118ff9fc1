"""Scheduled Payments in a real browser against the whole system, at desktop and phone width: the list
with the CURRENT period, a payment viewed and confirmed, a line of another disputed (first refused
without a reason), with 0 axe-core violations on every page and, at 375 px, no sideways scrolling of
the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.support.browser import DESKTOP, PHONE, axe_violations, horizontal_overflow
from tests.support.scheduled_payments_pages import walk_scheduled_payments_pages

pytestmark = pytest.mark.browser
EXPECTED = [
    "scheduled-payments-list",
    "scheduled-payments-payment",
    "scheduled-payments-confirmed",
    "scheduled-payments-dispute-errors",
    "scheduled-payments-disputed",
]


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_view_confirm_and_dispute_in_a_browser(stack, browser: Browser, width: str):
    phone = width == "phone"
    context = await browser.new_context(
        viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone, bypass_csp=True
    )
    checked: dict[str, str] = {}

    async def check(page: Page, name: str) -> None:
        violations = await axe_violations(page)
        assert violations == [], f"{name} at {width}: {violations}"
        if phone:
            assert await horizontal_overflow(page) == 0, f"{name} scrolls sideways at 375 px"
        checked[name] = await page.locator("main").inner_text()

    try:
        page = await context.new_page()
        assert await walk_scheduled_payments_pages(page, stack, check) == EXPECTED
    finally:
        await context.close()

    assert "CURRENT" in checked["scheduled-payments-list"].upper()
    payment = checked["scheduled-payments-payment"]
    assert "£656.11" in payment and "Simpson, Bart" in payment and "Confirm payment" in payment
    assert "Payment confirmed" in checked["scheduled-payments-confirmed"]
    errors = checked["scheduled-payments-dispute-errors"]
    assert "There is a problem" in errors and "Enter the reason for the dispute" in errors
    disputed = checked["scheduled-payments-disputed"]
    assert "Dispute sent" in disputed and "Bart left on 3 October" in disputed and "£735.93" in disputed
