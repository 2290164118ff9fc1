"""The first page of each report's PDF as a PNG, for `make screenshots` (devtools/screenshots.py): each
report of the catalogue run by the council through the reports API of a running stack (its render
worker renders it), the file downloaded and its first page drawn by pdftoppm (Debian's poppler-utils,
installed by scripts/setup.sh with the browser)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import httpx

from reports.domain.catalogue import CATALOGUE
from tests.support.reports import add_organisations
from tests.support.reports_pages import Scenario, fill_read_model
from tests.support.stack import Stack

DEMO_ORGANISATIONS = ["Alpha Homecare Ltd", "Bramble Lodge Care", "Castle View Support"]


def report_parameters(scenario: Scenario) -> dict[str, dict[str, str]]:
    """What each report is run with (its declared parameters, over the scenario's data): a report not
    listed is run without any."""
    organisation = str(scenario.organisation_id)
    return {
        "commissioned-vs-actuals": {"organisation_id": organisation, "financial_year": "2019/20"},
        "pending-payments-exceptions": {"organisation_id": organisation},
        "pending-scheduled-payments": {"organisation_id": organisation},
        "remittance-advice": {
            "contract_id": str(scenario.contract_id),
            "payment_method": "Scheduled Weekly Net",
            "period_start": scenario.first_week.isoformat(),
        },
        "annual-statement-foster-carer": {"organisation_id": organisation, "tax_year": "2019/20"},
        "purchase-order": {"purchase_order_id": str(scenario.purchase_order_id)},
    }


def first_page_png(pdf: bytes, path: Path, *, dpi: int = 110) -> Path:
    """`path` (a .png): the PDF's first page at `dpi`."""
    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm is missing: run PORTAL_SETUP_BROWSER=1 scripts/setup.sh")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
        source.write(pdf)
        source.flush()
        stem = path.with_suffix("")
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", source.name, str(stem)],
            check=True,
            capture_output=True,
        )
    return path


async def photograph_report_pdfs(stack: Stack, out: Path, *, authority_id: uuid.UUID) -> list[Path]:
    """report-<key>-page-1.png in `out` for every report of the catalogue, run by the council of
    `authority_id` (a few organisations added to reports' projection first, so a directory is not
    empty)."""
    first, *_ = await add_organisations(stack.env, authority_id, DEMO_ORGANISATIONS)
    parameters = report_parameters(
        await fill_read_model(stack.env, authority_id=authority_id, organisation_id=first)
    )
    headers = {"authorization": f"Bearer {stack.env.council_token(authority_id, can_edit=False)}"}
    written = []
    async with httpx.AsyncClient(base_url=stack.service_url("reports"), headers=headers, timeout=30) as api:
        for key in CATALOGUE:
            created = await api.post(
                "/api/v1/reports/runs",
                json={"report": key, "format": "pdf", "parameters": parameters.get(key, {})},
            )
            if created.status_code != 202:
                raise RuntimeError(f"the {key} report was refused: {created.text}")
            run_id = created.json()["run_id"]
            for _ in range(600):  # a render worker takes it: at most a minute on a busy machine
                run = (await api.get(f"/api/v1/reports/runs/{run_id}")).json()
                if run["status"] in ("done", "failed"):
                    break
                await asyncio.sleep(0.1)
            if run["status"] != "done":
                raise RuntimeError(f"the {key} report did not render: {run}")
            pdf = (await api.get(f"/api/v1/reports/runs/{run_id}/file")).content
            written.append(first_page_png(pdf, out / f"report-{key}-page-1.png"))
    return written
