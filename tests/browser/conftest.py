"""Browser fixtures: one headless Chromium per run, a fresh context per test.

When Chromium, axe-core or the built front-end is missing, the browser tests are skipped with the reason,
unless PORTAL_REQUIRE_BROWSER=1 (set by `make test`, whose set-up installs them): then they fail.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.support.browser import DESKTOP, launch, missing_prerequisites


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    missing = missing_prerequisites()
    if missing:
        message = (
            "browser tests need: " + "; ".join(missing) + " — run PORTAL_SETUP_BROWSER=1 scripts/setup.sh"
        )
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A desktop context that enforces the page's CSP, as a person's browser does (axe-core is evaluated
    through DevTools, which the CSP does not govern: tests/support/browser.axe_violations)."""
    context = await browser.new_context(viewport=DESKTOP)
    try:
        yield context
    finally:
        await context.close()
