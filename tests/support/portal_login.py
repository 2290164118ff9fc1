"""Logging in through the portal's pages in a browser (the browser tests and `make screenshots`), and
making the users to log in with (each test its own, through the council API and identity's journey)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from playwright.async_api import Page

from tests.support.identity import CODE, PASSWORD, Journey, Tenant, create_user, portal_tenant
from tests.support.stack import Stack


@dataclass
class PortalUser:
    tenant: Tenant
    email: str
    password: str  # the temporary one until the first login is done
    code: str = CODE
    user_id: str = ""


async def new_user(
    stack: Stack,
    *,
    slug: str = "telford-wrekin",
    first_login_done: bool = True,
    role: str = "full",
    can_edit: bool = True,
    tenant: Tenant | None = None,
    council: bool = False,
) -> PortalUser:
    """A user (of `role`, Edit or not) of a fresh organisation of `slug` (or of `tenant`'s A; with
    `council`, a member of the council's staff instead); with
    `first_login_done` the password is PASSWORD and the security code CODE, else the temporary
    password is still to change."""
    tenant = tenant or await portal_tenant(stack.env, slug)
    email = f"pages-{uuid.uuid4().hex[:10]}@provider.example"
    async with httpx.AsyncClient(base_url=stack.url, timeout=15) as gateway:
        user, temporary = await create_user(
            gateway, stack.env, tenant, email=email, role=role, can_edit=can_edit, council=council
        )
    person = PortalUser(tenant, email, temporary, user_id=str(user["user_id"]))
    if first_login_done:
        async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=15) as identity:
            session_id = await Journey(identity, stack.env).first_login(tenant, email, temporary)
            await Journey(identity, stack.env).post("/sessions/logout", {"session_id": session_id})
        person.password = PASSWORD
    return person


async def submit(page: Page) -> None:
    async with page.expect_navigation():
        await page.click("main button[type=submit]")


async def enter_password(page: Page, base_url: str, user: PortalUser, password: str | None = None) -> None:
    await page.goto(f"{base_url}/{user.tenant.slug}/login")
    await page.fill("#email", user.email)
    await page.fill("#password", user.password if password is None else password)
    await submit(page)


async def asked_positions(page: Page) -> list[int]:
    """The positions the challenge asks for, from its labels ("2nd digit", "5th digit")."""
    positions = []
    for name in ("digit_1", "digit_2"):
        label = await page.locator(f"label[for={name}]").inner_text()
        match = re.fullmatch(r"(\d)(st|nd|rd|th) digit", label.strip())
        assert match, label
        positions.append(int(match.group(1)))
    return positions


async def answer_challenge(page: Page, code: str, *, wrong: bool = False) -> None:
    for name, position in zip(("digit_1", "digit_2"), await asked_positions(page), strict=True):
        digit = int(code[position - 1])
        await page.select_option(f"#{name}", str((digit + 1) % 10 if wrong else digit))
    await submit(page)


async def log_in(page: Page, base_url: str, user: PortalUser) -> None:
    """Password, then the two digits asked for: the home page."""
    await enter_password(page, base_url, user)
    await answer_challenge(page, user.code)
    assert page.url.endswith(f"/{user.tenant.slug}/home"), page.url


# Every page of a logged-in person (under /<slug>/): each has "Log Out" in the header's navigation.
LOGGED_IN_PAGES = (
    "home",
    "change-password",
    "change-security-code",
    "organisation-details",
    "organisation-details/change",
    "contacts",
    "contacts/new",
)

Visit = Callable[[Page, str], Awaitable[None]]


async def walk_journey(page: Page, stack: Stack, visit: Visit, *, slug: str = "telford-wrekin") -> list[str]:
    """Every page of the log-in journey and of a session, blank and with its errors, calling
    `visit(page, name)` on each (the accessibility test checks it, `make screenshots` photographs it):
    first login, the home page, changing the password and the code, log-out, the challenge."""
    user = await new_user(stack, slug=slug, first_login_done=False)
    names: list[str] = []

    async def seen(name: str) -> None:
        names.append(name)
        await visit(page, name)

    await enter_password(page, stack.url, user, password="not the password 1")
    await seen("login-wrong-password")
    await enter_password(page, stack.url, user)
    await seen("login-change-password")
    await submit(page)
    await seen("login-change-password-errors")
    await page.fill("#new_password", PASSWORD)
    await page.fill("#confirm_password", PASSWORD)
    await submit(page)
    await seen("login-set-security-code")
    await page.fill("#new_code", "123456")
    await page.fill("#confirm_code", "123457")
    await submit(page)
    await seen("login-set-security-code-errors")
    await page.fill("#new_code", CODE)
    await page.fill("#confirm_code", CODE)
    await submit(page)
    await seen("home")
    for path in ("change-password", "change-security-code"):
        await page.goto(f"{stack.url}/{slug}/{path}")
        await seen(path)
        await submit(page)
        await seen(f"{path}-errors")
    await page.goto(f"{stack.url}/{slug}/home")
    async with page.expect_navigation():
        await page.click("header button:has-text('Log Out')")
    await seen("logged-out")
    user.password = PASSWORD
    await enter_password(page, stack.url, user)
    await seen("login-security-code")
    await answer_challenge(page, CODE, wrong=True)
    await seen("login-security-code-errors")
    return names
