"""Invoices in a real browser against the whole system, at desktop and phone width: the list, a new
invoice (refused with no week chosen, then made from the seeds' week of £656.11 with 20% VAT), submitted,
and retracted with its reason (the credit note), with 0 axe-core violations on every page and, at 375 px,
no sideways scrolling of the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.support.browser import walk_checked
from tests.support.invoices_pages import walk_invoices_pages

pytestmark = pytest.mark.browser
EXPECTED = [
    "invoices-list",
    "invoices-new",
    "invoices-new-errors",
    "invoices-draft",
    "invoices-submitted",
    "invoices-retract",
    "invoices-credit-note",
]


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_an_invoice_from_a_week_submitted_and_retracted_in_a_browser(
    stack, browser: Browser, width: str
):
    walked, checked = await walk_checked(
        browser, width, lambda page, check: walk_invoices_pages(page, stack, check)
    )
    assert walked == EXPECTED

    assert "Create invoice" in checked["invoices-list"] and "no invoices" in checked["invoices-list"]
    assert "Week commencing 30/09/2019" in checked["invoices-new"] and "£656.11" in checked["invoices-new"]
    errors = checked["invoices-new-errors"]
    assert "There is a problem" in errors and "Choose at least one confirmed week to invoice" in errors
    draft = checked["invoices-draft"]
    assert "DRAFT" in draft.upper() and "£787.34" in draft and "£131.23" in draft and "SEPT-2019-1" in draft
    submitted = checked["invoices-submitted"]
    assert "SUBMITTED" in submitted.upper() and "Submit invoice" not in submitted
    assert "Retract invoice" in submitted
    assert "A credit note of £787.34 will be issued" in checked["invoices-retract"]
    note = checked["invoices-credit-note"]
    assert "Credit note CRN-" in note and "-£787.34" in note and "Raised against the wrong week" in note
