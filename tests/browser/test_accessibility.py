"""Every page of the portal, under its real CSP: at desktop width 0 axe-core violations (WCAG 2.2 A and
AA, and axe's best practices), nothing of GOV.UK's identity (crown, crest, GDS Transport), nothing
fetched from elsewhere and nothing the CSP refuses (no inline script or style anywhere); at 375 pixels
wide (a phone) again 0 violations and no horizontal scrolling (nor at 320, WCAG's reflow width)."""

from __future__ import annotations

import pytest

from tests.support.browser import (
    FORBIDDEN_REQUEST,
    PAGES,
    PHONE,
    PortalPage,
    axe_violations,
    horizontal_overflow,
    open_page,
    refused_by_csp,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.name)
async def test_page_is_accessible_unbranded_by_gov_uk_and_within_its_csp(stack, context, spec: PortalPage):
    page = await context.new_page()
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console.append(m.text))
    await open_page(page, stack.url, spec)

    assert [url for url in requests if FORBIDDEN_REQUEST.search(url)] == []
    assert [url for url in requests if not url.startswith(stack.url)] == []
    assert await page.evaluate("() => document.fonts.size") == 0  # no @font-face at all
    fonts = await page.evaluate(
        "() => [...document.querySelectorAll('body *')].map(e => getComputedStyle(e).fontFamily)"
    )
    assert not [f for f in fonts if "GDS Transport" in f]
    assert await page.locator(".govuk-header__logotype, .govuk-logo, .govuk-footer__crown").count() == 0
    html = await page.content()
    assert "crown" not in html.lower() and "GDS Transport" not in html

    violations = await axe_violations(page)
    assert violations == [], f"{spec.name}: {violations}"
    assert [m for m in console if refused_by_csp(m)] == []


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.name)
async def test_page_fits_a_phone_screen(stack, browser, spec: PortalPage):
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
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


async def test_the_checks_see_a_violation_and_what_the_csp_refuses(stack, context):
    """axe-core runs under the page's CSP and finds what is wrong; the console shows what the CSP refused."""
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    await page.goto(stack.url + "/telford-wrekin/help")
    await page.evaluate(
        """() => {
            document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="/static/none.png">');
            const script = document.createElement("script");
            script.textContent = "window.inlineScriptRan = true";
            document.body.append(script);
        }"""
    )
    assert "image-alt" in [violation["id"] for violation in await axe_violations(page)]
    assert await page.evaluate("() => window.inlineScriptRan === undefined")
    assert [m for m in console if refused_by_csp(m)] != []
