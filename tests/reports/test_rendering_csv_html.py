"""Reports as CSV (streamed, UTF-8 with BOM, formula cells neutralised) and as an accessible HTML table."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest

from reports.rendering import Branding, html_view, write_csv
from reports.rendering.cells import MissingColumn
from tests.reports.rendering_helpers import PENDING, REMITTANCE, pending_row

DURHAM = Branding(name="Durham County Council", colour="#1d70b8")


async def test_csv_has_a_bom_a_header_row_plain_amounts_and_iso_dates():
    rows = [pending_row(n) for n in range(1201)]
    out = io.BytesIO()
    reported: list[int] = []

    async def progress(done: int) -> None:
        reported.append(done)

    async def source():
        for row in rows:
            yield row

    written = await write_csv(PENDING, source(), out, progress=progress)
    body = out.getvalue()
    assert written == 1201
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert parsed[0] == ["Client", "SSRef", "From", "Days", "Excl VAT", "VAT", "Total"]
    assert len(parsed) == 1202
    expected_3 = pending_row(3)
    assert parsed[4] == [
        "Client 0003",
        "C2000003",
        "2019-09-30",
        "7",
        f"{expected_3['excl_vat']:.2f}",
        f"{expected_3['vat']:.2f}",
        f"{expected_3['total']:.2f}",
    ]
    assert sum(Decimal(r[6]) for r in parsed[1:]) == sum(r["total"] for r in rows)
    assert reported == [500, 1000, 1201]  # a batch at a time, then the end


@pytest.mark.parametrize("attack", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
async def test_csv_text_a_spreadsheet_would_run_is_neutralised_but_a_credit_is_a_number(attack):
    out = io.BytesIO()
    credit = {
        **pending_row(1),
        "client_name": attack,
        "excl_vat": Decimal("-12.50"),
        "total": Decimal("-12.50"),
    }
    await write_csv(PENDING, [credit], out)
    (_, row) = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    assert row[0] == "'" + attack
    assert (row[4], row[6]) == ("-12.50", "-12.50")


async def test_csv_of_no_rows_is_the_header_and_empty_values_are_empty():
    out = io.BytesIO()
    assert await write_csv(PENDING, [], out) == 0
    assert out.getvalue() == "\ufeffClient,SSRef,From,Days,Excl VAT,VAT,Total\r\n".encode()
    out = io.BytesIO()
    await write_csv(PENDING, [{**pending_row(1), "client_reference": None}], out)
    assert out.getvalue().decode("utf-8-sig").splitlines()[1].startswith("Client 0001,,2019-09-30,")
    with pytest.raises(MissingColumn):
        await write_csv(PENDING, [{"client_name": "x"}], io.BytesIO())


def test_html_view_is_an_accessible_table_with_totals_and_escaped_values():
    rows = [{**pending_row(1), "client_name": "<script>alert(1)</script>"}, pending_row(2)]
    html = html_view(PENDING, rows, branding=DURHAM, parameters=[("Organisation", "Sausage & Sandwich")])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<p class="govuk-caption-m">Durham County Council</p>' in html
    assert '<dt class="govuk-summary-list__key">Organisation</dt>' in html
    assert '<dd class="govuk-summary-list__value">Sausage &amp; Sandwich</dd>' in html
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--m">Pending Scheduled Payments</caption>'
        in html
    )
    headers = re.findall(r'<th scope="col" class="([^"]+)">([^<]+)</th>', html)
    assert [h for _, h in headers] == ["Client", "SSRef", "From", "Days", "Excl VAT", "VAT", "Total"]
    assert headers[4][0] == "govuk-table__header govuk-table__header--numeric"
    body_rows = re.findall(r'<tr class="govuk-table__row"><th scope="row"[^>]*>([^<]*)</th>', html)
    assert body_rows == ["&lt;script&gt;alert(1)&lt;/script&gt;", "Client 0002", "Total"]
    total = pending_row(1)["total"] + pending_row(2)["total"]
    tfoot = html[html.index("<tfoot") :]
    assert f'<td class="govuk-table__cell govuk-table__cell--numeric">£{total:,.2f}</td>' in tfoot
    assert '<td class="govuk-table__cell">30/09/2019</td>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">14</td>' in tfoot  # 7 + 7 days


def test_html_view_of_documents_and_of_nothing():
    def line(remittance: str, amount: str) -> dict[str, object]:
        return {
            "remittance_id": remittance,
            "remittance_reference": f"RA-{remittance}",
            "pay_date": date(2019, 10, 4),
            "client_name": "S, Bart",
            "purchase_order_number": "PO-1",
            "excl_vat": Decimal(amount),
            "total": Decimal(amount),
        }

    html = html_view(
        REMITTANCE, [line("1", "1.00"), line("1", "2.00"), line("2", "5.00")], branding=DURHAM, parameters=[]
    )
    assert html.count('<h2 class="govuk-heading-m">Remittance Advice: Provider Payments</h2>') == 2
    assert html.count("<table") == 2
    assert '<dd class="govuk-summary-list__value">RA-2</dd>' in html
    assert '<dd class="govuk-summary-list__value">04/10/2019</dd>' in html
    footers = re.findall(r"<tfoot.*?</tfoot>", html, flags=re.S)
    assert ["£3.00" in footers[0], "£5.00" in footers[1]] == [True, True]
    empty = html_view(PENDING, [], branding=DURHAM, parameters=[])
    assert "There is nothing to report for these parameters." in empty and "<table" not in empty
