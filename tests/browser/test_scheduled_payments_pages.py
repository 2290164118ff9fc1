"""Scheduled Payments in a real browser against the whole system, at desktop and phone width: the list
with the CURRENT period, a payment viewed and confirmed, a line of another disputed (first refused
without a reason), with 0 axe-core violations on every page and, at 375 px, no sideways scrolling of
the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.support.browser import walk_checked
from tests.support.scheduled_payments_pages import walk_scheduled_payments_pages

pytestmark = pytest.mark.browser
EXPECTED = [
    "scheduled-payments-list",
    "scheduled-payments-payment",
    "scheduled-payments-confirmed",
    "scheduled-payments-dispute-errors",
    "scheduled-payments-disputed",
]


async def disputed_line_in_view(page: Page, name: str) -> None:
    """A disputed line's status and reason are seen without scrolling the lines sideways, at 375 px too:
    the Status column follows the purchase order, before the amounts (it was last, off-screen)."""
    if name != "scheduled-payments-disputed":
        return
    status = page.locator("#lines tbody tr").first.locator("td.portal-line-status")
    assert "Disputed" in await status.inner_text() and "Bart left on 3 October" in await status.inner_text()
    box, width = await status.bounding_box(), page.viewport_size
    assert box is not None and width is not None
    assert box["x"] + box["width"] <= width["width"], f"the disputed line's status is off-screen: {box}"


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_view_confirm_and_dispute_in_a_browser(stack, browser: Browser, width: str):
    walked, checked = await walk_checked(
        browser,
        width,
        lambda page, check: walk_scheduled_payments_pages(page, stack, check),
        also=disputed_line_in_view,
    )
    assert walked == EXPECTED

    assert "CURRENT" in checked["scheduled-payments-list"].upper()
    payment = checked["scheduled-payments-payment"]
    assert "£656.11" in payment and "Simpson, Bart" in payment and "Confirm payment" in payment
    assert "Payment confirmed" in checked["scheduled-payments-confirmed"]
    errors = checked["scheduled-payments-dispute-errors"]
    assert "There is a problem" in errors and "Enter the reason for the dispute" in errors
    disputed = checked["scheduled-payments-disputed"]
    assert "Dispute sent" in disputed and "Bart left on 3 October" in disputed and "£735.93" in disputed
