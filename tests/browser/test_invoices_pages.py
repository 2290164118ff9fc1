"""Invoices in a real browser against the whole system, at desktop and phone width: the list, a new
invoice (refused with no week chosen, then made from the seeds' week of £656.11 with 20% VAT), submitted,
and retracted with its reason (the credit note), with 0 axe-core violations on every page and, at 375 px,
no sideways scrolling of the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.support.browser import DESKTOP, PHONE, axe_violations, horizontal_overflow
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
        assert await walk_invoices_pages(page, stack, check) == EXPECTED
    finally:
        await context.close()

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
