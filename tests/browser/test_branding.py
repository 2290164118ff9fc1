"""Each authority's own name, colour and support contact; never the GOV.UK crown, crest or the GDS
Transport font; and nothing the CSP refuses (no inline script or style anywhere)."""

from __future__ import annotations

import pytest

from tests.support.browser import FORBIDDEN_REQUEST, PAGES, PortalPage, open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.name)
async def test_page_loads_no_gov_uk_identity_and_breaks_no_csp_rule(stack, context, spec: PortalPage):
    page = await context.new_page()
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console.append(m.text))
    await open_page(page, stack.url, spec)

    assert [url for url in requests if FORBIDDEN_REQUEST.search(url)] == []
    assert [url for url in requests if not url.startswith(stack.url)] == []
    assert [m for m in console if "Content Security Policy" in m or "Refused to" in m] == []
    assert await page.evaluate("() => document.fonts.size") == 0  # no @font-face at all
    fonts = await page.evaluate(
        "() => [...document.querySelectorAll('body *')].map(e => getComputedStyle(e).fontFamily)"
    )
    assert not [f for f in fonts if "GDS Transport" in f]
    assert await page.locator(".govuk-header__logotype, .govuk-logo, .govuk-footer__crown").count() == 0
    html = await page.content()
    assert "crown" not in html.lower() and "GDS Transport" not in html


@pytest.mark.parametrize(
    ("slug", "name", "colour", "support"),
    [
        ("telford-wrekin", "Telford & Wrekin Council", "rgb(0, 89, 79)", "ECM@telford.gov.uk"),
        (
            "durham-childrens",
            "Durham County Council Children's",
            "rgb(75, 46, 131)",
            "Children's Services Finance Team",
        ),
        ("worcestershire-adults", "Worcestershire County Council", "rgb(138, 21, 56)", "Adult Services"),
        (
            "worcestershire-childrens",
            "Worcestershire Children First",
            "rgb(0, 95, 115)",
            "System Support Team",
        ),
    ],
)
async def test_landing_page_shows_the_authority_name_colour_and_support(
    stack, context, slug, name, colour, support
):
    page = await context.new_page()
    await page.goto(f"{stack.url}/{slug}/")
    assert await page.locator("h1").inner_text() == f"Welcome to the {name} Provider Portal"
    assert await page.locator(".portal-header").inner_text() == name
    background = await page.eval_on_selector(".portal-header", "e => getComputedStyle(e).backgroundColor")
    assert background == colour
    assert support in await page.locator("footer").inner_text()
    start = page.get_by_role("button", name="Access secure services for providers")
    assert await start.get_attribute("href") == f"/{slug}/login"
    body = await page.locator("main").inner_text()
    assert "All communications are encrypted" in body
    assert "By logging in, you consent to the use of cookies" in body
