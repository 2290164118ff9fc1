"""Every page of the portal: 0 axe-core violations (WCAG 2.2 A and AA, and axe's best practices) at
desktop width, and at 375 pixels wide (a phone) again 0 violations and no horizontal scrolling (nor
at 320, WCAG's reflow width)."""

from __future__ import annotations

import pytest

from tests.support.browser import PAGES, PHONE, PortalPage, axe_violations, horizontal_overflow, open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.name)
async def test_page_has_no_accessibility_violations(stack, axe_context, spec: PortalPage):
    page = await axe_context.new_page()
    await open_page(page, stack.url, spec)
    violations = await axe_violations(page)
    assert violations == [], f"{spec.name}: {violations}"


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.name)
async def test_page_fits_a_phone_screen(stack, browser, spec: PortalPage):
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    try:
        page = await context.new_page()
        await open_page(page, stack.url, spec)
        assert await horizontal_overflow(page) == 0, f"{spec.name} scrolls sideways at 375 px"
        violations = await axe_violations(page)
        assert violations == [], f"{spec.name} at 375 px: {violations}"
        # WCAG 2.2 reflow (1.4.10) asks for 320 CSS pixels without scrolling in two directions.
        await page.set_viewport_size({"width": 320, "height": PHONE["height"]})
        assert await horizontal_overflow(page) == 0, f"{spec.name} scrolls sideways at 320 px"
    finally:
        await context.close()
