"""`make screenshots`: a PNG of every portal page at desktop (1280) and phone (375) width, in
docs/screenshots/. Starts its own stack (the browser tests' helper) on an isolated environment, and
visits the same pages the browser tests check (the page list, the log-in journey's pages, then
Organisation Details and Contacts, then Care Package Line Items, Actuals and its bulk import, then
One-Off Claims: the list, a claim with its items, an item form with an error, a decided claim, then
Purchase Orders: the list, an order on screen and as printed, remittance advice by finalisation and by
period, then Reports: the catalogue, a report's parameters, a run done, the report as a web page and My
reports), and the first page of each report's PDF (pdftoppm)."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Page, async_playwright

from shared.logging import configure_logging
from tests.support.actions_pages import walk_actions_pages
from tests.support.actuals_pages import walk_actuals_pages
from tests.support.browser import (
    DESKTOP,
    PAGES,
    PHONE,
    ROOT,
    STABLE_REQUEST_ID,
    launch,
    missing_prerequisites,
    open_page,
)
from tests.support.claims_pages import walk_claims_pages
from tests.support.environment import RunEnvironment, new_run_id
from tests.support.identity import ensure_portal_authorities
from tests.support.invoices_pages import walk_invoices_pages
from tests.support.organisation_pages import walk_organisation_pages
from tests.support.portal_login import walk_journey
from tests.support.purchase_orders_pages import walk_purchase_orders_pages
from tests.support.report_pdfs import photograph_report_pdfs
from tests.support.reports_pages import walk_reports_pages
from tests.support.scheduled_payments_pages import walk_scheduled_payments_pages
from tests.support.stack import Stack

OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


async def take_screenshots(stack: Stack, out: Path, *, only: str | None = None) -> list[Path]:
    """Every page, or with `only` one part ("actuals": the Actuals and CPLI pages alone; "claims": the
    One-Off Claims pages alone; "purchase-orders": the Purchase Orders and remittance pages alone;
    "invoices": the Invoices pages alone; "scheduled-payments": the Scheduled Payments pages alone;
    "actions": the Actions and Change Requests pages alone;
    "reports": the Reports pages and the first page of each report's PDF alone)."""
    base_url = stack.url
    written = []
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            for label, viewport in WIDTHS.items():
                context = await browser.new_context(
                    viewport=viewport,
                    is_mobile=label == "phone",
                    extra_http_headers={"x-request-id": STABLE_REQUEST_ID},
                )
                for spec in PAGES if only is None else ():
                    page = await context.new_page()
                    await open_page(page, base_url, spec)
                    path = out / f"{spec.name}-{label}.png"
                    await page.screenshot(path=str(path), full_page=True, animations="disabled")
                    await page.close()
                    written.append(path)
                journey = await context.new_page()

                async def photograph(page: Page, name: str, label: str = label) -> None:
                    path = out / f"{name}-{label}.png"
                    await page.screenshot(path=str(path), full_page=True, animations="disabled")
                    written.append(path)

                if only is None:
                    await walk_journey(journey, stack, photograph)  # the pages a session or a journey reaches
                    await walk_organisation_pages(await context.new_page(), stack, photograph)
                if only in (None, "actuals"):
                    await walk_actuals_pages(await context.new_page(), stack, photograph)
                if only in (None, "claims"):
                    await walk_claims_pages(await context.new_page(), stack, photograph)
                if only in (None, "scheduled-payments"):
                    await walk_scheduled_payments_pages(await context.new_page(), stack, photograph)
                if only in (None, "purchase-orders"):
                    await walk_purchase_orders_pages(await context.new_page(), stack, photograph)
                if only in (None, "invoices"):
                    await walk_invoices_pages(await context.new_page(), stack, photograph)
                if only in (None, "reports"):
                    await walk_reports_pages(await context.new_page(), stack, photograph)
                if only in (None, "actions"):
                    await walk_actions_pages(await context.new_page(), stack, photograph)
                await context.close()
        finally:
            await browser.close()
    if only in (None, "reports"):
        from devtools.seed import AUTHORITIES  # the demo councils: the first one runs the reports

        written += await photograph_report_pdfs(stack, out, authority_id=AUTHORITIES[0].authority_id)
    return written


async def main() -> None:
    missing = missing_prerequisites() + (
        [] if shutil.which("pdftoppm") else ["pdftoppm (the `poppler-utils` Debian package)"]
    )
    if missing:
        sys.exit("screenshots need: " + "; ".join(missing) + " (run PORTAL_SETUP_BROWSER=1 scripts/setup.sh)")
    configure_logging(service="screenshots", level="CRITICAL", json=True)  # the 500 page is made on purpose
    OUT.mkdir(parents=True, exist_ok=True)
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    stack = Stack(env=env, log_dir=Path(tempfile.mkdtemp(prefix="screenshots-")))
    try:
        await stack.start()
        await ensure_portal_authorities(env)
        # `python -m devtools.screenshots actuals` (or `claims`, `scheduled-payments`, `purchase-orders`,
        # `invoices`, `actions`, `reports`): only that area's pages.
        written = await take_screenshots(stack, OUT, only=sys.argv[1] if len(sys.argv) > 1 else None)
    finally:
        stack.stop()
        await env.destroy()
    print(f"wrote {len(written)} screenshots to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    asyncio.run(main())
