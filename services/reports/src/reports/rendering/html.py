"""A report as an accessible HTML table (GOV.UK Frontend classes), the view a screen reader can use:
reportlab cannot tag a PDF. A caption names the report, column headers have `scope="col"`, each row's
first cell is its row header, amounts are right-aligned, totals sit in a `tfoot` row. A document report
(`documents.DOCUMENTS`) shows each document's heading block as a summary list above its own table.

A fragment for the gateway's page to place (it brings the page, the council's header and the CSP); every
value is escaped here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from html import escape
from typing import IO

from reports.domain.catalogue import Column, ReportDefinition
from reports.rendering.cells import Branding, Row, Rows, Totals, each_row, shown, value_of
from reports.rendering.documents import DOCUMENTS, DocumentLayout

BATCH = 500  # rows read between two progress reports
Progress = Callable[[int], Awaitable[None]]


async def write_html(
    definition: ReportDefinition,
    rows: Rows,
    out: IO[bytes],
    *,
    branding: Branding,
    parameters: list[tuple[str, str]],
    progress: Progress | None = None,
) -> int:
    """Write the report's HTML view (UTF-8) to `out`; the number of rows written.

    Unlike the PDF and the CSV the rows are gathered before the fragment is built (a document report
    groups them, the totals close each table): the view is for reading on screen, a report of a size a
    person reads, and the file it makes is as large as the rows' text anyway."""
    gathered: list[Row] = []
    async for row in each_row(rows):
        gathered.append(row)
        if progress is not None and len(gathered) % BATCH == 0:
            await progress(len(gathered))
    out.write(html_view(definition, gathered, branding=branding, parameters=parameters).encode("utf-8"))
    if progress is not None:
        await progress(len(gathered))
    return len(gathered)


def html_view(
    definition: ReportDefinition, rows: list[Row], *, branding: Branding, parameters: list[tuple[str, str]]
) -> str:
    """The report's rows as an HTML fragment."""
    parts = [
        '<div class="app-report">',
        f'<p class="govuk-caption-m">{escape(branding.name)}</p>',
        f'<h1 class="govuk-heading-l">{escape(definition.title)}</h1>',
    ]
    if definition.description:
        parts.append(f'<p class="govuk-body">{escape(definition.description)}</p>')
    if parameters:
        parts.append(_summary_list(parameters))
    layout = DOCUMENTS.get(definition.key)
    if not rows:
        parts.append('<p class="govuk-body">There is nothing to report for these parameters.</p>')
    elif layout is None:
        parts.append(_table(definition, rows, caption=definition.title))
    else:
        for document in _documents(layout, rows):
            parts.append(f'<h2 class="govuk-heading-m">{escape(layout.heading)}</h2>')
            parts.append(_summary_list(layout.heading_block(document[0])))
            parts.append(_table(definition, document, caption=layout.heading))
    parts.append("</div>")
    return "\n".join(parts)


def _documents(layout: DocumentLayout, rows: list[Row]) -> Iterable[list[Row]]:
    document: list[Row] = []
    for row in rows:
        if document and layout.document_of(row) != layout.document_of(document[0]):
            yield document
            document = []
        document.append(row)
    yield document


def _table(definition: ReportDefinition, rows: list[Row], *, caption: str) -> str:
    columns = definition.columns
    totals = Totals(definition)
    lines = [
        '<table class="govuk-table">',
        f'<caption class="govuk-table__caption govuk-table__caption--m">{escape(caption)}</caption>',
        '<thead class="govuk-table__head"><tr class="govuk-table__row">',
        *(
            f'<th scope="col" class="govuk-table__header{_numeric(c, "header")}">{escape(c.heading)}</th>'
            for c in columns
        ),
        "</tr></thead>",
        '<tbody class="govuk-table__body">',
    ]
    for row in rows:
        totals.add(row)
        cells = [escape(shown(c, value_of(definition, c, row))) for c in columns]
        lines.append(_row(columns, cells))
    lines.append("</tbody>")
    if totals:
        lines += [
            '<tfoot class="govuk-table__head">',
            _row(columns, [escape(c) for c in totals.cells()]),
            "</tfoot>",
        ]
    lines.append("</table>")
    return "\n".join(lines)


def _row(columns: tuple[Column, ...], cells: list[str]) -> str:
    first, *rest = zip(columns, cells, strict=True)
    html = [f'<th scope="row" class="govuk-table__header{_numeric(first[0], "header")}">{first[1]}</th>']
    html += [f'<td class="govuk-table__cell{_numeric(c, "cell")}">{cell}</td>' for c, cell in rest]
    return f'<tr class="govuk-table__row">{"".join(html)}</tr>'


def _numeric(column: Column, part: str) -> str:
    return f" govuk-table__{part}--numeric" if column.kind in ("money", "number") else ""


def _summary_list(pairs: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{escape(label)}</dt>'
        f'<dd class="govuk-summary-list__value">{escape(value)}</dd></div>'
        for label, value in pairs
    )
    return f'<dl class="govuk-summary-list">{items}</dl>'
