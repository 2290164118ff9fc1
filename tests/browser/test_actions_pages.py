"""Actions and Change Requests in a real browser against the whole system, at desktop and phone width:
the seed's journey (seed 004 section 4: the empty list, New Action first refused for its missing title,
the thread with its file, a Comment, the council's Reply through the council API, the provider's Reply,
a closure request, the council's closure with its reason, every action with "Open Actions Only"
unticked, and the home card), with 0 axe-core violations on every page and, at 375 px, no sideways
scrolling of the page. The message's character count is GOV.UK Frontend's, working in the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.support.actions_pages import walk_actions_pages
from tests.support.browser import DESKTOP, PHONE, axe_violations, horizontal_overflow

pytestmark = pytest.mark.browser
EXPECTED = [
    "actions-list-empty",
    "actions-new-errors",
    "actions-thread",
    "actions-thread-answered",
    "actions-closure-requested",
    "actions-closed",
    "actions-list-all",
    "actions-home",
]


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_the_seeds_actions_journey_in_a_browser(stack, browser: Browser, width: str):
    phone = width == "phone"
    context = await browser.new_context(
        viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone, bypass_csp=True
    )
    checked: dict[str, str] = {}
    counts: dict[str, str] = {}

    async def check(page: Page, name: str) -> None:
        violations = await axe_violations(page)
        assert violations == [], f"{name} at {width}: {violations}"
        if phone:
            assert await horizontal_overflow(page) == 0, f"{name} scrolls sideways at 375 px"
        checked[name] = await page.locator("main").inner_text()
        if name == "actions-new-errors":
            counts[name] = await page.locator(".govuk-character-count__status").first.inner_text()

    try:
        page = await context.new_page()
        assert await walk_actions_pages(page, stack, check) == EXPECTED
    finally:
        await context.close()

    assert "No open Actions." in checked["actions-list-empty"]
    errors = checked["actions-new-errors"]
    assert "There is a problem" in errors and "Enter the title" in errors
    assert "characters remaining" in counts["actions-new-errors"]  # the kit's count, live in the page
    thread = checked["actions-thread"]
    assert (
        "Action created" in thread and "mileage.pdf" in thread and "LA (Childrens Services Finance)" in thread
    )
    answered = checked["actions-thread-answered"]
    assert "I drove 150 miles in September." in answered and "Paid on Friday." in answered
    assert "Closure requested" in checked["actions-closure-requested"]
    closed = checked["actions-closed"]
    assert "Reason: Paid on 4 October." in closed and "Request closure" not in closed
    listing = checked["actions-list-all"]
    assert "None pending" in listing and "Dawn Stockton Query about my next payment" in listing
    assert "No open Actions" in checked["actions-home"]
