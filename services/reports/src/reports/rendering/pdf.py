"""A report as a PDF (reportlab platypus), streamed: rows are laid out a page at a time as they come from
the source, so memory holds one page's rows (and reportlab's compressed pages), never the whole report.

Every page carries the council's name on a band of its colour, the report's title, when it was printed and
"Page x of y" (y is a form drawn once at the end, so no page is laid out twice). Table headers repeat on
every page; money and number columns marked `total` are summed in a totals row. A narrow report is laid
out for a phone: a small page, each row a card of "heading: value" lines in one column. The reports that
are documents (`documents.DOCUMENTS`) print a heading block above their lines, each document from a new
page with totals of its own.

Laying out is CPU work: each page is laid out in a thread, so the worker's event loop (the database
cursor, the broker's heartbeats) keeps moving between pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
)

from reports.domain.catalogue import Column, ReportDefinition
from reports.rendering.cells import Branding, Row, Rows, Totals, each_row, shown, value_of
from reports.rendering.documents import DOCUMENTS, DocumentLayout
from reports.rendering.fonts import BOLD, FONT

Progress = Callable[[int], Awaitable[None]]
SIZE = 8
PADDING = 2  # points above and below a cell's text
LINE = SIZE * 1.2
MAX_LINES = 6  # a cell's text wraps to at most this many lines (then "...")
PHONE_PAGE = (100 * mm, 178 * mm)  # a page a phone's viewer shows at reading size
WEIGHTS = {"text": 3.0, "money": 1.6, "date": 1.4, "number": 1.0}
LANDSCAPE_FROM = 12.0  # column weight above which a wide report is printed on A4 landscape
BAND = 9 * mm  # the council's band at the top of every page
STRIPE = colors.HexColor("#f3f2f1")
_NEW_DOCUMENT = object()

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=14, leading=17, spaceAfter=4)
HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=2, spaceAfter=4)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11, spaceAfter=6)


async def write_pdf(
    definition: ReportDefinition,
    rows: Rows,
    out: IO[bytes],
    *,
    branding: Branding,
    parameters: list[tuple[str, str]],
    printed: datetime,
    progress: Progress | None = None,
) -> int:
    """Write the report to `out`; the number of rows written. `parameters` are the run's, as labels and
    the values the user chose, printed under the title."""
    pdf = _PdfWriter(definition, out, branding=branding, printed=printed)
    layout = DOCUMENTS.get(definition.key)
    await asyncio.to_thread(pdf.begin, parameters)
    pending: list[list[str]] = []
    totals = Totals(definition)
    document: Any = _NEW_DOCUMENT
    read = placed = 0
    async for row in each_row(rows):
        if layout is not None and layout.document_of(row) != document:
            if document is not _NEW_DOCUMENT:
                placed += await asyncio.to_thread(pdf.end_table, pending, totals, next_document=True)
                pending, totals = [], Totals(definition)
            document = layout.document_of(row)
            await asyncio.to_thread(pdf.heading, layout, row)
        totals.add(row)
        pending.append(pdf.cells(row))
        read += 1
        if len(pending) > pdf.chunk:
            done = await asyncio.to_thread(pdf.place_page, pending)
            del pending[:done]
            placed += done
            if progress is not None:
                await progress(placed)
    if read == 0:
        await asyncio.to_thread(pdf.nothing)
    else:
        placed += await asyncio.to_thread(pdf.end_table, pending, totals, next_document=False)
    await asyncio.to_thread(pdf.finish)
    if progress is not None:
        await progress(placed)
    return read


class _PdfWriter:
    """One PDF being written: platypus's document driven a flowable at a time (its `build` would need
    the whole story in a list)."""

    def __init__(
        self, definition: ReportDefinition, out: IO[bytes], *, branding: Branding, printed: datetime
    ):
        self.definition, self.branding, self.printed = definition, branding, printed
        self.narrow = definition.narrow
        weight = sum(WEIGHTS[c.kind] for c in definition.columns)
        self.pagesize = PHONE_PAGE if self.narrow else landscape(A4) if weight > LANDSCAPE_FROM else A4
        self.margin = 6 * mm if self.narrow else 12 * mm
        width = self.pagesize[0] - 2 * self.margin
        height = self.pagesize[1] - 2 * self.margin - BAND - 8 * mm
        self.doc = BaseDocTemplate(
            out,
            pagesize=self.pagesize,
            leftMargin=self.margin,
            rightMargin=self.margin,
            topMargin=self.margin + BAND + 2 * mm,
            bottomMargin=self.margin + 6 * mm,
            title=definition.title,
            author=branding.name,
            subject=definition.description,
            creator="Provider Portal",
        )
        frame = Frame(self.margin, self.margin + 6 * mm, width, height, id="body", showBoundary=0)
        self.doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])
        self.doc._doSave = 0  # saved by `finish`, once the page count is known
        if self.narrow:
            self.widths = [width * 0.38, width * 0.62]
        else:
            scale = width / weight
            self.widths = [WEIGHTS[c.kind] * scale for c in definition.columns]
        # More rows than any page holds (every row is at least one line high), so each table placed by
        # `place_page` fills its page and is split: no table ends mid-page and repeats its header under it.
        self.chunk = int(height / (LINE + 2 * PADDING)) + 1
        self.colour = colors.HexColor(branding.safe_colour)
        self.on_colour = colors.HexColor(branding.text_on_colour)
        self.pages = 0

    # -- the parts of the document, each laid out in a worker thread --

    def begin(self, parameters: list[tuple[str, str]]) -> None:
        self.doc._startBuild()
        story: list[Flowable] = [Paragraph(escape(self.definition.title), TITLE)]
        if self.definition.description:
            story.append(Paragraph(escape(self.definition.description), BODY))
        if parameters:
            story.append(self._pairs(parameters))
        self._place(story)

    def heading(self, layout: DocumentLayout, row: Row) -> None:
        """A document's heading and heading block (its first row's fields; none when the rows carry
        none of them, as the purchase order's lines from the read model do: reportlab has no empty
        table)."""
        block = layout.heading_block(row)
        self._place([Paragraph(escape(layout.heading), HEADING), *([self._pairs(block)] if block else [])])

    def cells(self, row: Row) -> list[str]:
        """The row as the PDF shows it, text wrapped to its column."""
        columns = self.definition.columns
        if self.narrow:
            return [self._wrap(shown(c, value_of(self.definition, c, row)), self.widths[1]) for c in columns]
        return [
            self._wrap(shown(c, value_of(self.definition, c, row)), width)
            for c, width in zip(columns, self.widths, strict=True)
        ]

    def place_page(self, pending: list[list[str]]) -> int:
        """Lay out the rows that fill the current page; how many that was (the rest wait for more)."""
        if self.narrow:
            self._place([self._card(cells) for cells in pending])
            return len(pending)
        table = self._table(pending, totals=None)
        flowables: list[Flowable] = [table]
        while True:
            self.doc.clean_hanging()  # a page begun by the last break is set up first, as `build` does
            self.doc.handle_flowable(flowables)
            if not flowables:
                return len(pending)
            if flowables[0] is not table:  # split: the rest (under a repeated header) waits
                remainder = flowables.pop()
                return len(pending) - (len(remainder._cellvalues) - 1)

    def end_table(self, pending: list[list[str]], totals: Totals, *, next_document: bool) -> int:
        """Lay out the last rows of a table and its totals row; a page break when a document follows."""
        if self.narrow:
            story: list[Flowable] = [self._card(cells) for cells in pending]
            if totals:
                story.append(self._totals_card(totals))
        else:
            story = [self._table(pending, totals=totals.cells() if totals else None)]
        if next_document:
            story.append(PageBreak())
        self._place(story)
        return len(pending)

    def nothing(self) -> None:
        self._place([Paragraph("There is nothing to report for these parameters.", BODY)])

    def finish(self) -> None:
        self.doc._endBuild()
        canvas = self.doc.canv
        canvas.beginForm("page_count")
        canvas.setFont(FONT, SIZE)
        canvas.drawString(0, 0, str(self.pages))
        canvas.endForm()
        canvas.save()

    # -- helpers --

    def _place(self, story: list[Flowable]) -> None:
        while story:
            self.doc.clean_hanging()
            self.doc.handle_flowable(story)

    def _wrap(self, text: str, width: float) -> str:
        lines = simpleSplit(text, FONT, SIZE, width - 2 * PADDING - 2)
        if len(lines) > MAX_LINES:
            lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + "..."]
        return "\n".join(lines)

    def _table(self, pending: list[list[str]], *, totals: list[str] | None) -> Table:
        columns = self.definition.columns
        data: list[list[str]] = [
            [self._wrap(c.heading, w) for c, w in zip(columns, self.widths, strict=True)]
        ]
        data += pending
        style: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), FONT, SIZE, LINE),
            ("FONT", (0, 0), (-1, 0), BOLD, SIZE, LINE),
            ("BACKGROUND", (0, 0), (-1, 0), self.colour),
            ("TEXTCOLOR", (0, 0), (-1, 0), self.on_colour),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), PADDING),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
        ]
        style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, c in enumerate(columns) if _numeric(c)]
        if totals is not None:
            last = len(data)
            data.append(totals)
            style += [
                ("FONT", (0, last), (-1, last), BOLD, SIZE, LINE),
                ("BACKGROUND", (0, last), (-1, last), colors.white),
                ("LINEABOVE", (0, last), (-1, last), 1, colors.black),
            ]
        return Table(data, colWidths=self.widths, repeatRows=1, hAlign="LEFT", style=style)

    def _card(self, cells: list[str]) -> Flowable:
        """One row of a narrow report: each column's heading beside its value, one under another; a card
        that does not fit the rest of a page starts the next (never split between two)."""
        headings = [self._wrap(c.heading, self.widths[0]) for c in self.definition.columns]
        return KeepTogether([self._pairs_table(list(zip(headings, cells, strict=True)), rule=True)])

    def _totals_card(self, totals: Totals) -> Flowable:
        pairs = [(c.heading, shown(c, totals.sums[c.key])) for c in self.definition.columns if c.total]
        return KeepTogether([self._pairs_table([("Total", ""), *pairs], rule=True, bold=True)])

    def _pairs(self, pairs: list[tuple[str, str]]) -> Table:
        wrapped = [(label, self._wrap(value, self.doc.width * 0.62)) for label, value in pairs]
        return self._pairs_table(wrapped, rule=False)

    def _pairs_table(self, pairs: list[tuple[str, str]], *, rule: bool, bold: bool = False) -> Table:
        width = self.doc.width
        widths = self.widths if self.narrow else [min(width * 0.3, 60 * mm), min(width * 0.7, 120 * mm)]
        style: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), BOLD if bold else FONT, SIZE, LINE),
            ("FONT", (0, 0), (0, -1), BOLD, SIZE, LINE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), PADDING),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
        ]
        if rule:
            style.append(("LINEABOVE", (0, 0), (-1, 0), 0.75, self.colour))
        return Table([list(p) for p in pairs], colWidths=widths, hAlign="LEFT", style=style, spaceAfter=6)

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """The council's band, the title, when printed and "Page x of y", on every page."""
        page_width, page_height = self.pagesize
        self.pages = canvas.getPageNumber()
        canvas.saveState()
        canvas.setFillColor(self.colour)
        canvas.rect(0, page_height - self.margin - BAND, page_width, BAND, stroke=0, fill=1)
        canvas.setFillColor(self.on_colour)
        canvas.setFont(BOLD, 10)
        canvas.drawString(self.margin, page_height - self.margin - BAND + 3 * mm, self.branding.name)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT, SIZE)
        bottom = self.margin
        footer = f"Printed {self.printed:%d/%m/%Y %H:%M} UTC"
        if not self.narrow:
            footer = f"{self.definition.title} - {footer}"
        canvas.drawString(self.margin, bottom, footer)
        slot = canvas.stringWidth("00000", FONT, SIZE)
        right = page_width - self.margin - slot
        canvas.drawRightString(right, bottom, f"Page {self.pages} of ")
        canvas.translate(right, bottom)
        canvas.doForm("page_count")  # the total, drawn once the last page is known
        canvas.restoreState()


def _numeric(column: Column) -> bool:
    return column.kind in ("money", "number")
