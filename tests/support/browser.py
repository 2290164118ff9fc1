"""Headless Chromium for the browser tests and `make screenshots`: Debian's own Chromium (installed by
scripts/setup.sh, never a Playwright browser download), the portal's pages, and the checks run on them
(axe-core from the npm registry, horizontal overflow at phone width, what the page fetched)."""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from playwright.async_api import Browser, Page, Playwright, Route

from tests.support.inprocess import no_upstreams

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FRONTEND = ROOT / "gateway" / "src" / "gateway" / "static" / "dist" / "portal.css"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# The request id the screenshots and the in-process pages show, so that their pictures do not change
# from one run to the next (the gateway keeps a well-formed id sent by its caller).
STABLE_REQUEST_ID = "3f9c2a7be1d84c6a9b0e5d7f1a2c4e68"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# What a council's portal must never fetch: GOV.UK Frontend's fonts (GDS Transport), crown, crest, icons.
FORBIDDEN_REQUEST = re.compile(r"\.woff2?\b|/fonts/|crown|crest|govuk-icon|govuk-logo|favicon\.ico", re.I)


def missing_prerequisites() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (the `chromium` Debian package)")
    if not AXE.exists():
        missing.append(f"{AXE.relative_to(ROOT)} (npm ci)")
    if not FRONTEND.exists():
        missing.append(f"{FRONTEND.relative_to(ROOT)} (npm run build)")
    return missing


async def launch(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


@cache
def axe_source() -> str:
    return AXE.read_text()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now. axe is evaluated through DevTools, which the page's
    CSP does not govern (a script tag would be refused), so every page is checked under its real CSP."""
    await page.evaluate(axe_source())
    violations: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )
    return violations


def refused_by_csp(console_text: str) -> bool:
    """Whether a console message is Chromium's report of something the page's CSP refused."""
    return "Content Security Policy" in console_text or "Refused to" in console_text


async def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scrolling)."""
    overflow: int = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


# A journey's walk (tests/support/*_pages.py): it calls `visit(page, name)` on each page it reaches and
# answers the names in order.
Journey = Callable[[Page, Callable[[Page, str], Awaitable[None]]], Awaitable[list[str]]]


async def walk_checked(
    browser: Browser, width: str, walk: Journey, *, also: Callable[[Page, str], Awaitable[None]] | None = None
) -> tuple[list[str], dict[str, str]]:
    """Walk a journey in a new context at `width` ("desktop", or "phone": 375 px with touch), each page
    checked with axe, for anything its CSP refused and, on the phone, for sideways scrolling: the names
    walked and each page's main text. `also` looks further at each page (what a journey's own assertions
    need)."""
    phone = width == "phone"
    context = await browser.new_context(
        viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone
    )
    refused: list[str] = []
    context.on(
        "console", lambda message: refused.append(message.text) if refused_by_csp(message.text) else None
    )
    checked: dict[str, str] = {}

    async def check(page: Page, name: str) -> None:
        violations = await axe_violations(page)
        assert violations == [], f"{name} at {width}: {violations}"
        assert refused == [], f"{name} at {width}: the CSP refused {refused}"
        if phone:
            assert await horizontal_overflow(page) == 0, f"{name} scrolls sideways at 375 px"
        checked[name] = await page.locator("main").inner_text()
        if also is not None:
            await also(page, name)

    try:
        walked = await walk(await context.new_page(), check)
        # the journey's last steps after its last check (a click, a download) are under the CSP too
        assert refused == [], f"after the last page checked at {width}: the CSP refused {refused}"
    finally:
        await context.close()
    return walked, checked


# --- The pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakePage:
    """A page not reachable yet (it needs a session, or an error): rendered in-process by the gateway's
    own code and served by the browser at its real address, so it loads the real stack's assets."""

    status: int
    headers: dict[str, str]
    body: str


@dataclass(frozen=True)
class PortalPage:
    name: str
    path: str
    # Brings the page to the state to check, after it has loaded (fill a form and send it, ...).
    then: Callable[[Page], Awaitable[None]] | None = None
    fake: Callable[[], FakePage] | None = None
    tags: frozenset[str] = field(default_factory=frozenset)


async def open_page(page: Page, base_url: str, spec: PortalPage) -> None:
    if spec.fake is not None:
        fake = spec.fake()

        async def fulfil(route: Route) -> None:
            await route.fulfill(status=fake.status, headers=fake.headers, body=fake.body)

        await page.route(base_url + spec.path, fulfil)
    await page.goto(base_url + spec.path)
    if spec.then is not None:
        await spec.then(page)
    await page.wait_for_load_state("load")


async def send_forgotten_password_with_errors(page: Page) -> None:
    await page.fill("#name", "Sam Provider")
    await page.fill("#email", "sam.provider-at-example")
    await page.click("button[type=submit]")


async def send_forgotten_password(page: Page) -> None:
    await page.fill("#name", "Sam Provider")
    await page.fill("#organisation_name", "Purple Care Ltd")
    await page.fill("#email", "sam@purplecare.example")
    await page.fill("#telephone", "01632 960 001")
    await page.click("button[type=submit]")


async def send_login_without_answers(page: Page) -> None:
    await page.click("main button[type=submit]")


async def send_form_without_token(page: Page) -> None:
    await page.eval_on_selector("input[name=csrf_token]", "input => input.remove()")
    await send_forgotten_password(page)


@cache
def _fake_pages() -> dict[str, FakePage]:
    """The home page from a fake user, and a 500 page, rendered by an in-process gateway."""
    from fastapi.testclient import TestClient

    from gateway.config import Settings
    from gateway.main import create_gateway
    from gateway.web.account.home import render_home
    from gateway.web.tasks import TaskId
    from gateway.web.viewer import Viewer
    from shared.auth import Role
    from tests.support.branding import demo_branding_source

    app = create_gateway(
        Settings(
            environment="test",
            identity_secret="in-process-gateway-talks-to-no-identity",
            metrics_port=0,
            **no_upstreams(),
        )
    )
    app.state.web.branding = demo_branding_source()

    @app.get("/{slug}/home")
    async def fake_home(slug: str, request: Request) -> Any:
        branding = await app.state.web.branding.get(slug)
        viewer = Viewer(
            name="Sam Provider",
            organisation_name="Purple Care Ltd",
            role=Role.full,
            can_edit=True,
            authority_slug=slug,
        )
        # As the real home page shows it: Telford & Wrekin takes no one-off claims (web/areas.py Offered).
        hidden = frozenset({TaskId.one_off_claims}) if slug == "telford-wrekin" else frozenset()
        return render_home(app.state.web, request, branding=branding, viewer=viewer, hidden=hidden)

    app.router.routes.insert(0, app.router.routes.pop())  # ahead of the real, logged-in home page

    @app.get("/{slug}/broken/page")
    async def broken(slug: str) -> None:
        raise RuntimeError("a deliberate failure, to show the 500 page")

    client = TestClient(app, raise_server_exceptions=False)
    pages = {}
    expected = {
        "/telford-wrekin/home": 200,
        "/durham-childrens/home": 200,
        "/telford-wrekin/broken/page": 500,
    }
    for path, status in expected.items():
        response = client.get(path, headers={"x-request-id": STABLE_REQUEST_ID})
        assert response.status_code == status, f"{path}: {response.status_code}"
        headers = {k: v for k, v in response.headers.items() if k not in {"content-length", "set-cookie"}}
        pages[path] = FakePage(response.status_code, headers, response.text)
    return pages


def _fake(path: str) -> Callable[[], FakePage]:
    return lambda: _fake_pages()[path]


AUTHORITIES = ("telford-wrekin", "durham-childrens", "worcestershire-adults", "worcestershire-childrens")
PAGES: tuple[PortalPage, ...] = (
    PortalPage("councils", "/"),
    *(PortalPage(f"landing-{slug}", f"/{slug}/") for slug in AUTHORITIES),
    PortalPage("privacy", "/telford-wrekin/privacy"),
    PortalPage("help", "/telford-wrekin/help"),
    PortalPage("help-durham-childrens", "/durham-childrens/help"),
    PortalPage("forgotten-password", "/worcestershire-childrens/forgotten-password"),
    PortalPage(
        "forgotten-password-errors",
        "/worcestershire-childrens/forgotten-password",
        then=send_forgotten_password_with_errors,
    ),
    PortalPage(
        "forgotten-password-sent",
        "/worcestershire-childrens/forgotten-password",
        then=send_forgotten_password,
    ),
    PortalPage("home-telford-wrekin", "/telford-wrekin/home", fake=_fake("/telford-wrekin/home")),
    PortalPage("home-durham-childrens", "/durham-childrens/home", fake=_fake("/durham-childrens/home")),
    PortalPage("not-available", "/durham-childrens/one-off-claims"),
    PortalPage("login", "/worcestershire-adults/login"),
    PortalPage("login-errors", "/worcestershire-adults/login", then=send_login_without_answers),
    PortalPage("error-403-csrf", "/telford-wrekin/forgotten-password", then=send_form_without_token),
    PortalPage("error-404", "/telford-wrekin/no-such-page"),
    PortalPage("error-500", "/telford-wrekin/broken/page", fake=_fake("/telford-wrekin/broken/page")),
    PortalPage("api-docs", "/api/docs"),
)
