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
from tests.support.browser import walk_checked

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
    counts: dict[str, str] = {}

    async def look_further(page: Page, name: str) -> None:
        if name == "actions-new-errors":
            counts[name] = await page.locator(".govuk-character-count__status").first.inner_text()

    walked, checked = await walk_checked(
        browser, width, lambda page, check: walk_actions_pages(page, stack, check), also=look_further
    )
    assert walked == EXPECTED

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
