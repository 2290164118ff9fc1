"""Reports as PDF (reports.rendering.pdf): the text read back with pypdf, against figures computed here."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from reports.rendering import Branding, write_pdf
from reports.rendering.cells import MissingColumn, for_csv, plain, shown
from reports.rendering.fonts import register
from tests.reports.rendering_helpers import (
    NARROW,
    PENDING,
    PRINTED,
    REMITTANCE,
    page_footer,
    pdf_pages,
    pending_row,
    pounds,
)

DURHAM = Branding(name="Durham County Council", colour="#1d70b8")
ROWS = 230


async def render(definition, rows, **kwargs) -> bytes:
    out = io.BytesIO()
    kwargs.setdefault("branding", DURHAM)
    kwargs.setdefault("parameters", [])
    await write_pdf(definition, rows, out, printed=PRINTED, **kwargs)
    return out.getvalue()


async def test_a_long_report_pages_with_headers_page_numbers_and_totals():
    rows = [pending_row(n) for n in range(ROWS)]
    out = io.BytesIO()
    written = await write_pdf(
        PENDING,
        rows,
        out,
        branding=DURHAM,
        parameters=[("Organisation", "Sausage Sandwich"), ("Period", "30/09/2019 - 06/10/2019")],
        printed=PRINTED,
    )
    pages = pdf_pages(out.getvalue())
    assert written == ROWS
    assert len(pages) >= 4
    assert [page_footer(p) for p in pages] == [(n, len(pages)) for n in range(1, len(pages) + 1)]
    for text in pages:
        assert "Durham County Council" in text
        assert "Printed 02/10/2019 09:30 UTC" in text
        assert re.search(r"Client\s+SSRef\s+From\s+Days\s+Excl VAT\s+VAT\s+Total", text), text  # header
    first = pages[0]
    assert "Pending Scheduled Payments" in first and "Payments computed but not yet finalised." in first
    assert "Organisation" in first and "Sausage Sandwich" in first and "30/09/2019 - 06/10/2019" in first
    # Every row exactly once, in order, across the pages (none lost or repeated between two tables).
    names = re.findall(r"Client \d{4}", "\n".join(pages))
    assert names == [f"Client {n:04d}" for n in range(ROWS)]
    row_5 = pending_row(5)
    assert re.search(
        rf"Client 0005\s+C2000005\s+30/09/2019\s+7\s+{re.escape(pounds(row_5['excl_vat']))}", first
    )
    excl = sum((r["excl_vat"] for r in rows), Decimal(0))
    vat = sum((r["vat"] for r in rows), Decimal(0))
    totals = rf"Total\s+{7 * ROWS:,}\s+{re.escape(pounds(excl))}\s+{re.escape(pounds(vat))}\s+{re.escape(pounds(excl + vat))}"
    assert re.search(totals, pages[-1]), pages[-1]
    assert Counter(re.findall(r"\bTotal\b", "\n".join(pages)))["Total"] == len(pages) + 1  # headers + totals
    info = PdfReader(io.BytesIO(out.getvalue())).metadata
    assert info.title == "Pending Scheduled Payments" and info.author == "Durham County Council"


async def test_rows_stream_from_an_async_source_a_page_at_a_time():
    pulled = 0
    seen_at_progress: list[tuple[int, int]] = []

    async def source():
        nonlocal pulled
        for n in range(ROWS):
            pulled += 1
            yield pending_row(n)

    async def progress(done: int) -> None:
        seen_at_progress.append((done, pulled))

    body = await render(PENDING, source(), progress=progress)
    done = [d for d, _ in seen_at_progress]
    assert done == sorted(done) and done[-1] == ROWS and len(done) >= 4
    # The first page was laid out (and reported) while most rows were still in the source.
    assert seen_at_progress[0][1] < ROWS / 2
    assert len(re.findall(r"Client \d{4}", "\n".join(pdf_pages(body)))) == ROWS


async def test_a_narrow_report_is_one_column_on_a_phone_sized_page():
    rows = [
        {"child": "Simpson, Bart", "born": date(2010, 4, 1), "days": 183, "total": Decimal("9759.60")},
        {"child": "Testing, CLA", "born": date(2012, 12, 25), "days": 21, "total": Decimal("1038.96")},
    ]
    body = await render(NARROW, rows)
    reader = PdfReader(io.BytesIO(body))
    width = float(reader.pages[0].mediabox.width)
    assert width == pytest.approx(100 * mm)
    text = "\n".join(pdf_pages(body))
    assert re.search(
        r"Child\s+Simpson, Bart\s+Date of birth\s+01/04/2010\s+Days of care\s+183\s+Grand total\s+£9,759.60",
        text,
    )
    assert re.search(r"Child\s+Testing, CLA\s+Date of birth\s+25/12/2012", text)
    assert re.search(r"Total\s+Days of care\s+204\s+Grand total\s+£10,798.56", text), text


async def test_each_document_starts_a_page_with_its_heading_and_its_own_totals():
    def line(remittance: str, client: str, amount: str) -> dict[str, object]:
        return {
            "remittance_id": remittance,
            "remittance_reference": f"RA-{remittance}",
            "supplier_name": "Sausage Sandwich Fostering",
            "supplier_reference": "741254",
            "contract_name": "Sausage Sandwich",
            "pay_date": date(2019, 10, 4),
            "client_name": client,
            "purchase_order_number": "PO-148-1",
            "excl_vat": Decimal(amount),
            "total": Decimal(amount),
        }

    rows = [line("1", "S, Bart", "353.08"), line("1", "T, CLA", "303.03"), line("2", "S, Bart", "-12.50")]
    pages = pdf_pages(await render(REMITTANCE, rows))
    assert len(pages) == 2
    first, second = pages
    for text in pages:
        assert "Remittance Advice: Provider Payments" in text
        assert re.search(r"Supplier\s+Sausage Sandwich Fostering\s+Supplier reference\s+741254", text)
        assert re.search(r"Pay date\s+04/10/2019", text)
    assert "RA-1" in first and "RA-2" not in first
    assert re.search(r"Total\s+£656.11\s+£656.11", first)
    assert "RA-2" in second and re.search(r"S, Bart\s+PO-148-1\s+-£12.50", second)
    assert re.search(r"Total\s+-£12.50\s+-£12.50", second)


async def test_a_document_whose_rows_carry_no_heading_fields_has_its_heading_alone():
    from reports.domain.catalogue import PURCHASE_ORDER

    # The purchase order's lines as its read-model source yields them: no heading field among them.
    rows = [
        {
            "client": "Simpson, Bart",
            "contract": "Fostering",
            "start_date": date(2019, 4, 8),
            "end_date": date(2019, 4, 14),
            "quantity": 7,
            "amount": Decimal("353.08"),
        }
    ]
    (text,) = pdf_pages(await render(PURCHASE_ORDER, rows))
    assert "Purchase Order" in text and "Simpson, Bart" in text and "£353.08" in text


async def test_no_rows_says_so_and_a_colour_that_is_no_colour_is_not_used():
    body = await render(PENDING, [], branding=Branding(name="Telford", colour="red;stroke"))
    (text,) = pdf_pages(body)
    assert "There is nothing to report for these parameters." in text
    assert "Telford" in text and page_footer(text) == (1, 1)
    assert Branding(name="x", colour="red;stroke").safe_colour == "#0b0c0c"
    assert Branding(name="x", colour="#ffdd00").text_on_colour == "#0b0c0c"  # black reads on yellow
    assert Branding(name="x", colour="#1d70b8").text_on_colour == "#ffffff"  # white reads on blue


async def test_rows_that_do_not_fit_the_definition_are_refused():
    row = pending_row(1)
    del row["vat"]
    with pytest.raises(MissingColumn, match="'pending-scheduled-payments' have no 'vat'"):
        await render(PENDING, [row])
    with pytest.raises(TypeError, match="never float"):
        await render(PENDING, [{**pending_row(1), "total": 1.1}])


async def test_names_beyond_western_european_letters_print():
    rows = [{**pending_row(1), "client_name": "Łukasz Wróblewski-Żak"}]
    (text,) = pdf_pages(await render(PENDING, rows, branding=Branding(name="Cyngor Gwynedd ŵ")))
    assert "Łukasz Wróblewski-Żak" in text and "Cyngor Gwynedd ŵ" in text


def test_without_dejavu_the_pdf_falls_back_to_helvetica(tmp_path):
    assert register((tmp_path,)) == ("Helvetica", "Helvetica-Bold")
    assert register() == ("DejaVuSans", "DejaVuSans-Bold")


async def test_a_long_narrow_report_streams_its_cards_over_phone_pages():
    rows = [
        {
            "child": f"Child {n:03d}",
            "born": date(2010, 1, 1 + n % 28),
            "days": n % 7 + 1,
            "total": Decimal(n) / 4,
        }
        for n in range(120)
    ]
    pages = pdf_pages(await render(NARROW, rows))
    assert len(pages) > 3
    assert [page_footer(p) for p in pages] == [(n, len(pages)) for n in range(1, len(pages) + 1)]
    assert re.findall(r"Child \d{3}", "\n".join(pages)) == [f"Child {n:03d}" for n in range(120)]
    days = sum(r["days"] for r in rows)
    total = sum((r["total"] for r in rows), Decimal(0))
    assert re.search(rf"Total\s+Days of care\s+{days}\s+Grand total\s+{re.escape(pounds(total))}", pages[-1])


def test_values_read_as_people_and_spreadsheets_expect():
    stamp = datetime(2019, 10, 2, 9, 30, tzinfo=UTC)
    assert [plain(None), plain(stamp), plain(Decimal("-3.5")), plain(7)] == [
        "",
        "02/10/2019 09:30",
        "-£3.50",
        "7",
    ]
    money = PENDING.columns[4]
    assert [shown(money, None), shown(money, "12"), for_csv(money, 12)] == ["", "£12.00", "12.00"]
    assert for_csv(PENDING.columns[0], stamp) == "2019-10-02T09:30:00+00:00"
