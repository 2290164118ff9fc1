"""How a report's rows become a file or a page: `pdf` (reportlab platypus, streamed page by page), `csv`
(streamed, UTF-8 with BOM, formula cells neutralised) and `html` (an accessible table view, since reportlab
cannot tag a PDF for screen readers). `cells` says how one value reads; `documents` lays out the reports
that are documents (a remittance advice, a purchase order): a heading block, then their lines.

No I/O here other than writing to the file given: rows come in as an async or plain iterable of dicts keyed
by the definition's column keys, the clock and the council's branding are passed in.
"""

from reports.rendering.cells import Branding
from reports.rendering.csv import write_csv
from reports.rendering.files import CONTENT_TYPES, filename
from reports.rendering.html import html_view, write_html
from reports.rendering.pdf import write_pdf

__all__ = ["CONTENT_TYPES", "Branding", "filename", "html_view", "write_csv", "write_html", "write_pdf"]
