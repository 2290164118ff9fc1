"""The Purchase Orders page (filters Financial Year, Service, Client in a GET form; columns Purchase
Order, Value, Spend To Date, Financial Year, Issued), a purchase order's printable page, the remittance
advice list, a remittance's printable page (by finalisation), the lines paid in one payment period (by
period), "Download Data" (the service's CSV, relayed), and "View PDF": the order or remittance as a PDF
from the reports service (rendered from payments' events by its render workers), asked for as a run of
the report with the document's id and followed on the run's page (docs/reports.md "Documents")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.service_problems import ServiceError
from gateway.web.actuals import figures
from gateway.web.actuals.listing import PAGE_SIZE, page_number, unnumbered
from gateway.web.admin_access import task_viewer
from gateway.web.branding import Branding
from gateway.web.page_problem import NOT_FOUND, an_id
from gateway.web.purchase_orders import service
from gateway.web.rendering import AuthorityBranding, Portal, page_router_dependencies
from gateway.web.reports import service as reports
from gateway.web.session import SignedIn
from gateway.web.tasks import TaskId

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
FILTERS = ("financial_year", "service_id", "client_id")
# Remittances are what scheduled payments paid: the service reads them to the roles that see those.
REMITTANCES = TaskId.scheduled_payments


def address_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@router.get("/{slug}/purchase-orders", response_class=HTMLResponse)
async def show_orders(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, TaskId.purchase_orders)
    if not isinstance(user, SignedIn):
        return user
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in FILTERS}
    options = await service.read(request, user, "purchase-orders/options")
    values["financial_year"] = values["financial_year"] or options["current_year"]
    page = page_number(query.get("page"))
    rows: list[dict[str, Any]] = await service.read(
        request, user, "purchase-orders", **values, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    base = f"/{branding.slug}/purchase-orders"
    return portal.render(
        request,
        "purchase_orders/purchase_orders.html",
        branding=branding,
        viewer=user.viewer,
        values=values,
        options=options,
        rows=rows[:PAGE_SIZE],
        page=page,
        pagination=unnumbered(base, {**values, "page": str(page)}, page=page, more=len(rows) > PAGE_SIZE),
        fmt=figures,
    )


@router.get("/{slug}/purchase-orders/{purchase_order_id}", response_class=HTMLResponse)
async def show_order(
    request: Request, purchase_order_id: str, portal: Portal, branding: AuthorityBranding
) -> Response:
    user = await task_viewer(request, branding, TaskId.purchase_orders)
    if not isinstance(user, SignedIn):
        return user
    doc = await service.read(request, user, f"purchase-orders/{an_id(purchase_order_id)}")
    return portal.render(
        request,
        "purchase_orders/purchase_order.html",
        branding=branding,
        viewer=user.viewer,
        doc=doc,
        order=doc["purchase_order"],
        supplier_lines=[
            *address_lines(doc["supplier"]["address"]),
            *address_lines(doc["supplier"]["postcode"]),
        ],
        invoice_lines=address_lines(doc["invoice_address"]),
        delivery_lines=address_lines(doc["delivery_address"]),
        fmt=figures,
    )


@router.post("/{slug}/purchase-orders/{purchase_order_id}/pdf")
async def view_order_pdf(request: Request, purchase_order_id: str, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, TaskId.purchase_orders)
    if not isinstance(user, SignedIn):
        return user
    return await _document_pdf(
        request, user, branding, "purchase-order", "purchase_order_id", purchase_order_id
    )


@router.get("/{slug}/remittances", response_class=HTMLResponse)
async def show_remittances(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, REMITTANCES)
    if not isinstance(user, SignedIn):
        return user
    query = request.query_params
    year = query.get("financial_year", "").strip()
    page = page_number(query.get("page"))
    rows: list[dict[str, Any]] = await service.read(
        request, user, "remittances", financial_year=year, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    options = await service.read(request, user, "purchase-orders/options")
    year = year or options["current_year"]
    base = f"/{branding.slug}/remittances"
    return portal.render(
        request,
        "purchase_orders/remittances.html",
        branding=branding,
        viewer=user.viewer,
        year=year,
        years=options["financial_years"],
        rows=rows[:PAGE_SIZE],
        page=page,
        pagination=unnumbered(
            base, {"financial_year": year, "page": str(page)}, page=page, more=len(rows) > PAGE_SIZE
        ),
        fmt=figures,
    )


@router.get("/{slug}/remittances/by-period", response_class=HTMLResponse)
async def show_period(request: Request, portal: Portal, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, REMITTANCES)
    if not isinstance(user, SignedIn):
        return user
    contract_id = an_id(request.query_params.get("contract_id", ""))
    start = figures.parse_date(request.query_params.get("period_start", ""))
    if start is None:
        raise NOT_FOUND
    found = await service.read(
        request, user, "remittances/by-period", contract_id=contract_id, period_start=start.isoformat()
    )
    return portal.render(
        request,
        "purchase_orders/remittance.html",
        branding=branding,
        viewer=user.viewer,
        by_period=True,
        header=found,
        lines=found["lines"],
        total=found["total"],
        fmt=figures,
    )


@router.get("/{slug}/remittances/{remittance_id}", response_class=HTMLResponse)
async def show_remittance(
    request: Request, remittance_id: str, portal: Portal, branding: AuthorityBranding
) -> Response:
    user = await task_viewer(request, branding, REMITTANCES)
    if not isinstance(user, SignedIn):
        return user
    found = await service.read(request, user, f"remittances/{an_id(remittance_id)}")
    return portal.render(
        request,
        "purchase_orders/remittance.html",
        branding=branding,
        viewer=user.viewer,
        by_period=False,
        header=found,
        lines=found["lines"],
        total=found["total"],
        csv_href=f"/{branding.slug}/remittances/{found['remittance_id']}/lines.csv",
        fmt=figures,
    )


@router.post("/{slug}/remittances/{remittance_id}/pdf")
async def view_remittance_pdf(request: Request, remittance_id: str, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, REMITTANCES)
    if not isinstance(user, SignedIn):
        return user
    return await _document_pdf(request, user, branding, "remittance-advice", "remittance_id", remittance_id)


async def _document_pdf(
    request: Request, user: SignedIn, branding: Branding, report: str, name: str, document_id: str
) -> Response:
    """Ask the reports service for the document's PDF (a new run, or the person's kept one of the same
    document) and go to the run's page, which shows its progress and opens the file when done. The
    service checks the document is the person's own: another's is its 404, "Page not found" here."""
    body = {"report": report, "format": "pdf", "parameters": {name: an_id(document_id)}}
    try:
        run = await reports.write(request, user, "POST", "runs", body)
    except ServiceError as exc:
        raise reports.page_problem(exc) from exc
    return RedirectResponse(f"/{branding.slug}/reports/runs/{run['run_id']}", status_code=303)


@router.get("/{slug}/remittances/{remittance_id}/lines.csv")
async def download_remittance(request: Request, remittance_id: str, branding: AuthorityBranding) -> Response:
    user = await task_viewer(request, branding, REMITTANCES)
    if not isinstance(user, SignedIn):
        return user
    content, headers = await service.download(request, user, f"remittances/{an_id(remittance_id)}/lines.csv")
    return Response(
        content,
        media_type=headers.get("content-type", "text/csv; charset=utf-8"),
        headers={
            "content-disposition": headers.get("content-disposition", 'attachment; filename="remittance.csv"')
        },
    )
