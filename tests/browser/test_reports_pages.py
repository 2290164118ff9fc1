"""The Reports journey in a real browser against the whole system (the stack's render worker renders
the runs), at desktop and phone width: the catalogue, the annual statement's parameters picked from
lists, the run once rendered with its PDF, the same report as a web page (the accessible HTML view in
the portal's page), its data as CSV, and My reports, with 0 axe-core violations on every page and, at
375 px, no sideways scrolling of the page (a wide table scrolls in its own box)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.support.browser import walk_checked
from tests.support.reports_pages import BART, LISA, TAX_YEAR, WEEKS, walk_reports_pages

pytestmark = pytest.mark.browser
EXPECTED = ["reports-catalogue", "reports-parameters", "reports-run-done", "reports-web-view", "reports-mine"]


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_the_reports_journey_in_a_browser(stack, browser: Browser, width: str):
    walked, checked = await walk_checked(
        browser, width, lambda page, check: walk_reports_pages(page, stack, check)
    )
    assert walked == EXPECTED

    assert "Annual Statement of Foster Carer Payments" in checked["reports-catalogue"]
    parameters = checked["reports-parameters"]
    assert TAX_YEAR in parameters and "6 April 2019 to 5 April 2020" in parameters
    assert "View as a web page" in parameters
    assert "Your report is ready" in checked["reports-run-done"]
    assert "Open the report (PDF)" in checked["reports-run-done"]
    view = checked["reports-web-view"]
    # Four weeks of each child's allowance, paid in the tax year: 28 days of care each.
    assert BART in view and LISA in view and "2019/20" in view
    assert f"£{4 * 353.08:,.2f}" in view and f"£{4 * 303.03:,.2f}" in view
    assert f"£{WEEKS * (353.08 + 303.03):,.2f}" in view
    mine = checked["reports-mine"]
    assert "Download Data (CSV)" in mine and "View as a web page (HTML)" in mine and "View (PDF)" in mine
