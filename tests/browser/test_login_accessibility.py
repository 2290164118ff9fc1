"""The pages that need a login journey or a session (which the page list of test_accessibility cannot
reach by address alone): 0 axe-core violations on each, blank and with its errors, walked through in
one journey (tests.support.portal_login.walk_journey): first login, the home page, changing the
password and the code, the challenge, log-out."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.support.browser import axe_violations
from tests.support.portal_login import walk_journey

pytestmark = pytest.mark.browser


async def test_every_page_of_the_journey_has_no_accessibility_violations(stack, context):
    violations: dict[str, list] = {}

    async def check(page: Page, name: str) -> None:
        violations[name] = await axe_violations(page)

    names = await walk_journey(await context.new_page(), stack, check)
    assert {name: v for name, v in violations.items() if v} == {}
    assert len(names) == len(violations) == 13
