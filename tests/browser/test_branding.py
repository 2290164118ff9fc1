"""Each authority's own name, colour and support contact on its landing page. That no page shows the
GOV.UK crown, crest or the GDS Transport font, or breaks its CSP, is checked page by page with its
accessibility (tests/browser/test_accessibility.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


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
