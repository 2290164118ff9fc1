"""One-Off Claims in a real browser against the whole system, at desktop and phone width: the seed's
journey (the list, a new claim, a client item refused for its quantity then saved with the mileage form
attached, a parking receipt at cost, the claim submitted, the council's decision with the parking
excluded, and the item's LA notes), with 0 axe-core violations on every page and, at 375 px, no
sideways scrolling of the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.support.browser import walk_checked
from tests.support.claims_pages import walk_claims_pages

pytestmark = pytest.mark.browser
EXPECTED = [
    "claims-list",
    "claims-new",
    "claims-item-errors",
    "claims-claim",
    "claims-submitted",
    "claims-decided",
    "claims-item",
]


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_the_seeds_claim_journey_in_a_browser(stack, browser: Browser, width: str):
    walked, checked = await walk_checked(
        browser, width, lambda page, check: walk_claims_pages(page, stack, check)
    )
    assert walked == EXPECTED

    assert "approved to do so" in checked["claims-list"] and "New claim" in checked["claims-list"]
    assert "Date of claim" in checked["claims-new"]
    errors = checked["claims-item-errors"]
    assert "There is a problem" in errors and "Quantity has at most 2 decimal places" in errors
    claim = checked["claims-claim"]
    assert "UNSUBMITTED" in claim.upper() and "£58.05" in claim and "£4.50" in claim and "£62.55" in claim
    assert "Please do not use this option to claim for any other type of payment" in claim
    submitted = checked["claims-submitted"]
    assert "PENDING" in submitted.upper() and "Submit claim" not in submitted
    decided = checked["claims-decided"]
    assert "ACCEPTED" in decided.upper() and "Has LA Notes" in decided and "Included" in decided
    assert "Parking is paid by the training provider" in checked["claims-item"]
