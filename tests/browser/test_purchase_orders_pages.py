"""Purchase Orders and remittance advice in a real browser against the whole system, at desktop and
phone width: the list for 2019/2020, a child's purchase order (on screen and as printed: no navigation,
back link or filters), the remittance list, a remittance advice and the lines paid in its period, with 0
axe-core violations on every page and, at 375 px, no sideways scrolling of the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.support.browser import walk_checked
from tests.support.purchase_orders_pages import walk_purchase_orders_pages

pytestmark = pytest.mark.browser
EXPECTED = [
    "purchase-orders-list",
    "purchase-orders-order",
    "purchase-orders-order-print",
    "remittance-list",
    "remittance-advice",
    "remittance-by-period",
]
HIDDEN_IN_PRINT = (".govuk-back-link", ".govuk-footer", "header nav")


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_purchase_orders_and_remittances_in_a_browser(stack, browser: Browser, width: str):
    printed_hidden: dict[str, bool] = {}

    async def look_further(page: Page, name: str) -> None:
        if name.endswith("-print"):
            for selector in HIDDEN_IN_PRINT:
                shown = [await e.is_visible() for e in await page.locator(selector).all()]
                printed_hidden[selector] = not any(shown)

    walked, checked = await walk_checked(
        browser, width, lambda page, check: walk_purchase_orders_pages(page, stack, check), also=look_further
    )
    assert walked == EXPECTED

    listing = checked["purchase-orders-list"]
    assert "One-Off Claims - 2019/2020" in listing and "£64.00" in listing
    assert "£9,293.30" in listing and "£718.50" in listing and "£4,025.97" in listing
    order = checked["purchase-orders-order"]
    assert "1 The Gatehouse" in order and "DL1 3HA" in order and "30 days from receipt of invoice" in order
    assert "£8,574.80" in order and "£9,293.30" in order
    printed = checked["purchase-orders-order-print"]
    assert "Simpson, Bart" in printed and "£9,293.30" in printed
    assert printed_hidden == {selector: True for selector in HIDDEN_IN_PRINT}
    advice = checked["remittance-advice"]
    assert "£732.45" in advice and "Adjustment" in advice.title() and "Download Data" in advice
    assert "Lines paid in this period" in checked["remittance-by-period"]
