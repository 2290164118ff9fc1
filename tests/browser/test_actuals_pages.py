"""Actuals in a real browser against the whole system, at desktop and phone width: the CPLIs, a week
generated, a line edited (first refused, then with a comment) and the week confirmed; a file imported
with an error (the GOV.UK error summary names its row and column), then the corrected file; and on
every page 0 axe-core violations and, at 375 px, no sideways scrolling of the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.support.actuals_pages import walk_actuals_pages
from tests.support.browser import walk_checked

pytestmark = pytest.mark.browser
EXPECTED = [
    "cplis",
    "actuals-services",
    "actuals-week",
    "actuals-line-errors",
    "actuals-week-confirmed",
    "actuals-import",
    "actuals-import-errors",
    "actuals-import-done",
]


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_generate_edit_confirm_and_import_in_a_browser(stack, browser: Browser, width: str):
    walked, checked = await walk_checked(
        browser, width, lambda page, check: walk_actuals_pages(page, stack, check)
    )
    assert walked == EXPECTED

    assert "£646.06 Weekly" in checked["cplis"] and "Authorised" in checked["cplis"]
    assert "Open" in checked["actuals-week"] and "Total: £" in checked["actuals-week"]
    errors = checked["actuals-line-errors"]
    assert "There is a problem" in errors and "0.25" in errors
    confirmed = checked["actuals-week-confirmed"]
    assert "Week confirmed" in confirmed and "Confirmed" in confirmed
    assert "Carer ill on Friday" in confirmed and "Add/Edit" not in confirmed
    refused = checked["actuals-import-errors"]
    assert "The file was not imported" in refused and "Row 3, column actual" in refused
    assert "Download all 2 errors as CSV" in refused  # 0.3 (row 3); 9 of 10 without a comment (row 4)
    assert "Actuals imported" in checked["actuals-import-done"]
    assert "3 rows" in checked["actuals-import-done"]
